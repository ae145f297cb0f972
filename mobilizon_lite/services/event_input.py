"""Checking what someone typed into the event form, and turning it into event columns."""
import functools
import math
import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from ..dates import YEARS, within_years
from ..db import utcnow
from ..models.events import (
    CATEGORIES,
    COMMENT_MODES,
    JOIN_MODES,
    LINK_TYPES,
    STATUSES,
    VISIBILITIES,
    CommentMode,
    JoinMode,
    Status,
    Visibility,
)
from ..models.limits import (
    ADDRESS_MAX,
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    LINK_LABEL_MAX,
    LINKS_MAX,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TITLE_MAX,
    URL_MAX,
)
from ..text import markdown_to_html, tag_has_a_page
from . import recurrence
from .errors import InvalidFields

# Offered in the language menu; the codes are what goes on the wire as inLanguage.
LANGUAGES = ("ar", "br", "ca", "de", "en", "eo", "es", "eu", "fr", "it", "ja", "nl", "oc",
             "pl", "pt", "ru", "uk", "zh")


@functools.cache
def all_timezones():
    """IANA zone names offered to organisers, sorted."""
    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


def clean_url(value, field, errors):
    """The URL when it is a plain http(s) address; else record an error."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (len(value) > URL_MAX or parts.scheme not in ("http", "https") or not parts.hostname
            or re.search(r"\s", value)):
        errors[field] = _("Enter a full web address starting with http:// or https://.")
        return ""
    return value


def normal_tag(text):
    """A tag as events store it: '#' and spaces trimmed, inner spaces single, lowercased."""
    return " ".join(text.strip().lstrip("#").split()).casefold()


def clean_tags(raw, errors):
    """Tags from a comma-separated text: '#' and spaces trimmed, lowercased, deduplicated."""
    tags = []
    for part in (raw or "").split(","):
        tag = normal_tag(part)
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            errors["tags"] = _("A tag is at most %(max)d characters long.", max=TAG_MAX_LENGTH)
            return []
        if not tag_has_a_page(tag):
            errors["tags"] = _("“%(tag)s” cannot be a tag: a tag neither begins nor ends with “/”, and no part "
                               "of it between slashes is “.” or “..”.", tag=tag)
            return []
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        errors["tags"] = _("At most %(max)d tags.", max=TAGS_MAX)
        return []
    return tags


def clean_links(rows, errors):
    """Typed links to outside tools; rows without a URL are skipped."""
    links = []
    for row in rows:
        url = clean_url(row.get("url"), "links", errors)
        if not url:
            continue
        if row.get("type") not in LINK_TYPES:
            errors["links"] = _("Choose what kind of link this is.")
            continue
        label = (row.get("label") or "").strip()[:LINK_LABEL_MAX]
        links.append({"type": row["type"], "url": url, "label": label})
    if len(links) > LINKS_MAX:
        errors["links"] = _("At most %(max)d links.", max=LINKS_MAX)
    return links


def repeated_offsets(day, time, zone):
    """The two readings (aware datetimes) of a wall-clock time that happens twice in zone, else None."""
    if day is None or time is None or not within_years(day):
        return None
    first = datetime.combine(day, time).replace(tzinfo=zone, fold=0)  # a time keeps the fold it was read with
    second = first.replace(fold=1)
    # A skipped time has two offsets too, but does not survive the round trip through UTC.
    round_trip = first.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if first.utcoffset() == second.utcoffset() or round_trip.replace(tzinfo=None) != first.replace(tzinfo=None):
        return None
    return first, second


def local_to_utc(day, time, zone, field, errors, fold=None):
    """Aware UTC datetime for a wall-clock date and time in zone; None and an error if impossible, or
    if the time happens twice and fold (0: the first one, 1: the second) does not say which."""
    if not within_years(day):
        errors[field.replace("time", "date")] = _("Choose a year between %(first)d and %(last)d.",
                                                  first=YEARS[0], last=YEARS[1])
        return None
    local = datetime.combine(day, time).replace(tzinfo=zone)
    utc = local.astimezone(ZoneInfo("UTC"))
    # A time skipped when clocks go forward does not survive the round trip.
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        errors[field] = _("This time does not exist in %(zone)s: the clocks change then.", zone=zone.key)
        return None
    if repeated_offsets(day, time, zone):
        if fold not in (0, 1):
            errors[field] = _("This time happens twice in %(zone)s, as the clocks go back then: choose which "
                              "one.", zone=zone.key)
            return None
        utc = local.replace(fold=fold).astimezone(ZoneInfo("UTC"))
    return utc


def clean_dates(data, errors):
    """begins_on, ends_on (UTC) and the zone name from the form's local dates and times."""
    try:
        zone = ZoneInfo(data.get("timezone") or "")
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("Choose a time zone from the list, such as Europe/Paris.")
        return {}
    if data.get("start_date") is None or data.get("start_time") is None:
        errors["start_date"] = _("Give the date and time the event starts.")
        return {}
    begins_on = local_to_utc(data["start_date"], data["start_time"], zone, "start_time", errors,
                             data.get("start_fold"))
    ends_on = None
    if data.get("end_time") is not None:
        end_day = data.get("end_date") or data["start_date"]
        ends_on = local_to_utc(end_day, data["end_time"], zone, "end_time", errors, data.get("end_fold"))
    elif data.get("end_date") is not None:
        errors["end_time"] = _("Give the time the event ends.")
    if begins_on and ends_on and ends_on <= begins_on:
        errors["end_time"] = _("The event must end after it starts.")
    return {"begins_on": begins_on, "ends_on": ends_on, "timezone": zone.key}


def clean_repetition(data, dates, errors):
    """The rrule and exdates columns of the form's "Repeats" part, for the dates clean_dates read; a
    series' first start must be one of its dates, so every calendar app counts the same ones."""
    freq = data.get("repeat") or ""
    if not freq:
        if (data.get("repeat_exdates") or "").strip():
            errors["repeat_exdates"] = _("Excluded dates are for an event that repeats.")
        return {"rrule": "", "exdates": []}
    if freq not in recurrence.FREQUENCIES:
        errors["repeat"] = _("Not a valid choice.")
        return {}
    begins_on = dates.get("begins_on")
    if begins_on is None:
        return {}
    start = begins_on.astimezone(ZoneInfo(dates["timezone"]))
    interval = data.get("repeat_interval") or 1
    weekdays = [day for day in recurrence.WEEKDAYS if day in (data.get("repeat_weekdays") or ())]
    ends = choice(data, "repeat_ends", ("never", "until", "count"), "never", errors)
    monthly = choice(data, "repeat_monthly", ("date", "nth", "last"), "date", errors)
    until = data.get("repeat_until") if ends == "until" else None
    count = data.get("repeat_count") if ends == "count" else None
    if ends == "until" and until is None:
        errors["repeat_until"] = _("Give the date of the last time.")
    elif ends == "count" and count is None:
        errors["repeat_count"] = _("Give how many times the event takes place.")
    elif until is not None and until < start.date():
        errors["repeat_until"] = _("The repetition must end after the event starts.")
    elif freq == "WEEKLY" and weekdays and recurrence.WEEKDAYS[start.weekday()] not in weekdays:
        errors["repeat_weekdays"] = _("The event starts on a %(weekday)s: tick that day too.",
                                      weekday=recurrence.day_name(start.weekday()))
    if {"repeat_until", "repeat_count", "repeat_weekdays", "repeat_ends", "repeat_monthly"} & set(errors):
        return {}
    try:
        if not 1 <= interval <= recurrence.INTERVAL_MAX:
            raise recurrence.RuleError(_("Repeat every 1 to %(max)d times.", max=recurrence.INTERVAL_MAX))
        if count is not None and not 1 <= count <= recurrence.COUNT_MAX:
            raise recurrence.RuleError(_("Repeat 1 to %(max)d times.", max=recurrence.COUNT_MAX))
        rule = recurrence.build(freq, interval, start, weekdays, monthly, until, count)
    except recurrence.RuleError as error:
        errors["repeat"] = error.message
        return {}
    try:
        exdates = recurrence.clean_exdates(data.get("repeat_exdates"))
    except recurrence.RuleError as error:
        errors["repeat_exdates"] = error.message
        return {}
    if recurrence.first_start(rule, exdates, start) is None:
        errors["repeat_exdates"] = _("With these excluded dates, the event never takes place.")
        return {}
    if not recurrence.reaches(rule, exdates, start, utcnow()):
        errors["repeat"] = _("This repetition began too long ago: choose a later first date.")
        return {}
    length = recurrence.wall_length(begins_on, dates.get("ends_on"), start.tzinfo)
    changing = recurrence.clock_change(rule, exdates, start, length)
    if changing is not None:
        errors["repeat"] = _("On %(date)s the clocks change during the start or end time of the event, which calendar "
                             "apps read each their own way: choose other times, or exclude that date.",
                             date=format_date(changing, "long", locale=get_locale()))
        return {}
    return {"rrule": rule.text(), "exdates": exdates}


def clean_place(data, errors):
    """Address columns and coordinates."""
    place = {}
    for name, limit in ADDRESS_MAX.items():
        value = " ".join((data.get(name) or "").split())
        if len(value) > limit:
            errors[name] = _("At most %(max)d characters.", max=limit)
        place[name] = value
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
        errors["latitude"] = _("Latitude is between -90 and 90.")
    if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
        errors["longitude"] = _("Longitude is between -180 and 180.")
    place["latitude"], place["longitude"] = lat, lon
    return place


def choice(data, name, allowed, default, errors):
    value = data.get(name) or default
    if value not in allowed:
        errors[name] = _("Not a valid choice.")
    return value


def check_title_and_text(title, untitled, source, source_field, errors):
    """Note in errors what is wrong with a title and its Markdown text, both trimmed, as events and
    group posts check them alike: untitled is the message for an empty title."""
    if not title:
        errors["title"] = untitled
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(max)d characters.", max=TITLE_MAX)
    if len(source) > DESCRIPTION_MAX:
        errors[source_field] = _("At most %(max)d characters.", max=DESCRIPTION_MAX)


def clean_event_input(data):
    """Columns of an Event from form data; raises InvalidFields naming every bad field."""
    errors = {}
    title = " ".join((data.get("title") or "").split())
    source = (data.get("description") or "").strip()
    check_title_and_text(title, _("Give the event a title."), source, "description", errors)
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = _("Capacity is between 1 and %(max)d, or empty for no limit.", max=CAPACITY_MAX)
    join_mode = choice(data, "join_mode", JOIN_MODES, JoinMode.FREE, errors)
    external_url = clean_url(data.get("external_participation_url"), "external_participation_url", errors)
    if join_mode == JoinMode.EXTERNAL and not external_url and "external_participation_url" not in errors:
        errors["external_participation_url"] = _("Give the address where people register.")
    language = data.get("language") or ""
    if language and language not in LANGUAGES:
        errors["language"] = _("Not a valid choice.")

    dates = clean_dates(data, errors)
    values = {
        "title": title,
        "description_source": source,
        "description": markdown_to_html(source),
        **dates,
        **clean_repetition(data, dates, errors),
        "status": choice(data, "status", STATUSES, Status.CONFIRMED, errors),
        "visibility": choice(data, "visibility", VISIBILITIES, Visibility.PUBLIC, errors),
        "join_mode": join_mode,
        "external_participation_url": external_url,
        "capacity": capacity,
        "show_remaining_seats": bool(data.get("show_remaining_seats")),
        "waiting_list": bool(data.get("waiting_list")),
        "anonymous_participation": bool(data.get("anonymous_participation")),
        "comment_mode": choice(data, "comment_mode", COMMENT_MODES, CommentMode.ALLOW_ALL, errors),
        **clean_place(data, errors),
        "online_url": clean_url(data.get("online_url"), "online_url", errors),
        "links": clean_links(data.get("links") or [], errors),
        "tags": clean_tags(data.get("tags"), errors),
        "category": choice(data, "category", CATEGORIES, "MEETING", errors),
        "language": language,
    }
    if errors:
        raise InvalidFields(errors)
    return values
