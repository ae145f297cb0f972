"""iCalendar documents: one VEVENT per event, with VTIMEZONEs, written line by line (contentline)."""
import hashlib
import re
from datetime import date, datetime
from functools import lru_cache

from ..activitypub.audience import speaker
from ..services import occurrence_changes, occurrences
from ..text import clean_text, html_to_text
from ..version import __version__
from . import tzdb
from .contentline import component, line, moment, parameter, text, uri, utc
from .vtimezone import FIRST_YEAR, vtimezone

PRODID = f"-//mobilizon_lite//mobilizon_lite {__version__}//EN"
REFRESH = "PT1H"  # how often calendar apps should read the feed again
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


@lru_cache(maxsize=1024)
def writes_as_utc(key):
    """Whether a zone's times are written in UTC (with Z, and no VTIMEZONE): it has kept UTC's offset
    since 1970 (Africa/Abidjan and its links, Etc/GMT, UTC…), as icalendar judges zones too."""
    try:
        zone = tzdb.load(key)
    except (ValueError, OSError):
        return False
    current = zone.initial
    for onset in zone.onsets:
        if tzdb.instant(onset).total_seconds() < 0:
            current = onset.after
        elif onset.after.offset:
            return False
    return not zone.rules and current.offset == 0


def _local_value(when, zone):
    """(value, parameters) of a time in the event's zone: with its TZID, or in UTC."""
    if writes_as_utc(zone.key):
        return moment(when.astimezone(zone)) + "Z", ""
    return moment(when.astimezone(zone)), ";TZID=" + zone.key


def _local(name, when, zone):
    """A DTSTART or DTEND in the event's zone: with its TZID, or in UTC."""
    return line(name, *_local_value(when, zone))


def vevent(event, url, pending=False, online=False, override=None, dates=None):
    """The VEVENT of one event (bytes); pending marks a participation still awaiting approval, online
    that the feed's reader may see the event's online address; dates (RECURRENCE-IDs) the only dates of a
    series its reader takes part in: the first as its start, each as an RDATE, no RRULE. With override
    (one changed or cancelled date of the series), that date's VEVENT: the series' UID and fields, its
    RECURRENCE-ID (the date's original local start, as calendar apps expect), its own times, place, note
    and status."""
    zone = event.zone
    online_url = clean_text(event.online_url) if online else ""
    # The event's page stays last: calendar apps show it, and the URL property holds it too.
    description = [clean_text(html_to_text(event.description), multiline=True), online_url, url]
    location = clean_text(event.address_line) or online_url
    status = event.ical_status
    # A series is one VEVENT from its first date, its RRULE giving the others.
    begins_on, ends_on = event.first_span
    repeats, geo = event.repeats, event.has_coordinates
    if repeats and dates and override is None:
        repeats = False
        begins_on, ends_on = occurrences.date_span(event, dates[0])
    if override is not None:
        repeats = False
        begins_on, ends_on = occurrences.override_span(event, override)
        description.insert(0, override.description)
        # Calendar apps take the instance as written: the series' place, unless the date has its own.
        own_place = ", ".join(part for part in (override.place_name, override.address) if part)
        location, geo = (own_place, False) if own_place else (location, geo)
        status = "CANCELLED" if override.cancelled else status
    lines = [line("SUMMARY", text(clean_text(event.title))), _local("DTSTART", begins_on, zone)]
    if ends_on:
        lines.append(_local("DTEND", ends_on, zone))
    lines += [line("DTSTAMP", utc(event.updated_at)), line("UID", text(event_uid(event)))]
    if override is not None:
        lines.append(line("RECURRENCE-ID", *_local_value(occurrences.date_span(event, override.recurrence_id)[0],
                                                         zone)))
    lines.append(line("SEQUENCE", str(instance_sequence(event, override))))
    # The other properties in alphabetical order, as icalendar writes them.
    if event.tags:
        lines.append(line("CATEGORIES", ",".join(text(clean_text(tag)) for tag in event.tags)))
    lines += [
        line("CREATED", utc(event.created_at)),
        line("DESCRIPTION", text("\n\n".join(part for part in description if part))),
    ]
    if repeats:
        # One date a line: ical.js and vobject read only the first value of a multi-valued one.
        start = begins_on.astimezone(zone)
        lines += [_local("EXDATE", datetime.combine(date.fromisoformat(day), start.time(), zone), zone)
                  for day in event.exdates]
    if geo:
        lines.append(line("GEO", f"{float(event.latitude)};{float(event.longitude)}"))
    lines.append(line("LAST-MODIFIED", utc(event.updated_at)))
    if location:
        lines.append(line("LOCATION", text(location)))
    # A group's event names the group, as Mobilizon's feeds do (the group may hide which member created it).
    organizer = speaker(event)
    lines += [
        line("ORGANIZER", uri(organizer.ap_id), ";CN=" + parameter(clean_text(organizer.display_name), " '")),
    ]
    if event.repeats and dates and override is None:
        # One date a line, as EXDATEs are; the first (the start) too: ical.js's iterator skips the start
        # of a VEVENT with RDATEs and no RRULE, the others count it once.
        lines += [_local("RDATE", date_start, zone) for date_start in dates]
    if repeats:
        lines.append(line("RRULE", event.rrule))
    lines += [
        line("STATUS", "TENTATIVE" if pending and status == "CONFIRMED" else status),
        line("URL", uri(url)),
    ]
    return component("VEVENT", lines)


def instance_sequence(event, override=None):
    """The SEQUENCE of the event's VEVENT, or of one changed date's: above the series' own, as calendar
    apps keep the highest sequence of an instance."""
    return event.sequence + (override.sequence if override is not None else 0)


def _dates(event, url, pending, online, overrides):
    """The VEVENTs of the series' changed and cancelled dates (bytes, one after the other)."""
    return b"".join(vevent(event, url, pending, online, override) for override in overrides)


def _piece(pieces, key, build, *args, **kwargs):
    """Written component from the cache of pieces, made by build(*args, **kwargs) on a miss."""
    data = pieces.get(key) if pieces is not None else None
    if data is None:
        data = build(*args, **kwargs)
        if pieces is not None:
            pieces.put(key, data)
    return data


def calendar(name, items, pieces=None):
    """The text/calendar bytes of a feed; items are (event, url, pending, online) tuples, or (event, url,
    pending, online, dates) (see vevent).

    Each VEVENT and VTIMEZONE is written once and kept in `pieces` (keyed by what it shows), so one
    edited event re-writes one component, not the whole feed.
    """
    # icalendar wrote the calendar's name unescaped, and readers know it so (clean_text keeps it one line).
    name = clean_text(name)
    head = [line("VERSION", "2.0"), line("PRODID", text(PRODID)), line("CALSCALE", "GREGORIAN"),
            line("METHOD", "PUBLISH"), line("NAME", name), line("X-WR-CALNAME", name),
            line("REFRESH-INTERVAL", REFRESH, ";VALUE=DURATION"), line("X-PUBLISHED-TTL", REFRESH)]
    events, zones, years, missing = [], set(), set(), {}
    for event, url, pending, online, *joined in items:
        dates = joined[0] if joined else None
        key = ("vevent", event.id, event.updated_at, speaker(event).updated_at, pending, online, url, dates)
        events.append(_piece(pieces, key, vevent, event, url, pending, online, dates=dates))
        if event.repeats:
            # A series' update time moves with each of its dates' changes: its dates are kept under it.
            dates_key = ("dates",) + key[1:]
            found = pieces.get(dates_key) if pieces is not None else None
            if found is None:
                missing[len(events)] = (dates_key, event, url, pending, online, dates)
                found = b""
            events.append(found)
        zone = event.zone.key
        if not writes_as_utc(zone):
            zones.add(zone)
        begins_on, ends_on = event.first_span
        years.update((begins_on.year, (ends_on or begins_on).year))
    # The dates of every series not kept yet, read in one query.
    overrides = occurrence_changes.overrides_by_event([event.id for _key, event, *_rest in missing.values()])
    for index, (dates_key, event, url, pending, online, dates) in missing.items():
        # A reader of some dates only gets the changes of those.
        kept = [override for override in overrides.get(event.id, []) if not dates or override.recurrence_id in dates]
        events[index] = _piece(pieces, dates_key, _dates, event, url, pending, online, kept)
    timezones = []
    if years:
        first, last = max(1, min(FIRST_YEAR, min(years) - 1)), min(9998, max(years) + 1)
        for tzid in sorted(zones):
            try:
                timezones.append(_piece(pieces, ("vtimezone", tzid, first, last), vtimezone, tzid, first, last))
            except (ValueError, OSError):
                continue  # a zone file this machine cannot read: calendar apps fall back on the TZID
    return component("VCALENDAR", head + timezones + events)
