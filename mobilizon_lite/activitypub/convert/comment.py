"""Comments as Notes (Mobilizon's shape), replies to an event or to another comment, and back."""
from ...dates import parse_utc, utc_text
from ...models.limits import COMMENT_HTML_MAX, URL_MAX
from ...text import sanitize_html
from .. import audience
from ..vocab import CONTEXT, get_id


def comment_to_ap(comment, in_reply_to):
    """The Note of a comment; in_reply_to is the parent comment's or else the event's id."""
    to, cc = audience.of_comment(comment.event)
    return {
        "@context": CONTEXT,
        "type": "Note",
        "id": comment.ap_id,
        "url": comment.ap_id,
        "uuid": comment.uuid,
        "actor": comment.actor.ap_id,
        "attributedTo": comment.actor.ap_id,
        "inReplyTo": in_reply_to,
        "content": comment.text,
        "mediaType": "text/html",
        "published": utc_text(comment.created_at),
        "updated": utc_text(comment.updated_at),
        "isAnnouncement": False,
        "to": to,
        "cc": cc,
        "tag": [{"type": "Mention", "href": comment.event.organizer.ap_id}],
    }


def note_from_ap(note, actor_id):
    """(in_reply_to id, sanitised HTML, published or None) of a remote Note by actor_id; ValueError if unusable."""
    if not isinstance(note, dict) or note.get("type") != "Note" or not isinstance(note.get("id"), str):
        raise ValueError("not a Note")
    if len(note["id"]) > URL_MAX:
        raise ValueError("the Note's id is too long")
    if get_id(note.get("attributedTo")) not in (None, actor_id):
        raise ValueError("the Note is attributed to someone else")
    in_reply_to = get_id(note.get("inReplyTo"))
    if not in_reply_to:
        raise ValueError("the Note answers nothing")
    content = note.get("content")
    # Cut before sanitising, so that the sanitiser closes what the cut left open.
    text = sanitize_html(content[:COMMENT_HTML_MAX] if isinstance(content, str) else "")
    if not text.strip():
        raise ValueError("the Note is empty")
    return in_reply_to, text, parse_utc(note.get("published"))
