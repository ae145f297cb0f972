"""Importing events from a link: an ActivityPub Event (Mobilizon, Gancio, this software…) fetched as the
search box fetches one, or a web page's schema.org Event JSON-LD or h-events. Each is read by the one
reader of other servers' events, then becomes an ics_import.Item (the event form's data, its UID), for
calendar_import's preview and its create-or-update by UID."""
import html as html_lib
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..activitypub import client
from ..activitypub.convert.address import http_url
from ..activitypub.convert.event import event_from_ap
from ..activitypub.parse import ParseError, load_json
from ..activitypub.vocab import AP_MEDIA_TYPE, AP_MEDIA_TYPES, LD_MEDIA_TYPE, as_list
from ..dates import YEARS, parse_utc
from ..db import utcnow
from ..models.events import CATEGORIES, JoinMode
from ..models.limits import LINKS_MAX, URL_MAX
from ..urls import host_of, is_ours
from . import ics_import, page_events
from .actors import allowed_networks, signed_get, signing
from .errors import Invalid
from .event_input import LANGUAGES, clean_event_input
from .remote_events import is_event

PAGE_MAX = 2 * 1024 * 1024
# Events previewed from one page: a venue's agenda page lists a season, not years.
EVENTS_MAX = 50
ACTIVITY, PAGE, JSON_LD = "activity", "page", "json-ld"
PAGE_TYPES = ("text/html", "application/xhtml+xml")
# An ActivityPub server sends its document; a website its page.
ACCEPT = f"{AP_MEDIA_TYPE}, {LD_MEDIA_TYPE}, text/html;q=0.8, application/xhtml+xml;q=0.8"


@dataclass
class Fetched:
    """What a link gave: the address it ended at, the kind of document (ACTIVITY, PAGE or JSON_LD) and
    its bytes (kept as they came, for the preview and its confirmation to read alike)."""

    url: str
    kind: str
    body: bytes


def fetch(url):
    """The document at url, fetched once through the safe client (its address rules, PAGE_MAX, a time
    limit), signed by the instance actor as the search box's look-ups are; Invalid with a clear message."""
    if is_ours(url):
        raise Invalid(_("This link leads to this instance: its events are here already."), "link")
    try:
        client.check_url(url)
        response = client.request("GET", url, headers={"Accept": ACCEPT}, allowed=allowed_networks(),
                                  sign=signing(), deadline_seconds=ics_import.FETCH_SECONDS, limit=PAGE_MAX)
    except client.RequestError as error:
        raise Invalid(_("The link could not be fetched: %(reason)s.", reason=str(error)), "link") from None
    if response.status != 200:
        raise Invalid(_("The link could not be fetched: the server answered %(status)d.",
                        status=response.status), "link")
    if is_ours(response.url):
        raise Invalid(_("This link leads to this instance: its events are here already."), "link")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type in AP_MEDIA_TYPES:
        try:
            document = load_json(response.body)
        except ParseError:
            raise Invalid(_("The link's document is not readable JSON."), "link") from None
        if (not document.get("type") and "@type" in document) or "@graph" in document:
            return Fetched(response.url, JSON_LD, response.body)
        try:
            if is_event(document) and document["id"] != response.url and host_of(document["id"]) == host_of(
                    response.url) and not is_ours(document["id"]):
                # A link with a query, or an alias of the event (its page's address): the event at its own id.
                document = signed_get(document["id"])
                return Fetched(document["id"], ACTIVITY, json.dumps(document).encode())
            client.activity_document(response)
        except client.RequestError as error:
            raise Invalid(_("The link could not be fetched: %(reason)s.", reason=str(error)), "link") from None
        return Fetched(response.url, ACTIVITY, response.body)
    if content_type in PAGE_TYPES or not content_type:
        return Fetched(response.url, PAGE, response.body)
    raise Invalid(_("This link leads to neither an event nor a web page (%(type)s).", type=content_type[:60]), "link")


def events_of(fetched, default_zone):
    """The page_events.Found of the fetched document: its Event, or each event of a page (at most
    EVENTS_MAX; times without an offset in default_zone); Invalid when it holds none, or too many."""
    zone = ZoneInfo(default_zone)
    if fetched.kind == ACTIVITY:
        document = load_json(fetched.body)
        if not is_event(document):
            raise Invalid(_("This link leads to an ActivityPub %(type)s, not to an event.",
                            type=str(document.get("type"))[:40]), "link")
        found = [page_events.Found(document["id"], document, parse_utc(document.get("updated")))]
        if isinstance(document.get("repetition"), dict):
            found[0].notes.append(_("Imported as a single event: %(reason)s",
                                    reason=_("its repetition is not read from a link.")))
        if document.get("image") or any(isinstance(item, dict) and item.get("type") in ("Document", "Image")
                                        for item in as_list(document.get("attachment"))):
            found[0].notes.append(page_events.picture_note())
    elif fetched.kind == JSON_LD:
        found = page_events.events_in_json(load_json(fetched.body), fetched.url, zone, EVENTS_MAX)
    else:
        found = page_events.events_in_page(page_text(fetched.body), fetched.url, zone, EVENTS_MAX)
    if not found:
        raise Invalid(_("This page holds no event: neither schema.org Event data (JSON-LD) nor h-event "
                        "microformats."), "link")
    if len(found) > EVENTS_MAX:
        raise Invalid(_("This page holds more than %(max)d events: at most %(max)d can be imported from one "
                        "page.", max=EVENTS_MAX), "link")
    return found


def page_text(body):
    """A page's text: UTF-8, else (the one other encoding still common) Windows-1252."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def keep(found):
    """The events read from a link as bytes to hold for the preview and its confirmation, which read
    them back with kept() instead of fetching and parsing the page again."""
    return json.dumps([{"uid": event.uid, "document": event.document, "notes": event.notes,
                        "modified": event.modified.isoformat() if event.modified else None}
                       for event in found], ensure_ascii=False).encode()


def kept(data):
    """The events keep() held."""
    return [page_events.Found(event["uid"], event["document"],
                              datetime.fromisoformat(event["modified"]) if event["modified"] else None,
                              event["notes"]) for event in json.loads(data)]


def items(found, default_zone):
    """The ics_import.Item of each event found, checked as the event form checks it, for calendar_import."""
    zone = ZoneInfo(default_zone)
    return [_item(event, zone) for event in found]


def _item(found, default_zone):
    # Without a date of change from the source, each import is taken as the latest: importing again updates.
    item = ics_import.Item(uid=found.uid[:URL_MAX], modified=found.modified or utcnow(), notes=found.notes)
    try:
        if len(found.uid) > URL_MAX:
            raise Invalid(_("The event's UID is longer than %(max)d characters.", max=URL_MAX))
        try:
            columns = event_from_ap(found.document, CATEGORIES, LANGUAGES)
        except ParseError:
            raise Invalid(_("The event needs a name, and a start date between the years %(first)d and %(last)d.",
                            first=YEARS[0], last=YEARS[1])) from None
        item.title = columns["title"]
        item.data = form_data(columns, found.document, default_zone)
        item.values = clean_event_input(item.data)
    except Invalid as error:
        item.problem = error.message
    return item


def zone_of(columns, default_zone):
    """The event's zone: its own; for a bare offset (Gancio and web pages name no zone), the instance's
    zone when it has that offset then (so the event follows its clock changes), else the offset."""
    zone = ZoneInfo(columns["timezone"])
    begins_on = columns["begins_on"]
    if (columns["timezone"] == "UTC" or columns["timezone"].startswith("Etc/")) and (
            begins_on.astimezone(default_zone).utcoffset() == begins_on.astimezone(zone).utcoffset()):
        return default_zone
    return zone


def form_data(columns, document, default_zone):
    """The event form's data of an event read from elsewhere (columns of event_from_ap): its times in its
    zone, its place, online address, links (its page first), tags and text."""
    zone = zone_of(columns, default_zone)
    start = columns["begins_on"].astimezone(zone)
    data = {
        "title": columns["title"],
        "description": description_source(columns["description"]),
        "timezone": zone.key,
        "start_date": start.date(), "start_time": start.time(), "start_fold": start.fold,
        "status": columns["status"],
        "online_url": columns["online_url"],
        "links": _links(columns, document),
        "tags": ", ".join(columns["tags"]),
        "category": columns["category"], "language": columns["language"],
        **{name: columns[name] for name in ("place_name", "street", "postal_code", "locality", "region",
                                            "country", "latitude", "longitude")},
    }
    if columns["join_mode"] == JoinMode.EXTERNAL and columns["external_participation_url"]:
        data.update(join_mode=JoinMode.EXTERNAL, external_participation_url=columns["external_participation_url"])
    if columns["ends_on"] is not None:
        end = columns["ends_on"].astimezone(zone)
        data.update(end_date=end.date(), end_time=end.time(), end_fold=end.fold)
    return data


def description_source(html):
    """The event form's Markdown for a sanitised HTML description: the HTML itself (Markdown keeps it),
    lines unindented so that none reads as code; text without tags as the plain text it is."""
    if "<" not in html:
        text = "\n".join(line.strip() for line in html_lib.unescape(html).split("\n"))
        return ics_import.plain_to_markdown(text)
    return "\n".join(line.strip() for line in html.split("\n")).strip()


def _links(columns, document):
    """The event's links, its own page first (its `url`: Gancio's event page, the address of a page's
    event) when it is not among them."""
    links = list(columns["links"])
    page = next((http_url(value.get("href") if isinstance(value, dict) else value)
                 for value in as_list(document.get("url")) + [document["id"]]
                 if http_url(value.get("href") if isinstance(value, dict) else value)), "")
    if page and page not in {link["url"] for link in links} and page != columns["online_url"]:
        links.insert(0, {"type": "website", "url": page, "label": ""})
    return links[:LINKS_MAX]
