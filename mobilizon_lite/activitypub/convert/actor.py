"""Actors as ActivityStreams documents, in Mobilizon's shape."""
from ...models.limits import URL_MAX
from ...urls import actor_urls, public_url
from ..vocab import CONTEXT
from .address import address_to_ap, media_type

# Mobilizon gives persons the group collections too, set to null, top-level and in endpoints.
GROUP_COLLECTIONS = ("members", "resources", "todos", "posts", "events", "discussions")


def actor_to_ap(actor):
    """The actor document of a local identity, group (see group_to_ap) or of the instance actor."""
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
        "discoverable": actor.type == "Person" or (actor.type == "Group" and actor.visibility == "public"),
        "manuallyApprovesFollowers": bool(actor.manually_approves_followers),
        "publicKey": {"id": f"{actor.ap_id}#main-key", "owner": actor.ap_id, "publicKeyPem": actor.public_key_pem},
    }
    if actor.type == "Person":
        document.update({name: None for name in GROUP_COLLECTIONS})
        document["endpoints"].update({name: None for name in GROUP_COLLECTIONS})
    return document


def _image(name):
    return {"type": "Image", "mediaType": media_type(name), "url": public_url("events.upload", name=name)}


def group_to_ap(group, member_count):
    """A local group's actor document, in Mobilizon's shape: its collections top-level and in
    endpoints, how people join it, its pictures and its address; member_count counts members only."""
    document = actor_to_ap(group)
    collections = {name: f"{group.ap_id}/{name}" for name in GROUP_COLLECTIONS}
    document.update(collections, memberCount=member_count, openness=group.openness)
    document["endpoints"].update(collections)
    if group.avatar:
        document["icon"] = _image(group.avatar)
    if group.banner:
        document["image"] = _image(group.banner)
    if group.address:
        document["location"] = address_to_ap(f"{group.ap_id}#place", group.address)
    return document


def image_url_from_ap(value):
    """The http(s) address of an actor document's icon or image (an Image, a Link, an address, or a
    list of them: the first), or None."""
    if isinstance(value, list):
        value = value[0] if value else None
    url = value.get("url") if isinstance(value, dict) else value
    if isinstance(url, list):
        url = url[0] if url else None
    url = url.get("href") if isinstance(url, dict) else url
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= URL_MAX:
        return url
    return None


OPENNESS = ("open", "moderated", "invite_only")
MEMBER_COUNT_MAX = 10**9


def group_settings_from_ap(document):
    """The columns a Group document of elsewhere sets: how people join it (Mobilizon's openness,
    moderated when absent or unknown) and its memberCount (None when absent or not a count)."""
    openness = document.get("openness")
    count = document.get("memberCount")
    return {"openness": openness if openness in OPENNESS else "moderated",
            "member_count": count if type(count) is int and 0 <= count <= MEMBER_COUNT_MAX else None}


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
