"""Discussions and their messages as Notes, in Mobilizon's shape: each carries the discussion's title
as name and its address as context, and is addressed to the group's members only."""
from ...dates import parse_utc, utc_text
from ...models.limits import COMMENT_HTML_MAX, TITLE_MAX, URL_MAX
from ...text import sanitize_html, text_line
from ..parse import ParseError
from ..vocab import get_id
from .group_content import group_content_to_ap
from .post import members_url


def _note(note_id, uuid, discussion, group, author, attributed_to, content, published, updated):
    return group_content_to_ap(
        "Note", note_id, (author or group).ap_id, url=note_id, uuid=uuid, attributedTo=attributed_to.ap_id,
        name=discussion.title, context=discussion.ap_id, content=content, mediaType="text/html",
        published=utc_text(published), updated=utc_text(updated), to=[members_url(group)], cc=[])


def message_to_ap(message, discussion, group, author):
    """The Note of one message of a discussion; author is None once its identity is gone."""
    return _note(message.ap_id, message.uuid, discussion, group, author, author or group, message.text,
                 message.created_at, message.updated_at)


def discussion_to_ap(discussion, group, creator, first_message):
    """The Note standing for a whole discussion: its title, its first message's text, its address as
    both id and context (first_message None when every message was deleted)."""
    return _note(discussion.ap_id, discussion.uuid, discussion, group, creator, group,
                 first_message.text if first_message is not None else "",
                 discussion.created_at, discussion.last_activity_at)


def message_from_ap(note):
    """(discussion id, title, sanitised HTML, published or None) of a discussion's Note of another
    server; ParseError when it is not one."""
    if not isinstance(note, dict) or not isinstance(note.get("id"), str) or len(note["id"]) > URL_MAX:
        raise ParseError("not a Note with an id")
    context = get_id(note.get("context"))
    if not isinstance(context, str) or len(context) > URL_MAX:
        raise ParseError("a discussion's Note needs its context")
    content = note.get("content")
    # Cut before sanitising, so that the sanitiser closes what the cut left open.
    text = sanitize_html(content[:COMMENT_HTML_MAX] if isinstance(content, str) else "")
    return context, text_line(note.get("name"), TITLE_MAX), text, parse_utc(note.get("published"))
