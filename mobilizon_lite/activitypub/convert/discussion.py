"""Discussions and their messages as Notes, in Mobilizon's shape: each carries the discussion's title
as name and its address as context, and is addressed to the group's members only."""
from ...dates import utc_text
from ..vocab import CONTEXT
from .post import members_url


def message_to_ap(message, discussion, group, author):
    """The Note of one message of a discussion; author is None once its identity is gone."""
    return {
        "@context": CONTEXT,
        "type": "Note",
        "id": message.ap_id,
        "url": message.ap_id,
        "uuid": message.uuid,
        "actor": (author or group).ap_id,
        "attributedTo": (author or group).ap_id,
        "name": discussion.title,
        "context": discussion.ap_id,
        "content": message.text,
        "mediaType": "text/html",
        "published": utc_text(message.created_at),
        "updated": utc_text(message.updated_at),
        "to": [members_url(group)],
        "cc": [],
    }


def discussion_to_ap(discussion, group, creator, first_message):
    """The Note standing for a whole discussion: its title, its first message's text, its address as
    both id and context (first_message None when every message was deleted)."""
    return {
        "@context": CONTEXT,
        "type": "Note",
        "id": discussion.ap_id,
        "url": discussion.ap_id,
        "uuid": discussion.uuid,
        "actor": (creator or group).ap_id,
        "attributedTo": group.ap_id,
        "name": discussion.title,
        "context": discussion.ap_id,
        "content": first_message.text if first_message is not None else "",
        "mediaType": "text/html",
        "published": utc_text(discussion.created_at),
        "updated": utc_text(discussion.last_activity_at),
        "to": [members_url(group)],
        "cc": [],
    }
