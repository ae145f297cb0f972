"""iCalendar documents built with the icalendar library: one VEVENT per event, with VTIMEZONEs."""
from datetime import timedelta

from icalendar import Calendar, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from ..version import __version__
from ..text import html_to_text

PRODID = f"-//mobilizon_lite//mobilizon_lite {__version__}//EN"
REFRESH = timedelta(hours=1)
STATUSES = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}


def event_uid(event):
    """A stable, globally unique UID: the event's uuid at the host of its id."""
    host = event.ap_id.split("/")[2]
    return f"{event.uuid}@{host}"


def vevent(event, url, pending=False):
    """The VEVENT of one event; pending marks a participation still awaiting approval."""
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
    component.add("summary", event.title)
    description = html_to_text(event.description)
    component.add("description", f"{description}\n\n{url}" if description else url)
    component.add("url", url)
    location = event.address_line or event.online_url
    if location:
        component.add("location", location)
    if event.has_coordinates:
        component.add("geo", (event.latitude, event.longitude))
    organizer = vCalAddress(event.organizer.ap_id)
    organizer.params["cn"] = vText(event.organizer.display_name)
    component.add("organizer", organizer)
    if event.tags:
        component.add("categories", event.tags)
    status = STATUSES.get(event.status, "CONFIRMED")
    component.add("status", "TENTATIVE" if pending and status == "CONFIRMED" else status)
    return component


def calendar(name, items):
    """The text/calendar bytes of a feed; items are (event, url, pending) triples."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    first = last = None
    for event, url, pending in items:
        cal.add_component(vevent(event, url, pending))
        end = event.ends_on or event.begins_on
        first = min(first, event.begins_on) if first else event.begins_on
        last = max(last, end) if last else end
    if first is not None:
        # VTIMEZONE rules for the years the events span, so every app reads local times alike.
        cal.add_missing_timezones(first_date=(first - timedelta(days=366)).date(),
                                  last_date=(last + timedelta(days=366)).date())
    return cal.to_ical()
