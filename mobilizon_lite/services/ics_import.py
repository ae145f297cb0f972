"""Reading an outside calendar (.ics bytes, from a file or a URL) into checked event inputs: the form's
data for each VEVENT, or why it cannot be imported. Nothing is written here (see calendar_import), so a
scheduled subscription can read its feed the same way."""
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from ..activitypub import client
from ..models import Event
from ..models.limits import ADDRESS_MAX, TAGS_MAX, URL_MAX, VALIDATOR_MAX
from ..text import text_line
from . import places, recurrence
from .errors import Invalid, InvalidFields
from .event_input import all_timezones, clean_event_input, clean_tags

FILE_MAX = 2 * 1024 * 1024
EVENTS_MAX = 500
FETCH_SECONDS = 20
# The form's checks of a repetition walk its dates (up to recurrence.DATES_MAX each): 500 series begun
# long ago take tens of seconds, so reading a calendar stops at this time, as a refusal.
READ_SECONDS = 15
# Longest text read from one property before the form's own limits judge it: a 2 MB SUMMARY costs no parsing.
PROPERTY_MAX = 40_000
REPEAT_FIELDS = {"repeat", "repeat_interval", "repeat_weekdays", "repeat_monthly", "repeat_ends", "repeat_until",
                 "repeat_count", "repeat_exdates"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!>|~])")
_HEADER_TEXT = re.compile(r"[\x20-\x7e]+")
_POSTAL = re.compile(r"^(\d{4,6}|[A-Z]{1,2}\d[\dA-Z]? ?\d[A-Z]{2})\s+(.+)$")


@dataclass
class Item:
    """One VEVENT read: data for the event form (or problem, why it is skipped), the UID, SEQUENCE and
    LAST-MODIFIED that decide whether it changes an earlier import, notes for the preview, and values
    (the event columns the form's checks gave) for showing it."""

    uid: str
    sequence: int = 0
    modified: datetime | None = None
    data: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    problem: str = ""
    title: str = ""

    def event(self):
        """An unsaved Event of the values, for showing it as events are shown (its first date)."""
        return Event(**self.values, series_begins_on=self.values["begins_on"], series_ends_on=self.values["ends_on"])


class Fetched(NamedTuple):
    """A calendar's address fetched: its bytes (None when not modified since the validators sent), and
    the validators (ETag, Last-Modified) to send next time ("" when the server gave none usable)."""

    body: bytes | None
    etag: str = ""
    last_modified: str = ""


def _validator(value):
    # Sent back as a header: anything but short printable ASCII is not kept.
    value = (value or "").strip()
    return value if len(value) <= VALIDATOR_MAX and _HEADER_TEXT.fullmatch(value) else ""


def fetch(url, etag="", last_modified=""):
    """The calendar at url (Fetched), through the safe client (its address rules, FILE_MAX and a time
    limit), asked only if changed since etag or last_modified when given; Invalid with a clear message
    when it cannot be fetched."""
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        client.check_url(url)
        response = client.request("GET", url, headers=headers,
                                  allowed=client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"]),
                                  deadline_seconds=FETCH_SECONDS, limit=FILE_MAX)
    except client.RequestError as error:
        raise Invalid(_("The calendar could not be fetched: %(reason)s.", reason=str(error)), "url") from None
    if response.status == 304 and (etag or last_modified):
        return Fetched(None, etag, last_modified)
    if response.status != 200:
        raise Invalid(_("The calendar could not be fetched: the server answered %(status)d.",
                        status=response.status), "url")
    return Fetched(response.body, _validator(response.headers.get("ETag")),
                   _validator(response.headers.get("Last-Modified")))


def read(data, default_zone, seconds=READ_SECONDS):
    """The Items of a calendar's VEVENTs (at most EVENTS_MAX), each checked as the event form checks
    it; floating times are read in the calendar's zone, else default_zone. Invalid for a file too large,
    not a calendar, holding too many events, or taking longer than seconds to check."""
    import icalendar
    import x_wr_timezone

    if len(data) > FILE_MAX:
        raise Invalid(_("The calendar is larger than %(max)d MB.", max=FILE_MAX // (1024 * 1024)), "file")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    # A TZID naming a folder of the zone database ("Europe") or 300 characters long raises OSError.
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, OSError):
        raise Invalid(_("This is not a calendar (.ics) file, or its lines are broken."), "file") from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise Invalid(_("This is not a calendar (.ics) file, or its lines are broken."), "file")
    if len(_vevents(calendar)) > EVENTS_MAX:
        raise Invalid(_("The calendar holds %(count)d events; at most %(max)d can be imported at once.",
                        count=len(_vevents(calendar)), max=EVENTS_MAX), "file")
    zone = ZoneInfo(calendar_zone(calendar) or default_zone)
    # Google writes UTC times and names the zone only in X-WR-TIMEZONE: read them in that zone. A name
    # this machine does not know is left aside (the times stay as written).
    if str(calendar.get("X-WR-TIMEZONE", ""))[:64] in all_timezones():
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except (ValueError, TypeError, KeyError, AttributeError, OSError):
            raise Invalid(_("This is not a calendar (.ics) file, or its lines are broken."), "file") from None
    items, seen = [], set()
    deadline = monotonic() + seconds
    for component in _vevents(calendar):
        if monotonic() > deadline:
            raise Invalid(_("Checking the events of this calendar takes too long: import it in smaller parts."),
                          "file")
        item = _item(component, zone)
        if item.uid in seen and not item.problem:
            item.problem = _("Another event of this calendar has the same UID.")
        # A changed date of a series shares the series' UID and may come before it.
        if component.get("RECURRENCE-ID") is None:
            seen.add(item.uid)
        items.append(item)
    return items


def _vevents(calendar):
    # RFC 5545 puts events directly in the VCALENDAR: those nested elsewhere are neither counted nor read.
    return [component for component in calendar.subcomponents if component.name == "VEVENT"]


def calendar_zone(calendar):
    """The zone a calendar gives its floating times and days: its X-WR-TIMEZONE, else its one VTIMEZONE
    (Nextcloud's exports), when this machine knows the name; None otherwise."""
    names = [str(calendar.get("X-WR-TIMEZONE", ""))[:64]]
    if names[0] not in all_timezones():
        names = list({str(zone.get("TZID", ""))[:64] for zone in calendar.walk("VTIMEZONE")})
    return names[0] if len(names) == 1 and names[0] in all_timezones() else None


def _text(component, name, limit=PROPERTY_MAX):
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")[:limit]


def _item(component, zone):
    item = Item(uid=text_line(_text(component, "UID", URL_MAX + 1), URL_MAX + 1))
    try:
        if len(item.uid) > URL_MAX:
            # Cut, two long UIDs sharing a beginning would be taken for one event.
            item.uid = item.uid[:URL_MAX]
            raise Invalid(_("The event's UID is longer than %(max)d characters.", max=URL_MAX))
        item.title = text_line(_text(component, "SUMMARY"), 200)
        item.sequence = max(0, int(_text(component, "SEQUENCE", 12) or 0))
        modified = component.decoded("LAST-MODIFIED", None)
        item.modified = modified if isinstance(modified, datetime) and modified.tzinfo else None
        if not item.uid:
            raise Invalid(_("The event has no UID, so a later import could not find it again."))
        if component.get("RECURRENCE-ID") is not None:
            raise Invalid(_("A change to one date of a repeated event: not imported."))
        item.data = _form_data(component, zone, item.notes)
        item.values = _checked(item)
    except Invalid as error:
        item.problem = error.message
    # icalendar raises AttributeError for a DTSTART given as a time of day only.
    except (ValueError, TypeError, KeyError, OverflowError, AttributeError, IndexError, OSError):
        item.problem = _("The event's dates or fields cannot be read.")
    return item


def _checked(item):
    """The event columns the form's checks give for item.data (a series' first date); a repetition they
    refuse is dropped, with a note."""
    try:
        return clean_event_input(item.data)
    except InvalidFields as error:
        if not item.data.get("repeat") or not set(error.errors) <= REPEAT_FIELDS:
            raise
        item.notes.append(_("Imported as a single event: %(reason)s", reason=error.message))
        item.data = {name: value for name, value in item.data.items() if name not in REPEAT_FIELDS}
        return clean_event_input(item.data)


def _moment(value, zone):
    """(aware local datetime, zone) of a DTSTART or DTEND: in its own IANA zone, else zone."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zone), zone
        own = getattr(value.tzinfo, "key", None)
        if own in all_timezones():
            return value, ZoneInfo(own)
        return value.astimezone(zone), zone
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone), zone
    raise Invalid(_("The event has no start date."))


def _form_data(component, zone, notes):
    start_value = component.decoded("DTSTART", None)
    if start_value is None:
        raise Invalid(_("The event has no start date."))
    all_day = not isinstance(start_value, datetime)
    start, zone = _moment(start_value, zone)
    end_value = component.decoded("DTEND", None)
    if end_value is not None:
        end = _moment(end_value, zone)[0].astimezone(zone)
    elif isinstance(component.decoded("DURATION", None), timedelta):
        end = start + component.decoded("DURATION")
    else:
        end = start + timedelta(days=1) if all_day else None
    data = {
        "title": " ".join(_text(component, "SUMMARY").split()),
        "description": plain_to_markdown(_text(component, "DESCRIPTION")),
        "timezone": zone.key,
        "start_date": start.date(), "start_time": start.time(), "start_fold": start.fold,
        "status": {"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(_text(component, "STATUS", 20).upper(),
                                                                          "confirmed"),
        "tags": _tags(component, notes),
        "links": _links(component, notes),
        **_place(component),
    }
    if end is not None:
        data.update(end_date=end.date(), end_time=end.time(), end_fold=end.fold)
    data.update(_repetition(component, start, notes))
    return data


def plain_to_markdown(text):
    """Plain text (a calendar's DESCRIPTION) as Markdown that shows it as it is, line breaks kept."""
    text = text.replace("\r\n", "\n").replace("&", "&amp;").replace("<", "&lt;")
    return "\n".join(_MARKDOWN.sub(r"\\\1", line) + "  " if line.strip() else ""
                     for line in text.split("\n")).strip()


def _tags(component, notes):
    raw = component.get("CATEGORIES")
    names = []
    for prop in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        # Bounded over all CATEGORIES lines together: a calendar may repeat the property 100,000 times.
        names.extend(str(name) for name in getattr(prop, "cats", [])[:TAGS_MAX * 2 - len(names)])
        if len(names) >= TAGS_MAX * 2:
            break
    tags = []
    for name in names:
        errors = {}
        found = clean_tags(name.replace(",", " "), errors)
        if errors:
            notes.append(_("Category “%(name)s” left out: %(reason)s", name=name[:60], reason=errors["tags"]))
        tags.extend(tag for tag in found if tag not in tags)
    if len(tags) > TAGS_MAX:
        notes.append(_("Only the first %(max)d categories are kept as tags.", max=TAGS_MAX))
    return ", ".join(tags[:TAGS_MAX])


def _links(component, notes):
    url = _text(component, "URL", URL_MAX + 1).strip()
    if not url:
        return []
    parts = urlsplit(url)
    if len(url) > URL_MAX or parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", url):
        notes.append(_("Its web address was left out: it is not an http(s) address."))
        return []
    return [{"type": "website", "url": url, "label": ""}]


def _place(component):
    """Address columns from LOCATION (its first part the place's name, a known town among the others)
    and GEO; parts longer than the columns are cut."""
    parts = [text_line(part, 400) for part in _text(component, "LOCATION", 1000).replace("\n", ",").split(",")]
    parts = [part for part in parts if part]
    place = {"place_name": parts[0][:ADDRESS_MAX["place_name"]] if parts else ""}
    rest, town = parts[1:], None
    for index in range(len(rest) - 1, -1, -1):
        match = _POSTAL.match(rest[index])
        name = match[2] if match else rest[index]
        towns = places.resolve(name[:ADDRESS_MAX["locality"]]) if not name.isdigit() else []
        if towns:
            town = towns[0]
            place.update(postal_code=match[1][:ADDRESS_MAX["postal_code"]] if match else "", locality=town.name,
                         region=town.region[:ADDRESS_MAX["region"]],
                         country=places.country_name(town.country)[:ADDRESS_MAX["country"]],
                         latitude=town.latitude, longitude=town.longitude)
            rest = rest[:index]
            break
    place["street"] = ", ".join(rest)[:ADDRESS_MAX["street"]]
    geo = component.get("GEO")
    if geo is not None and getattr(geo, "latitude", None) is not None:
        place.update(latitude=float(geo.latitude), longitude=float(geo.longitude))
    return place


def _repetition(component, start, notes):
    """The form's "Repeats" fields for an RRULE (and EXDATEs) the form can say; none, with a note, else."""
    rrules = component.get("RRULE")
    if rrules is None:
        return {}
    start_value = component.decoded("DTSTART")
    # A zone this machine does not know (Outlook's "Eastern") was read as the calendar's: single dates
    # keep their instants, but a repetition would follow the other zone's clock changes.
    foreign_zone = isinstance(start_value, datetime) and start_value.tzinfo is not None and (
        start_value.tzinfo is not UTC and getattr(start_value.tzinfo, "key", None) not in all_timezones())
    if isinstance(rrules, list) or component.get("RDATE") is not None or foreign_zone:
        notes.append(_("Imported as a single event: %(reason)s",
                       reason=_("This repetition is not one this site understands.")))
        return {}
    try:
        rule = recurrence.parse(rrules.to_ical().decode(), start.tzinfo)
    except (recurrence.RuleError, ValueError) as error:
        reason = getattr(error, "message", _("This repetition is not one this site understands."))
        notes.append(_("Imported as a single event: %(reason)s", reason=reason))
        return {}
    expressible = ((rule.month_day is None or rule.month_day == start.day)
                   and (rule.freq != "MONTHLY" or not rule.days
                        or rule.days[0] in recurrence.monthly_weekday(start)))
    if not expressible:
        notes.append(_("Imported as a single event: %(reason)s",
                       reason=_("This repetition is not one this site understands.")))
        return {}
    return recurrence.form_fields(rule, start, _exdates(component, start))


def _exdates(component, start):
    """The local dates (ISO) of the EXDATEs, as the series' zone has them."""
    found = component.get("EXDATE")
    days = set()
    for prop in found if isinstance(found, list) else [found] if found is not None else []:
        for value in getattr(prop, "dts", [])[:recurrence.COUNT_MAX]:
            moment = value.dt
            if isinstance(moment, datetime):
                moment = (moment.replace(tzinfo=start.tzinfo) if moment.tzinfo is None
                          else moment.astimezone(start.tzinfo)).date()
            days.add(moment.isoformat())
    return sorted(days)
