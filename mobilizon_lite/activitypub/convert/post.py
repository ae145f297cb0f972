"""Group posts as Articles, in Mobilizon's shape: public ones addressed to the Public, members-only
ones to the group's members collection."""
from ...dates import parse_utc, utc_text
from ...models.groups import PostVisibility
from ...models.limits import DESCRIPTION_MAX, TITLE_MAX
from ...text import sanitize_html, text_line
from ...urls import public_url
from ..audience import members_url
from ..parse import ParseError
from ..vocab import AS_PUBLIC, CONTEXT, is_public
from .address import media_type


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


def post_from_ap(document):
    """Post columns from a group's Article of another server; ParseError without a title. What does
    not address the Public is for the group's members."""
    title = text_line(document.get("name"), TITLE_MAX)
    if not title:
        raise ParseError("a post needs a name")
    content = document.get("content")
    return {
        "title": title,
        # Cut before sanitising, so that the sanitiser closes what the cut left open.
        "body": sanitize_html(content[:DESCRIPTION_MAX] if isinstance(content, str) else ""),
        "visibility": PostVisibility.PUBLIC if is_public(document) else PostVisibility.MEMBERS,
        "draft": False,
        "published_at": parse_utc(document.get("published")),
    }
