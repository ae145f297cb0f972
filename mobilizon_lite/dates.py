"""Event dates written in the event's own time zone and the reader's language (template filters)."""
import functools
import importlib.resources
import os
import zoneinfo
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

HOME_ZONE = "dates.home_zone"
# Far enough for any real event, near enough that time zone arithmetic never overflows: the bounds
# of the event form and of events read from other servers alike.
YEARS = (1900, 2200)


def utc_offset(moment):
    """'UTC+2', 'UTC-3:30': the offset of an aware datetime, as people read it."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# Pages write the same dates again and again (every visitor of a list, every card of a page): each
# text is made once per (moment, zone, language) and kept, as babel's formatting costs more than the
# rest of a card. The language is the babel Locale in force (an email's, a document's, a page's).
CACHED_TEXTS = 4096


def _day_and_time(moment, length, locale):
    return _("%(date)s, %(time)s", date=format_date(moment, length, locale=locale),
             time=format_time(moment, "short", locale=locale))


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _when(begins_on, ends_on, zone, locale):
    start = begins_on.astimezone(zone)
    text = _day_and_time(start, "full", locale)
    if ends_on:
        end = ends_on.astimezone(zone)
        same_day = end.date() == start.date()
        text += " – " + (format_time(end, "short", locale=locale) if same_day else _day_and_time(end, "full", locale))
    return f"{text} ({zone.key}, {utc_offset(start)})"


def event_when(event):
    """'Saturday, March 14, 2026, 6:00 PM – 8:00 PM (Europe/Paris, UTC+1)' in the reader's language."""
    return span_when(event.begins_on, event.ends_on, event.zone)


def span_when(begins_on, ends_on, zone):
    """As event_when, for a start and end (or None) in zone: one date of a repeated event."""
    return _when(begins_on, ends_on, zone, get_locale())


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _day(begins_on, zone, locale, home_zone):
    text = _day_and_time(begins_on.astimezone(zone), "medium", locale)
    return text if zone.key == home_zone else f"{text} ({zone.key})"


def event_day(event):
    """Short date and time of the start, for lists; the zone is named when it is not the instance's."""
    return _day(event.begins_on, event.zone, get_locale(), home_zone().key)


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _date_block(begins_on, zone, locale, home_zone, this_year):
    start = begins_on.astimezone(zone)
    month = format_date(start, "MMM" if start.year == this_year else "MMM y", locale=locale)
    time = format_time(start, "short", locale=locale)
    return start.isoformat(), format_date(start, "d", locale=locale), month, (
        time if zone.key == home_zone else f"{time} ({zone.key})")


def event_date_block(event):
    """(ISO 8601 start, day, short month, time) of the start, for cards: the year follows the month when
    it is not this one, the zone the time when it is not the instance's."""
    zone = home_zone()
    return _date_block(event.begins_on, event.zone, get_locale(), zone.key, datetime.now(zone).year)


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _moment(moment, zone, locale):
    # The long date: the short one ("12/4/26") reads as another day in half the world.
    moment = moment.astimezone(zone)
    return _("%(date)s at %(time)s", date=format_date(moment, "long", locale=locale),
             time=format_time(moment, "short", locale=locale))


def moment(value):
    """A date and time (a comment's, say) as "December 4, 2026 at 7:00 PM", in the instance's time zone and the
    reader's language."""
    return _moment(value, home_zone(), get_locale())


def home_zone():
    """The instance's time zone (a ZoneInfo), that of every date not tied to an event's own zone: the name
    the function given to init_app reads (the administrators' setting, else the configuration's)."""
    return ZoneInfo(current_app.extensions[HOME_ZONE]())


def init_app(app, home_zone_name):
    """Make the filters available to pages and emails alike; home_zone_name() names the instance's zone
    (a setting is read above this module: it is handed down)."""
    app.extensions[HOME_ZONE] = home_zone_name
    app.add_template_filter(event_when)
    app.add_template_filter(event_day)
    app.add_template_filter(event_date_block)
    app.add_template_filter(moment)


def utc_text(moment):
    """An aware datetime in UTC as feeds and ActivityStreams write it: 2026-05-17T12:00:00Z."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def within_years(moment):
    """True when a date or datetime falls within YEARS (a datetime there can be shown in any zone)."""
    return YEARS[0] <= moment.year <= YEARS[1]


def parse_utc(value):
    """An ISO 8601 date-time with an offset (or Z) as an aware UTC datetime; None for anything else."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (AttributeError, TypeError, ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved
        return None


def tz_file(name):
    """A file of the tz database zoneinfo.ZoneInfo reads (a zone, or a table such as zone.tab): the
    system's, else the tzdata package's."""
    if name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"not a zone name: {name!r}")
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                return handle.read()
    package, _slash, base = f"tzdata.zoneinfo/{name}".rpartition("/")
    return importlib.resources.files(package.replace("/", ".")).joinpath(base).read_bytes()
