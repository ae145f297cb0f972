"""Event dates written in the event's own time zone and the reader's language (template filters)."""
from datetime import UTC, datetime

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

# Far enough for any real event, near enough that time zone arithmetic never overflows: the bounds
# of the event form and of events read from other servers alike.
YEARS = (1900, 2200)


def utc_offset(moment):
    """'UTC+2', 'UTC-3:30': the offset of an aware datetime, as people read it."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _day_and_time(moment, length):
    locale = get_locale()
    return _("%(date)s, %(time)s", date=format_date(moment, length, locale=locale),
             time=format_time(moment, "short", locale=locale))


def event_when(event):
    """'Saturday, March 14, 2026, 6:00 PM – 8:00 PM (Europe/Paris, UTC+1)' in the reader's language."""
    zone = event.zone
    start = event.begins_on.astimezone(zone)
    text = _day_and_time(start, "full")
    if event.ends_on:
        end = event.ends_on.astimezone(zone)
        same_day = end.date() == start.date()
        text += " – " + (format_time(end, "short", locale=get_locale()) if same_day else _day_and_time(end, "full"))
    return f"{text} ({zone.key}, {utc_offset(start)})"


def event_day(event):
    """Short date and time of the start, for lists; the zone is named when it is not the instance's."""
    zone = event.zone
    text = _day_and_time(event.begins_on.astimezone(zone), "medium")
    if zone.key != current_app.config["TIMEZONE"]:
        text += f" ({zone.key})"
    return text


def init_app(app):
    """Make the filters available to pages and emails alike."""
    app.add_template_filter(event_when)
    app.add_template_filter(event_day)


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
