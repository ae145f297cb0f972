"""Actors as ActivityStreams documents, in Mobilizon's shape."""
from ...urls import actor_urls, public_url
from ..vocab import CONTEXT

# Mobilizon gives persons the group collections too, set to null, top-level and in endpoints.
GROUP_COLLECTIONS = ("members", "resources", "todos", "posts", "events", "discussions")


def actor_to_ap(actor):
    """The actor document of a local identity or of the instance actor."""
    urls = actor_urls(actor)
    document = {
        "@context": CONTEXT,
        "id": actor.ap_id,
        "url": actor.ap_id,
        "type": actor.type,
        "preferredUsername": actor.preferred_username,
        "name": actor.display_name,
        "summary": actor.summary or "",
        **urls,
        "endpoints": {"sharedInbox": public_url("inbox.shared")},
        "discoverable": actor.type == "Person",
        "manuallyApprovesFollowers": bool(actor.manually_approves_followers) or actor.type == "Application",
        "publicKey": {"id": f"{actor.ap_id}#main-key", "owner": actor.ap_id, "publicKeyPem": actor.public_key_pem},
    }
    if actor.type == "Person":
        document.update({name: None for name in GROUP_COLLECTIONS})
        document["endpoints"].update({name: None for name in GROUP_COLLECTIONS})
    return document


def collection(collection_id, items, total, page=None, per_page=10):
    """An OrderedCollection, or (page given) one OrderedCollectionPage of it."""
    if page is None:
        return {"@context": CONTEXT, "id": collection_id, "type": "OrderedCollection", "totalItems": total,
                "first": f"{collection_id}?page=1"}
    document = {"@context": CONTEXT, "id": f"{collection_id}?page={page}", "type": "OrderedCollectionPage",
                "partOf": collection_id, "totalItems": total, "orderedItems": items}
    if page * per_page < total:
        document["next"] = f"{collection_id}?page={page + 1}"
    if page > 1:
        document["prev"] = f"{collection_id}?page={page - 1}"
    return document
