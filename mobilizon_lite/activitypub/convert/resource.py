"""A group's shared resources in Mobilizon's shapes: a link is a Document, a folder a ResourceCollection."""
from ...dates import utc_text
from ..vocab import CONTEXT


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
