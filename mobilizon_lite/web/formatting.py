"""Template filters that show event dates in the event's own time zone and the reader's language."""
from urllib.parse import urlencode

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import get_locale, gettext as _

from ..services.events import event_zone
from ..urls import public_url


def _offset(moment):
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def event_when(event):
    """'Saturday, March 14, 2026, 6:00 PM – 8:00 PM (Europe/Paris, UTC+1)' in the reader's language."""
    locale = get_locale()
    zone = event_zone(event)
    start = event.begins_on.astimezone(zone)
    text = _("%(date)s, %(time)s", date=format_date(start, "full", locale=locale),
             time=format_time(start, "short", locale=locale))
    if event.ends_on:
        end = event.ends_on.astimezone(zone)
        if end.date() == start.date():
            text += " – " + format_time(end, "short", locale=locale)
        else:
            text += " – " + _("%(date)s, %(time)s", date=format_date(end, "full", locale=locale),
                              time=format_time(end, "short", locale=locale))
    return f"{text} ({zone.key}, {_offset(start)})"


def event_day(event):
    """Short date and time of the start, for lists; the zone is named when it is not the instance's."""
    locale = get_locale()
    zone = event_zone(event)
    start = event.begins_on.astimezone(zone)
    text = _("%(date)s, %(time)s", date=format_date(start, "medium", locale=locale),
             time=format_time(start, "short", locale=locale))
    if zone.key != current_app.config["TIMEZONE"]:
        text += f" ({zone.key})"
    return text


def osm_url(event):
    """An OpenStreetMap link to the event's place: its coordinates, else a search of its address."""
    if event.has_coordinates:
        lat, lon = event.latitude, event.longitude
        return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
    return "https://www.openstreetmap.org/search?" + urlencode({"query": event.address_line})


def webcal(url):
    """The webcal:// form of a feed address, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]


def init_app(app):
    """Register the filters."""
    for template_filter in (event_when, event_day, osm_url, webcal):
        app.add_template_filter(template_filter)
    app.add_template_global(public_url)
