"""The events a web page states for search engines and readers: schema.org `Event` JSON-LD and `h-event`
microformats, each rewritten as an ActivityStreams Event document, so that the one reader of other
servers' events (activitypub.convert.event) checks and bounds them as it does federated ones."""
import html as html_lib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

from flask_babel import gettext as _

from ..activitypub.convert.address import http_url
from ..models.limits import TAGS_MAX, URL_MAX
from .errors import Invalid

# Longest text read from one value before the event reader's own limits judge it.
TEXT_MAX = 40_000
# JSON-LD blocks read from one page, and nodes visited in all of them: a page of 2 MB holds no more real ones.
BLOCKS_MAX = 50
NODES_MAX = 100_000
LOCATIONS_MAX = 5
SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")
# schema.org's Event types whose names do not end in "Event".
OTHER_EVENT_TYPES = frozenset({"Festival", "Hackathon", "EventSeries", "CourseInstance"})
ADDRESS_KEYS = ("streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry")
# An h-card's or h-adr's properties, as schema.org's PostalAddress names them.
MF2_ADDRESS = {"street-address": "streetAddress", "postal-code": "postalCode", "locality": "addressLocality",
               "region": "addressRegion", "country-name": "addressCountry"}


@dataclass
class Found:
    """One event of a page: its UID (its own @id, u-uid or url, else the page's address), the Event
    document, when it was last changed (None when the page does not say) and notes for the preview."""

    uid: str
    document: dict
    modified: datetime | None = None
    notes: list = field(default_factory=list)


class _Scripts(HTMLParser):
    """The text of a page's <script type="application/ld+json"> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self._open = [], None

    def handle_starttag(self, tag, attrs):
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json" and len(self.blocks) < BLOCKS_MAX:
            self._open = []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.blocks.append("".join(self._open))
            self._open = None


def events_in_page(text, page_url, zone, limit):
    """The Found events of an HTML page at page_url (JSON-LD first, then h-events not already found), at
    most limit + 1 of them; times without an offset are read in zone (a ZoneInfo)."""
    parser = _Scripts()
    parser.feed(text)
    parser.close()
    nodes = []
    for block in parser.blocks:
        try:
            nodes.append(json.loads(block, parse_constant=lambda name: None))
        # A broken block (or one nested past the parser's depth) is left aside: the others may hold events.
        except (ValueError, RecursionError):
            continue
    found = [_from_schema(node, page_url, zone) for node in schema_events(nodes, limit + 1)]
    if len(found) <= limit and "h-event" in text:
        seen = {key for event in found for key in _keys(event)}
        for event in h_events(text, page_url, zone, limit + 1 - len(found)):
            if not seen & set(_keys(event)):
                found.append(event)
    return _unique_uids(found, page_url)


def events_in_json(value, page_url, zone, limit):
    """The Found events of JSON-LD served on its own (application/ld+json that is no ActivityStreams)."""
    return _unique_uids([_from_schema(node, page_url, zone) for node in schema_events([value], limit + 1)], page_url)


def _keys(event):
    """What tells one event from another across a page's JSON-LD and microformats: its UID when it
    has its own, its name at its start."""
    document = event.document
    return [event.uid, (str(document.get("name", "")).casefold(), document.get("startTime"))]


def _unique_uids(found, page_url):
    """Events without a UID of their own share the page's address: past the first, each gets its place."""
    seen = set()
    for number, event in enumerate(found, start=1):
        if event.uid in seen:
            event.uid = f"{page_url}#event-{number}"[:URL_MAX]
        seen.add(event.uid)
        event.document["id"] = event.uid
    return found


# schema.org JSON-LD ---------------------------------------------------------------------------------

def _types(node):
    names = node.get("@type")
    names = names if isinstance(names, list) else [names]
    short = []
    for name in names[:10]:
        if isinstance(name, str):
            for prefix in SCHEMA_PREFIXES:
                name = name.removeprefix(prefix)
            short.append(name)
    return short


def _is_event(node):
    return any(name.endswith("Event") or name in OTHER_EVENT_TYPES for name in _types(node))


def schema_events(values, limit):
    """The schema.org Event nodes in parsed JSON-LD (top-level lists, @graph, events nested in other
    nodes such as an ItemList or a Place's `event`), in document order, at most limit."""
    found, queue, visited = [], list(reversed(values)), 0
    while queue and len(found) < limit and visited < NODES_MAX:
        node = queue.pop()
        visited += 1
        if isinstance(node, list):
            queue.extend(reversed(node))
        elif isinstance(node, dict):
            if _is_event(node):
                found.append(node)
            else:
                queue.extend(reversed([value for value in node.values() if isinstance(value, (dict, list))]))
    return found


def _string(value, limit=TEXT_MAX):
    """A text value of JSON-LD (a string, the first of a list, a {"@value": …}, a named node's name, a
    reference's {"@id": …}), entities decoded."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, (str, dict))), "")
    if isinstance(value, dict):
        value = next((value[key] for key in ("@value", "name", "@id") if isinstance(value.get(key), str)), "")
    return html_lib.unescape(value[:limit]).strip() if isinstance(value, str) else ""


def _moment(value, zone, start=None):
    """(aware datetime, whole day) of an ISO 8601 date or date-time; without an offset, in start's zone
    (an end) or zone. (None, False) when it is not one."""
    text = _string(value, 64)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=start.tzinfo if start is not None else zone)
    return moment, len(text) == 10


def times(start_value, end_value, zone):
    """startTime, endTime (ISO 8601 with offsets, None when absent) and the zone's name when the page
    gave no offset (a whole day is one in zone, its last day included)."""
    start, whole_day = _moment(start_value, zone)
    if start is None:
        return None, None, None
    end, end_whole_day = _moment(end_value, zone, start)
    if whole_day:
        end = end + timedelta(days=1) if end is not None and end_whole_day else start + timedelta(days=1)
    named = getattr(start.tzinfo, "key", None)
    try:
        return start.isoformat(), end.isoformat() if end is not None else None, named
    except (OverflowError, ValueError):
        return None, None, None


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _schema_address(value):
    if isinstance(value, str):
        return html_lib.unescape(value[:TEXT_MAX])
    if not isinstance(value, dict):
        return None
    return {"type": "PostalAddress", **{key: _string(value.get(key), 1000) for key in ADDRESS_KEYS}}


def _schema_location(value):
    """Locations as the event reader takes them: strings, Places with a PostalAddress, VirtualLocations."""
    locations = []
    for item in (value if isinstance(value, list) else [value])[:LOCATIONS_MAX]:
        if isinstance(item, str):
            locations.append(html_lib.unescape(item[:1000]))
        elif isinstance(item, dict) and "VirtualLocation" in _types(item):
            locations.append({"type": "VirtualLocation", "url": _string(item.get("url"), URL_MAX + 1)})
        elif isinstance(item, dict) and "PostalAddress" in _types(item):
            locations.append({"type": "Place", "address": _schema_address(item)})
        elif isinstance(item, dict):
            geo = item.get("geo") if isinstance(item.get("geo"), dict) else item
            locations.append({"type": "Place", "name": _string(item.get("name"), 1000),
                              "address": _schema_address(item.get("address")),
                              "latitude": _number(geo.get("latitude")), "longitude": _number(geo.get("longitude"))})
    return locations


def _schema_status(node):
    status = _string(node.get("eventStatus"), 100)
    if status.endswith("EventCancelled"):
        return "CANCELLED"
    return "TENTATIVE" if status.endswith("EventPostponed") else "CONFIRMED"


def _keywords(value):
    names = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [{"type": "Hashtag", "name": f"#{_string(name, 200)}"} for name in names[:TAGS_MAX * 2]
            if _string(name, 200)]


def _offers(value, page_url):
    """Tickets links of the offers (The Events Calendar names the event's own page: left out)."""
    urls = [http_url(_string(offer.get("url"), URL_MAX + 1))
            for offer in (value if isinstance(value, list) else [value])[:LOCATIONS_MAX] if isinstance(offer, dict)]
    # propertyID as the event reader reads Mobilizon's metadata keys.
    return [{"type": "PropertyValue", "propertyID": "mz:ticket:external_url", "name": "", "value": url}
            for url in dict.fromkeys(urls) if url and url != page_url]


def description_html(text):
    """A page's description as HTML: HTML as it is (the reader sanitises it), plain text in paragraphs."""
    if "<" in text and ">" in text:
        return text
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return "".join("<p>" + "<br>".join(html_lib.escape(line.strip()) for line in part.split("\n")) + "</p>"
                   for part in paragraphs)


def _from_schema(node, page_url, zone):
    start, end, named = times(node.get("startDate"), node.get("endDate"), zone)
    own_url = http_url(urljoin(page_url, _string(node.get("url"), URL_MAX + 1))) if node.get("url") else ""
    own_id = http_url(urljoin(page_url, _string(node.get("@id"), URL_MAX + 1))) if node.get("@id") else ""
    locations = _schema_location(node.get("location"))
    if _string(node.get("eventAttendanceMode"), 100).endswith("OnlineEventAttendanceMode"):
        # Only online: a Place given too is the organiser's address, not where people go.
        locations = [item for item in locations if isinstance(item, dict) and item["type"] == "VirtualLocation"]
    document = {
        "type": "Event", "name": _string(node.get("name"), 1000), "startTime": start, "endTime": end,
        "timezone": named, "content": description_html(_string(node.get("description"))),
        "location": locations, "tag": _keywords(node.get("keywords")), "status": _schema_status(node),
        "url": own_url or page_url, "attachment": _offers(node.get("offers"), own_url or page_url),
    }
    found = Found(own_id or own_url or page_url, document, _modified(_string(node.get("dateModified"), 64)))
    _note_picture(found, node.get("image"))
    if document["status"] == "TENTATIVE":
        found.notes.append(_("The page says the event is postponed: it is imported as tentative."))
    return found


def _modified(text):
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def picture_note():
    """What the preview says of an event's picture: pictures are not fetched from elsewhere."""
    return _("Its picture is not imported: add one from the event's edit page.")


def _note_picture(found, image):
    if image:
        found.notes.append(picture_note())


# h-event microformats ---------------------------------------------------------------------------------

def h_events(text, page_url, zone, limit):
    """The Found events of a page's h-event microformats (top-level or nested), at most limit."""
    import mf2py

    # The standard library's parser: html5lib would spend seconds more on a large page for the same items.
    try:
        parsed = mf2py.parse(doc=text, url=page_url, html_parser="html.parser")
    except RecursionError:
        # mf2py walks the elements recursively: thousands of nested ones exhaust the stack.
        raise Invalid(_("This page's elements are nested too deeply to be read."), "link") from None
    found, queue, visited = [], list(reversed(parsed.get("items", []))), 0
    while queue and len(found) < limit and visited < NODES_MAX:
        item = queue.pop()
        visited += 1
        if not isinstance(item, dict):
            continue
        if "h-event" in item.get("type", []):
            found.append(_from_mf2(item, page_url, zone))
            continue
        queue.extend(reversed(item.get("children", [])))
        for values in item.get("properties", {}).values():
            queue.extend(reversed([value for value in values if isinstance(value, dict) and "type" in value]))
    return found


def _first(properties, name, limit=TEXT_MAX):
    """The first value of a property: its text (an embedded item's or HTML's "value")."""
    values = properties.get(name) or [""]
    value = values[0]
    if isinstance(value, dict):
        value = value.get("value", "")
    return value[:limit].strip() if isinstance(value, str) else ""


def _mf2_location(value):
    if isinstance(value, str):
        return [value[:1000]]
    if not isinstance(value, dict):
        return []
    properties = value.get("properties", {})
    # An h-card's address and coordinates may be in an embedded h-adr and h-geo.
    merged = {}
    for name in ("adr", "geo"):
        embedded = (properties.get(name) or [None])[0]
        if isinstance(embedded, dict):
            merged.update(embedded.get("properties", {}))
    merged.update(properties)
    address = {"type": "PostalAddress", **{key: _first(merged, name, 1000) for name, key in MF2_ADDRESS.items()}}
    # An h-card's or h-adr's name (Gancio's place): with an address given, mf2 implies none.
    latitude, longitude = _number(_first(merged, "latitude", 40)), _number(_first(merged, "longitude", 40))
    return [{"type": "Place", "name": _first(properties, "name", 1000), "address": address, "latitude": latitude,
             "longitude": longitude}]


def _from_mf2(item, page_url, zone):
    properties = item.get("properties", {})
    start, end, named = times(_first(properties, "start", 64), _first(properties, "end", 64), zone)
    content = (properties.get("content") or [None])[0]
    if isinstance(content, dict) and isinstance(content.get("html"), str):
        description = content["html"][:TEXT_MAX]
    else:
        description = description_html(_first(properties, "summary") or _first(properties, "description"))
    url = http_url(_first(properties, "url", URL_MAX + 1))
    categories = [value for value in properties.get("category", [])[:TAGS_MAX * 2] if isinstance(value, str)]
    document = {
        "type": "Event", "name": _first(properties, "name", 1000), "startTime": start, "endTime": end,
        "timezone": named, "content": description,
        "location": _mf2_location((properties.get("location") or [None])[0]),
        "tag": _keywords(categories), "status": "CONFIRMED",
        "url": url or page_url,
    }
    found = Found(http_url(_first(properties, "uid", URL_MAX + 1)) or url or page_url, document,
                  _modified(_first(properties, "updated", 64)))
    _note_picture(found, properties.get("photo"))
    return found
