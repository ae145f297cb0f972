"""Group posts as Articles, in Mobilizon's shape: public ones addressed to the Public, members-only
ones to the group's members collection."""
from ...dates import utc_text
from ...urls import public_url
from ..vocab import AS_PUBLIC, CONTEXT
from .address import media_type


def members_url(group):
    """The members collection of a local group, as Mobilizon addresses members-only content."""
    return f"{group.ap_id}/members"


def post_to_ap(post, group, author):
    """The Article of a published post; author is the member who wrote it (None once their identity
    is gone: the group then speaks for it)."""
    public = post.visibility == "public"
    attachments = []
    if post.picture:
        attachments.append({"type": "Document", "mediaType": media_type(post.picture), "name": "Banner",
                            "url": public_url("events.upload", name=post.picture)})
    return {
        "@context": CONTEXT,
        "type": "Article",
        "id": post.ap_id,
        "url": post.ap_id,
        "uuid": post.uuid,
        "actor": (author or group).ap_id,
        "attributedTo": group.ap_id,
        "name": post.title,
        "content": post.body,
        "mediaType": "text/html",
        "published": utc_text(post.published_at or post.created_at),
        "updated": utc_text(post.updated_at),
        "to": [AS_PUBLIC] if public else [members_url(group)],
        "cc": [],
        "attachment": attachments,
    }
