"""Where a remote event happens, read from every shape Mobilizon, Gancio and other servers send.

`location` may be a Place (Mobilizon: a PostalAddress and float coordinates), a bare string (Gancio,
WordPress), a VirtualLocation (schema.org: its `url`), a Place whose `address` is a VirtualLocation
(Gancio), or a list of these (Gancio's hybrid events: a Place and VirtualLocations). An online
address may also come as a `Link` attachment: Mobilizon names its own "Website"; Gancio sends one
Link per online place, named after its URL.
"""
from ...models.limits import ADDRESS_MAX, LINK_LABEL_MAX, URL_MAX
from ...text import text_line
from ..vocab import as_list, get_id

ADDRESS_FIELDS = tuple((name, key, ADDRESS_MAX[name]) for name, key in (
    ("street", "streetAddress"), ("postal_code", "postalCode"), ("locality", "addressLocality"),
    ("region", "addressRegion"), ("country", "addressCountry")))
PLACE_FIELDS = ("place_name", *(name for name, _key, _limit in ADDRESS_FIELDS))
# Gancio files the events that happen only online under a place of this name.
ONLINE_PLACE_NAMES = frozenset({"online"})


def http_url(value):
    """An http(s) address from foreign JSON, or "" (also for one longer than the form accepts: cut, it
    would lead elsewhere)."""
    value = value.strip() if isinstance(value, str) else ""
    # Spaces, controls, bidi and other invisible characters have no place in an address.
    usable = value.startswith(("http://", "https://")) and value.isprintable() and " " not in value
    return value if usable and len(value) <= URL_MAX else ""


def _is_virtual(value):
    return isinstance(value, dict) and value.get("type") == "VirtualLocation"


def _virtual_url(location):
    """The online address of a location, when it is one: a URL string, a VirtualLocation, or a Place
    whose address is a VirtualLocation; "" otherwise."""
    if isinstance(location, str):
        return http_url(location)
    if not isinstance(location, dict):
        return ""
    virtual = location if _is_virtual(location) else location.get("address")
    return http_url(get_id(virtual.get("url")) or get_id(virtual.get("href"))) if _is_virtual(virtual) else ""


def _coordinate(value, limit):
    """A latitude or longitude (a JSON number, not true or false) within ±limit, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    # Compared before any conversion: a JSON integer may have 400 digits (and 1e999 reads as infinity).
    return float(value) if -limit <= value <= limit else None


def _no_place():
    return {**{name: "" for name, _key, _limit in ADDRESS_FIELDS}, "place_name": "", "latitude": None,
            "longitude": None}


def _physical(location):
    """Address columns of a physical location, or None when it is none (online, empty, unreadable)."""
    place = _no_place()
    if isinstance(location, str):
        place["place_name"] = text_line(location, ADDRESS_MAX["place_name"])
    elif isinstance(location, dict) and not _is_virtual(location) and not _is_virtual(location.get("address")):
        place["place_name"] = text_line(location.get("name"), ADDRESS_MAX["place_name"])
        address = location.get("address")
        if isinstance(address, str):
            place["street"] = text_line(address, ADDRESS_MAX["street"])
        elif isinstance(address, dict):
            for name, key, limit in ADDRESS_FIELDS:
                place[name] = text_line(address.get(key), limit)
        # Legacy Mobilizon events put coordinates in `geo`, with latitude and longitude swapped:
        # Mobilizon ignores it, and so do we.
        lat, lon = _coordinate(location.get("latitude"), 90), _coordinate(location.get("longitude"), 180)
        if lat is not None and lon is not None:
            place.update(latitude=lat, longitude=lon)
    has_address = any(place[name] for name, _key, _limit in ADDRESS_FIELDS)
    if place["place_name"].casefold() in ONLINE_PLACE_NAMES and not has_address:
        return None
    return place if has_address or place["place_name"] or place["latitude"] is not None else None


def place_from_ap(document):
    """Address columns (place_name, street, …, latitude, longitude) of an Event's first physical
    location; empty ones when it has none."""
    for location in as_list(document.get("location")):
        place = None if _virtual_url(location) else _physical(location)
        if place is not None:
            return place
    return _no_place()


def online_from_ap(document):
    """(online address, [further online addresses as links]) of an Event: Mobilizon's Link named
    "Website" first, then its VirtualLocations, then other Link attachments (Gancio's)."""
    # A further VirtualLocation is a video call or stream ("visio", under the online address's
    # privacy rule); other links are the organiser's websites.
    website, virtual, other = [], [], []
    for location in as_list(document.get("location")):
        url = _virtual_url(location)
        if url:
            name = location.get("name") if isinstance(location, dict) else None
            virtual.append((url, text_line(name, LINK_LABEL_MAX), "visio"))
    for attachment in as_list(document.get("attachment")):
        if isinstance(attachment, dict) and attachment.get("type") == "Link":
            url = http_url(attachment.get("href"))
            if url:
                (website if attachment.get("name") == "Website" else other).append(
                    (url, text_line(attachment.get("name"), LINK_LABEL_MAX), "website"))
    addresses, seen = [], set()
    for url, label, kind in website + virtual + other:
        if url not in seen:
            seen.add(url)
            addresses.append({"type": kind, "url": url, "label": "" if label in (url, "Website") else label})
    return (addresses[0]["url"] if addresses else ""), addresses[1:]


def address_to_ap(place_id, fields, latitude=None, longitude=None):
    """A Place with its PostalAddress (Mobilizon's shape) from address columns (PLACE_FIELDS, any of
    them; the place's name falls back on its town)."""
    place = {"type": "Place", "id": place_id, "name": fields.get("place_name") or fields.get("locality"),
             "address": {"type": "PostalAddress",
                         **{key: fields.get(name) for name, key, _limit in ADDRESS_FIELDS}}}
    if latitude is not None and longitude is not None:
        place.update(latitude=latitude, longitude=longitude)
    return place


def media_type(name):
    """The media type of a stored picture, by its name's extension."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}.get(extension,
                                                                                                  "image/jpeg")
