"""iCalendar documents built with the icalendar library: one VEVENT per event, with VTIMEZONEs."""
import hashlib
import re
from datetime import timedelta

from icalendar import Calendar, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from ..text import clean_text, html_to_text
from ..version import __version__
from .vtimezone import FIRST_YEAR, vtimezone

PRODID = f"-//mobilizon_lite//mobilizon_lite {__version__}//EN"
REFRESH = timedelta(hours=1)
END = b"END:VCALENDAR\r\n"
TZID_RE = re.compile(rb";TZID=([^:;\r\n]+)")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def event_uid(event):
    """A stable, globally unique UID: the event's uuid at its host (for an event of another server,
    the uuid in its address there, as that server names it when it runs this software)."""
    host, _slash, path = event.ap_id.split("//", 1)[-1].partition("/")
    if event.is_local:
        return f"{event.uuid}@{host}"
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if not UUID_RE.fullmatch(name):
        name = hashlib.sha256(event.ap_id.encode()).hexdigest()[:32]
    return f"{name}@{host}"


def vevent(event, url, pending=False, online=False):
    """The VEVENT of one event; pending marks a participation still awaiting approval, online
    that the feed's reader may see the event's online address."""
    component = VEvent()
    zone = event.zone
    component.add("uid", event_uid(event))
    component.add("dtstamp", event.updated_at)
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    component.add("sequence", event.sequence)
    component.add("dtstart", event.begins_on.astimezone(zone))
    if event.ends_on:
        component.add("dtend", event.ends_on.astimezone(zone))
    component.add("summary", clean_text(event.title))
    online_url = clean_text(event.online_url) if online else ""
    # The event's page stays last: calendar apps show it, and the URL property holds it too.
    description = clean_text(html_to_text(event.description), multiline=True)
    component.add("description", "\n\n".join(part for part in (description, online_url, url) if part))
    component.add("url", url)
    location = clean_text(event.address_line) or online_url
    if location:
        component.add("location", location)
    if event.has_coordinates:
        component.add("geo", (event.latitude, event.longitude))
    organizer = vCalAddress(event.organizer.ap_id)
    organizer.params["cn"] = vText(clean_text(event.organizer.display_name))
    component.add("organizer", organizer)
    if event.tags:
        component.add("categories", [clean_text(tag) for tag in event.tags])
    status = event.ical_status
    component.add("status", "TENTATIVE" if pending and status == "CONFIRMED" else status)
    return component


def _piece(pieces, key, build, *args, **kwargs):
    """Serialised component from the cache of pieces, made by build(*args, **kwargs) on a miss."""
    data = pieces.get(key) if pieces is not None else None
    if data is None:
        data = build(*args, **kwargs).to_ical()
        if pieces is not None:
            pieces.put(key, data)
    return data


def calendar(name, items, pieces=None):
    """The text/calendar bytes of a feed; items are (event, url, pending, online) tuples (see vevent).

    Each VEVENT and VTIMEZONE is serialised by icalendar once and kept in `pieces` (keyed by what
    it shows), so one edited event re-renders one component, not the whole feed.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # icalendar writes these as they are: a newline (from a display name) would break the file.
    cal.add("x-wr-calname", clean_text(name))
    cal.add("name", clean_text(name))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    events, zones, years = [], set(), set()
    for event, url, pending, online in items:
        key = ("vevent", event.id, event.updated_at, event.organizer.updated_at, pending, online, url)
        piece = _piece(pieces, key, vevent, event, url, pending, online)
        events.append(piece)
        # The zones icalendar named (UTC itself is written as Z and needs no VTIMEZONE).
        zones.update(tzid.decode() for tzid in TZID_RE.findall(piece))
        years.update((event.begins_on.year, (event.ends_on or event.begins_on).year))
    timezones = []
    if years:
        first, last = max(1, min(FIRST_YEAR, min(years) - 1)), min(9998, max(years) + 1)
        for tzid in sorted(zones):
            try:
                timezones.append(_piece(pieces, ("vtimezone", tzid, first, last), vtimezone, tzid, first, last))
            except (ValueError, OSError):
                continue  # a zone file this machine cannot read: calendar apps fall back on the TZID
    head = cal.to_ical()
    return head[:-len(END)] + b"".join(timezones) + b"".join(events) + END
