"""One date of a series changed or cancelled without touching the others: the override rows (their
RECURRENCE-ID the date's UTC start as the rule gives it), the dates an event page lists with them, and
the participants told."""
from flask_babel import gettext as _

from ..db import database, utcnow
from ..models import Event, EventOccurrence, OccurrenceOverride
from ..models.limits import OVERRIDES_MAX
from . import events, occurrences
from .errors import Invalid, NotFound


def overrides_of(event):
    """The series' changed and cancelled dates, by their RECURRENCE-ID."""
    return list(OccurrenceOverride.select().where(OccurrenceOverride.event == event.id)
                .order_by(OccurrenceOverride.recurrence_id))


def stored_date(event, occurrence_id):
    """The series' stored date of this id (an EventOccurrence), else NotFound."""
    row = EventOccurrence.get_or_none((EventOccurrence.id == occurrence_id) & (EventOccurrence.event == event.id))
    if row is None:
        raise NotFound(_("This date is not one of the event's, or it was changed since."))
    return row


def listed_dates(event, now=None, limit=occurrences.NEXT_SHOWN):
    """The next dates an event page lists, soonest first: (UTC start, UTC end or None, stored date id
    or None, cancelled) for its dates not over yet, the cancelled ones among them."""
    now = now or utcnow()
    found = [(row.begins_on, row.ends_on, row.id, False) for row in occurrences.upcoming(event, now, limit)]
    cancelled = (OccurrenceOverride.select().where(
        (OccurrenceOverride.event == event.id) & OccurrenceOverride.cancelled
        & (OccurrenceOverride.recurrence_id >= now)).order_by(OccurrenceOverride.recurrence_id).limit(limit))
    found += [(*occurrences.date_span(event, row.recurrence_id), None, True) for row in cancelled]
    return sorted(found)[:limit]


def cancel_date(event, actor, occurrence_id):
    """Cancel one stored date of a series (organisers only): kept as a cancelled override, gone from
    listings, and its participants told by email; the date's start and end."""
    events.require_organizer(event, actor)
    row = stored_date(event, occurrence_id)
    with database.atomic():
        override = OccurrenceOverride.get_or_none((OccurrenceOverride.event == event.id)
                                                  & (OccurrenceOverride.recurrence_id == row.begins_on))
        if override is None:
            if OccurrenceOverride.select().where(OccurrenceOverride.event == event.id).count() >= OVERRIDES_MAX:
                raise Invalid(_("At most %(max)d dates of a series can be changed or cancelled one by one.",
                                max=OVERRIDES_MAX))
            OccurrenceOverride.create(event=event.id, recurrence_id=row.begins_on, cancelled=True, sequence=1)
        else:
            OccurrenceOverride.update(cancelled=True, sequence=OccurrenceOverride.sequence + 1).where(
                OccurrenceOverride.id == override.id).execute()
        # Feeds and pages keep what they built while the event's update time holds.
        Event.update(updated_at=utcnow()).where(Event.id == event.id).execute()
        event = events.events_query().where(Event.id == event.id).get()
        occurrences.refresh(event)
        occurrences.advance(event)
    date = Event(begins_on=row.begins_on, ends_on=row.ends_on, timezone=event.timezone)
    events.notify_participants(event, actor, "mail/date_cancelled.txt", date=date)
    return row.begins_on, row.ends_on
