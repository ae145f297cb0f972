"""One date of a series changed or cancelled without touching the others: the override rows (their
RECURRENCE-ID the date's UTC start as the rule gives it), the dates an event page lists with them, and
the participants told."""
import dataclasses
from collections import namedtuple
from datetime import timedelta

from flask_babel import gettext as _

from .. import mail
from ..db import database, utcnow
from ..dialect import lock_rows
from ..models import Actor, Event, EventOccurrence, OccurrenceOverride, Participation
from ..models.limits import ADDRESS_MAX, MESSAGE_MAX, OVERRIDES_MAX
from ..models.participation import MODERATOR, ORGANIZER_ROLES
from ..text import clean_text
from . import (
    date_federation,
    event_access,
    event_federation,
    events,
    occurrences,
    participant_mail,
    pictures,
    recurrence,
    reminders,
)
from .errors import Invalid, InvalidFields, NotFound
from .event_input import clean_dates

# One date an event page lists: its UTC start and end (or None), its stored row's id (None once begun or
# cancelled: there is nothing left to change), and its override (None when it is as the rule gives it).
ListedDate = namedtuple("ListedDate", "begins_on ends_on date_id override")
# A date's own note, as short as a message to the organisers.
NOTE_MAX = MESSAGE_MAX


def overrides_of(event):
    """The series' changed and cancelled dates, by their RECURRENCE-ID."""
    return list(OccurrenceOverride.select().where(OccurrenceOverride.event == event.id)
                .order_by(OccurrenceOverride.recurrence_id))


def overrides_by_event(event_ids):
    """{event id: its changed and cancelled dates, by their RECURRENCE-ID} of these series, in one query."""
    found = {}
    if event_ids:
        for override in (OccurrenceOverride.select().where(OccurrenceOverride.event.in_(list(event_ids)))
                         .order_by(OccurrenceOverride.event, OccurrenceOverride.recurrence_id)):
            found.setdefault(override.event_id, []).append(override)
    return found


def stored_date(event, occurrence_id):
    """The series' stored date of this id (an EventOccurrence), else NotFound."""
    row = EventOccurrence.get_or_none((EventOccurrence.id == occurrence_id) & (EventOccurrence.event == event.id))
    if row is None:
        raise NotFound(_("This date is not one of the event's, or it was changed since."))
    return row


def open_date(event, occurrence_id, now=None):
    """The series' stored date of this id (stored_date) while it has not begun; Invalid once it has: what
    happened stays as it was, for participants and calendars alike."""
    row = stored_date(event, occurrence_id)
    if row.begins_on <= (now or utcnow()):
        raise Invalid(_("This date has begun or is over: it can no longer be changed or cancelled."))
    return row


def cancelled_date(event, instant, now=None):
    """The override of the series' cancelled date whose RECURRENCE-ID instant names (its instant_text),
    while it has not begun: NotFound for any other, Invalid once begun."""
    override = date_federation.held_date(event, instant)
    if not override.cancelled:
        raise NotFound(_("This date is not cancelled."))
    if occurrences.override_span(event, override)[0] <= (now or utcnow()):
        raise Invalid(_("This date has begun or is over: it can no longer be changed or cancelled."))
    return override


def override_of(event, row):
    """The override of a stored date (found by its own start once moved), or None."""
    return OccurrenceOverride.get_or_none(
        (OccurrenceOverride.event == event.id) & ~OccurrenceOverride.cancelled
        & ((OccurrenceOverride.begins_on == row.begins_on)
           | OccurrenceOverride.begins_on.is_null() & (OccurrenceOverride.recurrence_id == row.begins_on)))


def listed_dates(event, now=None, limit=occurrences.NEXT_SHOWN):
    """The next dates an event page lists (ListedDate), soonest first: its dates not over yet, the
    changed and the cancelled ones among them."""
    now = now or utcnow()
    overrides = overrides_of(event)
    # A date restored, or changed back to all the rule gives it, shows as the others do.
    changed = {override.begins_on or override.recurrence_id: override for override in overrides
               if not override.cancelled and (override.begins_on or override.place_name or override.address
                                              or override.description)}
    found = [ListedDate(row.begins_on, row.ends_on, row.id if row.begins_on > now else None,
                        changed.get(row.begins_on))
             for row in occurrences.upcoming(event, now, limit)]
    # A cancelled date shows at the times it had: its own once moved before it was cancelled.
    cancelled = [ListedDate(*occurrences.override_span(event, override), None, override)
                 for override in overrides if override.cancelled]
    found += [listed for listed in cancelled if listed.begins_on >= now]
    return sorted(found, key=lambda listed: listed.begins_on)[:limit]


def write_override(event, recurrence_id, **values):
    """Write the override of the date recurrence_id (a new one within OVERRIDES_MAX, else Invalid), its
    sequence raised; the series' dates are not brought to it yet."""
    override = OccurrenceOverride.get_or_none((OccurrenceOverride.event == event.id)
                                              & (OccurrenceOverride.recurrence_id == recurrence_id))
    if override is None:
        if OccurrenceOverride.select().where(OccurrenceOverride.event == event.id).count() >= OVERRIDES_MAX:
            raise Invalid(_("At most %(max)d dates of a series can be changed or cancelled one by one.",
                            max=OVERRIDES_MAX))
        OccurrenceOverride.create(event=event.id, recurrence_id=recurrence_id, sequence=1, **values)
    else:
        OccurrenceOverride.update(sequence=OccurrenceOverride.sequence + 1, **values).where(
            OccurrenceOverride.id == override.id).execute()


def _save(event, recurrence_id, **values):
    """write_override, and bring the series' dates and shown date to it; the event as it is now."""
    write_override(event, recurrence_id, **values)
    # Feeds and pages keep what they built while the event's update time holds.
    Event.update(updated_at=utcnow()).where(Event.id == event.id).execute()
    event = events.events_query().where(Event.id == event.id).get()
    occurrences.refresh(event)
    occurrences.advance(event)
    # Reminders of participants in that one date follow it.
    reminders.sync_event(event)
    return event


def _lock_series(event):
    # Changes of one series' dates, and joins of them, wait for each other from here to their commit on
    # PostgreSQL (SQLite's write transactions do already): each sees the overrides and participations the one
    # before it wrote, so that a date changed twice at once is updated, not made twice.
    lock_rows(Event.select(Event.id).where(Event.id == event.id))


def _published(event, recurrence_id, actor, **values):
    """_save, and the date's Event sent where the series goes (a Create the first time the date differs
    from the rule, an Update after)."""
    _lock_series(event)
    verb = "Update" if OccurrenceOverride.select().where((OccurrenceOverride.event == event.id) & (
        OccurrenceOverride.recurrence_id == recurrence_id)).exists() else "Create"
    event = _save(event, recurrence_id, **values)
    date_federation.send_date(event, recurrence_id, verb, actor)
    return event


def recurrence_id_of(event, row):
    """The RECURRENCE-ID of a stored date: its start as the rule gives it, also once moved."""
    override = override_of(event, row)
    return row.begins_on if override is None else override.recurrence_id


def cancel_date(event, actor, occurrence_id):
    """Cancel one stored date of a series (organisers only): kept as a cancelled override, gone from
    listings, and its participants told by email."""
    event_access.require_organizer(event, actor)
    row = open_date(event, occurrence_id)
    recurrence_id = recurrence_id_of(event, row)
    with database.atomic():
        event = _published(event, recurrence_id, actor, cancelled=True)
    date = Event(begins_on=row.begins_on, ends_on=row.ends_on, timezone=event.timezone)
    participant_mail.notify_participants(event, actor, "mail/date_cancelled.txt", only_on=recurrence_id, date=date)


def clean_date_input(event, data):
    """The override columns of a date's form (start and end dates and times in the event's zone, as
    the event form checks them; place name, address, note); InvalidFields for what breaks a rule."""
    errors = {}
    dates = clean_dates(dict(data, timezone=event.timezone), errors)
    values = {"place_name": clean_text(data.get("place_name") or ""),
              "address": clean_text(data.get("address") or ""),
              "description": clean_text(data.get("description") or "", multiline=True)}
    for name, limit in (("place_name", ADDRESS_MAX["place_name"]), ("address", ADDRESS_MAX["street"]),
                        ("description", NOTE_MAX)):
        if len(values[name]) > limit:
            errors[name] = _("At most %(max)d characters.", max=limit)
    if errors:
        raise InvalidFields(errors)
    return dict(values, begins_on=dates["begins_on"], ends_on=dates["ends_on"])


def _taken(event, begins_on, but=None):
    """Whether another stored date of the series (not the row of id but) starts at begins_on."""
    return EventOccurrence.select().where((EventOccurrence.event == event.id) & (EventOccurrence.id != but)
                                          & (EventOccurrence.begins_on == begins_on)).exists()


def restore_date(event, actor, override):
    """A cancelled date (cancelled_date) taking place again, as it was before (organisers only): sent
    where the series goes as a change is, its participants told by email."""
    event_access.require_organizer(event, actor)
    begins_on, ends_on = occurrences.override_span(event, override)
    if _taken(event, begins_on):
        raise Invalid(_("Another date of the series starts then."))
    with database.atomic():
        # Kept, not deleted: its instance in feeds outranks (SEQUENCE) the cancelled one calendar apps hold.
        event = _published(event, override.recurrence_id, actor, cancelled=False)
    date = Event(begins_on=begins_on, ends_on=ends_on, timezone=event.timezone, place_name=override.place_name,
                 street=override.address)
    participant_mail.notify_participants(event, actor, "mail/date_restored.txt", only_on=override.recurrence_id,
                                         date=date)


def change_date(event, actor, occurrence_id, data):
    """Change one stored date of a series (organisers only): its times (start and end, in the event's
    zone), place and note for that date alone; its participants told by email."""
    event_access.require_organizer(event, actor)
    row = open_date(event, occurrence_id)
    values = clean_date_input(event, data)
    recurrence_id = recurrence_id_of(event, row)
    if _taken(event, values["begins_on"], row.id):
        raise InvalidFields({"start_time": _("Another date of the series starts then.")})
    # A date at its rule's times keeps them from the rule (a later change of the series moves it too).
    if (values["begins_on"], values["ends_on"]) == occurrences.date_span(event, recurrence_id):
        values.update(begins_on=None, ends_on=None)
    with database.atomic():
        event = _published(event, recurrence_id, actor, cancelled=False, **values)
    begins_on = values["begins_on"] or row.begins_on
    date = Event(begins_on=begins_on, ends_on=values["ends_on"] if values["begins_on"] else row.ends_on,
                 timezone=event.timezone, place_name=values["place_name"], street=values["address"])
    was = Event(begins_on=row.begins_on, ends_on=row.ends_on, timezone=event.timezone)
    participant_mail.notify_participants(event, actor, "mail/date_changed.txt", only_on=recurrence_id, date=date,
                                         was=was, note=values["description"])


def splits_series(event, row):
    """Whether "this and following" from this stored date splits the series: not from its first date
    (that changes them all)."""
    return recurrence_id_of(event, row) > event.series_begins_on


def following_repetition(event, row):
    """(dates the rule's COUNT leaves from row on, or None without a COUNT; the days excluded or cancelled
    from row on): the "Repeats" of the series the following dates become."""
    recurrence_id = recurrence_id_of(event, row)
    day = recurrence_id.astimezone(event.zone).date().isoformat()
    cancelled = {override.recurrence_id.astimezone(event.zone).date().isoformat()
                 for override in OccurrenceOverride.select(OccurrenceOverride.recurrence_id).where(
                     (OccurrenceOverride.event == event.id) & OccurrenceOverride.cancelled
                     & (OccurrenceOverride.recurrence_id >= recurrence_id))}
    excluded = sorted(cancelled.union(kept for kept in event.exdates if kept >= day))
    rule = occurrences.rule_of(event)
    if rule.count is None:
        return None, excluded
    # COUNT counts the rule's dates, excluded ones too (RFC 5545).
    first = occurrences.series_start(event)
    before = recurrence.starts(rule, [], first, first, recurrence_id.astimezone(event.zone) - timedelta(seconds=1))
    return max(1, rule.count - len(before)), excluded


def _organise_alike(event, following, actor):
    """The new series following event organised by whoever organised event (its creator and
    co-organisers, as co-organisers), besides actor, its creator."""
    organisers = {actor_id for (actor_id,) in Participation.select(Participation.actor).where(
        (Participation.event == event.id) & Participation.role.in_(ORGANIZER_ROLES)).tuples()}
    for actor_id in sorted((organisers | {event.organizer_id}) - {actor.id}):
        reminders.sync_participation(Participation.create(event=following, actor=actor_id, role=MODERATOR))


def split_series(event, actor, occurrence_id, data, picture=None, remove_picture=False):
    """"This and following": the series ends before this stored date (UNTIL), and a new series made of
    data (the event form's, from that date on) follows it, with the series' group, organisers and
    picture (unless picture, a new one, or remove_picture); the new Event. Those who joined every date
    stay on the old series, whose end they are told: the new one is another event, joined anew. Those
    who joined one date from this one on go with it (_move_dates)."""
    event_access.require_organizer(event, actor)
    row = open_date(event, occurrence_id)
    recurrence_id = recurrence_id_of(event, row)
    if not splits_series(event, row):
        raise Invalid(_("From the first date, edit the event itself: all its dates change."))
    group = Actor.get_by_id(event.attributed_to_id) if event.attributed_to_id else None
    rule = dataclasses.replace(occurrences.rule_of(event), until=recurrence_id - timedelta(seconds=1), count=None)
    day = recurrence_id.astimezone(event.zone).date().isoformat()
    with database.atomic():
        _lock_series(event)
        kept = None if remove_picture else pictures.stored_picture(event.picture)
        following = events.create_event(actor, data, picture=picture or kept, group=group)
        _organise_alike(event, following, actor)
        # Before the overrides go: a dropped date is told at its own (moved) times.
        moved, dropped = _move_dates(event, following, recurrence_id)
        # Dates from there on are the new series' now, with whatever changed them.
        date_federation.withdraw_dates(event, actor, {start for start in date_federation.listed_starts(event)
                                                      if start >= recurrence_id})
        occurrences.delete_overrides(event, OccurrenceOverride.recurrence_id >= recurrence_id)
        Event.update(rrule=rule.text(), exdates=[kept for kept in event.exdates if kept < day],
                     sequence=Event.sequence + 1, updated_at=utcnow()).where(Event.id == event.id).execute()
        event = events.events_query().where(Event.id == event.id).get()
        occurrences.refresh(event)
        occurrences.advance(event)
        event_federation.federate(event, "Update", actor)
    participant_mail.notify_participants(event, actor, "mail/event_changed.txt", changed=["rrule"])
    if moved:
        participant_mail.notify_participants(following, actor, "mail/event_changed.txt", changed=["rrule"])
    mail.send_batch(dropped)
    return following


def _move_dates(event, following, recurrence_id):
    """Move the participations in one date of event from recurrence_id on to the date of following on the
    same day (seats, places in line and approvals kept; following not repeating, to following itself);
    those whose day following does not hold are withdrawn. (whether any moved, the emails telling the
    withdrawn ones their date is cancelled)."""
    rows = list(Participation.select().where((Participation.event == event.id)
                                             & (Participation.recurrence_id >= recurrence_id)))
    moved, dropped = False, []
    for row in rows:
        if _moves_to(following, row, event.zone):
            moved = True
            reminders.sync_participation(row)
            continue
        # The new event does not hold that day: the date they joined is no more.
        dropped += participant_mail.participation_mails(event, [row], "mail/date_cancelled.txt",
                                                        date=occurrences.dated(event, row), cancel_link=None)
        row.delete_instance()
    if moved:
        # The new series' seats may be more: they go to those in line. Imported here: participation builds
        # on this module (through comments and federation).
        from .participation import fill_seats
        fill_seats(following)
    return moved, dropped


def _moves_to(following, row, zone):
    """Move one participation in a date (zone: its series') to following's date on its day, if there is
    one that it does not take part in yet; whether it moved."""
    date = occurrences.start_on_day(following, row.recurrence_id.astimezone(zone).date())
    if date is None:
        return False
    date = date if following.repeats else None
    if row.actor_id is not None and Participation.select().where(
            (Participation.event == following.id) & (Participation.actor == row.actor_id)
            & (Participation.recurrence_id == date)).exists():
        return False
    Participation.update(event=following.id, recurrence_id=date, updated_at=utcnow()).where(
        Participation.id == row.id).execute()
    return True
