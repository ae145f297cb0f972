"""One changed or cancelled date of our series crossing the wire as its own Event: to software that knows
no series (Mobilizon, Mastodon) a single event at that date, to servers of ours a date of the series
(linked by our terms); the short list the series' document carries; its Create, Update or Delete sent
to the series' audience."""
import uuid
from datetime import timedelta

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import escape

from ..activitypub.convert.event_date import (
    changed_date_to_ap,
    date_id,
    instant_from_text,
    link_to_series,
)
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..db import utcnow
from ..models import Event, OccurrenceOverride
from ..models.events import ICAL_STATUS, JoinMode, Status
from ..urls import public_url
from . import event_federation, occurrences
from .errors import NotFound

# The series' document lists its dates changed from a day back on: a server reading it takes the list
# as the whole truth from its own clock's now on (a day of leeway for clocks that differ).
LISTED_BEHIND = timedelta(days=1)


def date_uuid(ap_id):
    """A date's own uuid, the same every time: Mobilizon keeps the uuid it reads, one per event."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ap_id))


def own_place(override):
    """The address columns of a date's own place, or None when it keeps the series' place."""
    if not (override.place_name or override.address):
        return None
    return {"place_name": override.place_name, "street": override.address}


def changed_dates(event, now=None):
    """The short forms (convert.event_date.changed_date_to_ap) of the series' changed and cancelled
    dates from LISTED_BEHIND before now on, soonest first."""
    since = (now or utcnow()) - LISTED_BEHIND
    rows = OccurrenceOverride.select().where((OccurrenceOverride.event == event.id)
                                             & (OccurrenceOverride.recurrence_id >= since))
    return [changed_date_to_ap(event.ap_id, row.recurrence_id, occurrences.override_span(event, row), event.zone,
                               ICAL_STATUS[Status.CANCELLED] if row.cancelled else event.ical_status,
                               own_place(row), row.description)
            for row in rows.order_by(OccurrenceOverride.recurrence_id)]


def dated(event, override):
    """The series as a single event at one of its changed dates (never saved): its title says the day,
    its times, place and status are the date's, its description starts with the date's note, and
    taking part happens on the series' page."""
    begins_on, ends_on = occurrences.override_span(event, override)
    copy = Event(**event.__data__)
    copy.organizer = event.organizer
    if event.attributed_to_id is not None:
        copy.attributed_to = event.attributed_to
    copy.ap_id = date_id(event.ap_id, override.recurrence_id)
    copy.uuid = date_uuid(copy.ap_id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        day = format_date(begins_on.astimezone(event.zone).date(), "medium", locale=get_locale())
        copy.title = _("%(title)s on %(date)s", title=event.title, date=day)
    copy.begins_on, copy.ends_on = begins_on, ends_on
    copy.rrule, copy.exdates, copy.series_begins_on, copy.series_ends_on = "", [], None, None
    if override.cancelled:
        copy.status = Status.CANCELLED
    place = own_place(override)
    if place is not None:
        for name in ("postal_code", "locality", "region", "country"):
            setattr(copy, name, "")
        copy.place_name, copy.street, copy.latitude, copy.longitude = place["place_name"], place["street"], None, None
    if override.description:
        copy.description = f"<p>{escape(override.description)}</p>{event.description}"
    copy.join_mode = JoinMode.EXTERNAL
    copy.external_participation_url = public_url("events.show", uuid=event.uuid)
    return copy


def date_document(event, override, requester=None):
    """The Event of one changed or cancelled date of the series, as event_federation.event_document
    writes an event (requester as there), linked to the series."""
    document = event_federation.event_document(dated(event, override), requester)
    if override.cancelled:
        # Microblogs show the summary, not the status: the line says it.
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            document["summary"] = " - ".join((_("Cancelled"), document["summary"]))
    return link_to_series(document, event.ap_id, override.recurrence_id, override.description)


def held_date(event, instant):
    """The override of the series' date whose start instant_text names, else NotFound."""
    recurrence_id = instant_from_text(instant)
    override = recurrence_id and OccurrenceOverride.get_or_none(
        (OccurrenceOverride.event == event.id) & (OccurrenceOverride.recurrence_id == recurrence_id))
    if override is None:
        raise NotFound(_("This date is not one of the event's changed or cancelled dates."))
    return override


def send_date(event, recurrence_id, verb, actor):
    """Send Create or Update of the series' date recurrence_id, as now stored, where the series goes."""
    override = OccurrenceOverride.get((OccurrenceOverride.event == event.id)
                                      & (OccurrenceOverride.recurrence_id == recurrence_id))
    event_federation.federate(event, verb, actor, document=date_document(event, override))


def withdraw_date(event, recurrence_id, actor):
    """Send Delete of the Event of a date that is again as the rule gives it (or gone with its series),
    where the series goes; the Event's id."""
    tombstone = tombstone_to_ap(date_id(event.ap_id, recurrence_id), "Event", utcnow())
    event_federation.federate(event, "Delete", actor, document=tombstone)
    return tombstone["id"]


def listed_starts(event, now=None):
    """The RECURRENCE-IDs of the changed dates the series' document lists (changed_dates)."""
    since = (now or utcnow()) - LISTED_BEHIND
    return {row.recurrence_id for row in OccurrenceOverride.select(OccurrenceOverride.recurrence_id).where(
        (OccurrenceOverride.event == event.id) & (OccurrenceOverride.recurrence_id >= since))}


def listed_ids(event):
    """The ids of the Events of the changed dates the series' document lists, soonest first."""
    return [date_id(event.ap_id, start) for start in sorted(listed_starts(event))]


def withdraw_dates(event, actor, starts):
    """withdraw_date for each of starts (RECURRENCE-IDs, soonest first): software that holds a date as an
    event of its own (Mobilizon) drops it when the series no longer has it; the Events' ids."""
    return [withdraw_date(event, recurrence_id, actor) for recurrence_id in sorted(starts)]
