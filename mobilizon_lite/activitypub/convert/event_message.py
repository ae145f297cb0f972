"""An organisers' message to an event's participants as a direct Note (to them only, answering the
event), and back."""
from ...dates import utc_text
from ...models.limits import EVENT_MESSAGE_MAX, EVENT_MESSAGE_SUBJECT_MAX, URL_MAX
from ...text import html_to_text, markdown_to_html, sanitize_html, text_line
from .. import audience
from ..vocab import CONTEXT, PUBLIC_ALIASES, as_list, get_id


def event_message_to_ap(message, recipients):
    """The Note of a message, addressed only to recipients (remote participants); the subject is its name."""
    to, cc = audience.of_event_message(recipients)
    return {
        "@context": CONTEXT,
        "type": "Note",
        "id": message.ap_id,
        "attributedTo": message.sender.ap_id,
        "name": message.subject,
        "content": markdown_to_html(message.text),
        "mediaType": "text/html",
        "inReplyTo": message.event.ap_id,
        "context": message.event.ap_id,
        "published": utc_text(message.created_at),
        "to": to,
        "cc": cc,
        "tag": [{"type": "Mention", "href": actor_id} for actor_id in to],
    }


def event_message_from_ap(note, activity):
    """(event id, subject, plain text, addressees) of a direct Note (activity: the Create carrying it),
    or ValueError when it is not one: public, empty, or answering nothing."""
    if not isinstance(note, dict) or note.get("type") != "Note" or not isinstance(note.get("id"), str):
        raise ValueError("not a Note")
    if len(note["id"]) > URL_MAX:
        raise ValueError("the Note's id is too long")
    addressees = {get_id(item) for source in (activity, note) for key in ("to", "cc", "bto", "bcc")
                  for item in as_list(source.get(key))} - {None}
    if addressees & PUBLIC_ALIASES:
        raise ValueError("not a direct message")
    event_id = get_id(note.get("inReplyTo")) or get_id(note.get("context"))
    if not isinstance(event_id, str):
        raise ValueError("the Note answers nothing")
    content = note.get("content")
    text = html_to_text(sanitize_html(content[:EVENT_MESSAGE_MAX * 4] if isinstance(content, str) else ""))
    text = text.strip()[:EVENT_MESSAGE_MAX]
    if not text:
        raise ValueError("the Note is empty")
    return event_id, text_line(note.get("name"), EVENT_MESSAGE_SUBJECT_MAX), text, addressees
