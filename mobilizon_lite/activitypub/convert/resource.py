"""A group's shared resources in Mobilizon's shapes: a link is a Document, a folder a ResourceCollection."""
from ...dates import utc_text
from ...models import Resource
from ...models.limits import DESCRIPTION_MAX, TITLE_MAX, URL_MAX
from ...text import text_line
from ..parse import ParseError
from ..vocab import CONTEXT, get_id


def resource_to_ap(resource, group_id, context_id, creator_id):
    """The Document (link) or ResourceCollection (folder) of a resource; context_id is its folder's
    id, or the group's resources collection for the root, as Mobilizon writes it."""
    document = {
        "@context": CONTEXT,
        "type": "ResourceCollection" if resource.type == resource.FOLDER else "Document",
        "id": resource.ap_id,
        "name": resource.title,
        "summary": resource.description,
        "actor": group_id,
        "attributedTo": [creator_id] if creator_id else [],
        "context": context_id,
        "published": utc_text(resource.created_at),
        "updated": utc_text(resource.updated_at),
    }
    if resource.type != resource.FOLDER:
        document["url"] = resource.url
    return document


def resource_from_ap(document):
    """Resource columns (type, title, url, description) of another server's Document or
    ResourceCollection; ParseError without a title, or a link without an http(s) address."""
    folder = document.get("type") == "ResourceCollection"
    title = text_line(document.get("name"), TITLE_MAX)
    url = "" if folder else get_id(document.get("url"))
    if not title:
        raise ParseError("a resource needs a name")
    if not folder and not (isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= URL_MAX):
        raise ParseError("a link needs an http(s) url")
    return {"type": Resource.FOLDER if folder else Resource.LINK, "title": title, "url": url,
            "description": text_line(document.get("summary"), DESCRIPTION_MAX)}
