"""Reminders before events: the rows of what is due when, kept in step with participations, event
times and each account's choice of offsets (emailed by reminder_mail)."""
from datetime import timedelta

from flask_babel import gettext as _
from peewee import JOIN

from ..db import database, utcnow
from ..models import Account, Actor, Event, OccurrenceOverride, Participation, Reminder
from ..models.participation import GOING_ROLES
from ..models.reminders import DEFAULT_OFFSETS, OFFSETS
from .errors import Invalid, NotFound


def parse_offsets(text):
    """The offsets (minutes) stored in an account's reminder_offsets, known ones only, longest first."""
    chosen = {int(part) for part in (text or "").split(",") if part.strip().isdigit()}
    return tuple(offset for offset in OFFSETS if offset in chosen)


def account_offsets(account):
    """The offsets at which this account's reminders are emailed."""
    return parse_offsets(account.reminder_offsets)


def set_account_offsets(account, offsets):
    """Save an account's choice of offsets (a subset of OFFSETS) and move its upcoming reminders to it."""
    offsets = {int(offset) for offset in offsets}
    if not offsets <= set(OFFSETS):
        raise Invalid(_("Choose among the offered times."), "offsets")
    text = ",".join(str(offset) for offset in OFFSETS if offset in offsets)
    with database.atomic():
        Account.update(reminder_offsets=text).where(Account.id == account.id).execute()
        account.reminder_offsets = text
        _sync(_rows().where(Actor.account == account.id, Event.begins_on > utcnow()))


def _rows():
    return (Participation.select(Participation, Event, Actor, Account)
            .join(Event, on=(Participation.event == Event.id))
            .switch(Participation).join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
            .join(Account, JOIN.LEFT_OUTER, on=(Actor.account == Account.id)))


def wanted_offsets(participation):
    """The offsets this participation is reminded at: none unless it goes, to an event not cancelled,
    as an identity of here (its account's choice) or by email (the default ones), reminders not refused."""
    if (participation.role not in GOING_ROLES or participation.reminders_off
            or participation.event.is_cancelled):
        return ()
    if participation.actor_id is None:
        return DEFAULT_OFFSETS if participation.email else ()
    account = participation.actor.account if participation.actor.account_id is not None else None
    return account_offsets(account) if account is not None else ()


def _sync(query):
    """Bring the reminder rows of the participations query selects (from _rows) in step with them:
    new ones for each wanted offset still ahead, moved ones re-armed, unwanted unsent ones gone."""
    now = utcnow()
    participations = {row.id: row for row in query}
    if not participations:
        return
    existing = {(row.participation_id, row.offset_minutes): row for row in
                Reminder.select().where(Reminder.participation.in_(list(participations)))}
    starts = _starts(participations)
    wanted = {(pid, offset): starts[pid] - timedelta(minutes=offset)
              for pid, row in participations.items() if starts[pid] is not None for offset in wanted_offsets(row)}
    stale, new = [], []
    for key, reminder in existing.items():
        due = wanted.get(key)
        if due is None or (due != reminder.due_at and due <= now):
            if reminder.sent_at is None:
                stale.append(reminder.id)
        elif due != reminder.due_at:
            # The event moved: this reminder is due again at the new time, even if the old one went.
            Reminder.update(due_at=due, sent_at=None).where(Reminder.id == reminder.id).execute()
    for key, due in wanted.items():
        if key not in existing and due > now:
            new.append({"participation": key[0], "offset_minutes": key[1], "due_at": due})
    if stale:
        Reminder.delete().where(Reminder.id.in_(stale)).execute()
    if new:
        Reminder.insert_many(new).execute()


def _starts(participations):
    """When what each participation (by id) takes part in begins: its event, or its one date of a series,
    moved or not (None once that date is cancelled)."""
    dated = [row for row in participations.values() if row.recurrence_id is not None]
    overrides = {}
    if dated:
        overrides = {(override.event_id, override.recurrence_id): override for override in OccurrenceOverride.select()
                     .where(OccurrenceOverride.event.in_({row.event_id for row in dated})
                            & OccurrenceOverride.recurrence_id.in_({row.recurrence_id for row in dated}))}
    starts = {}
    for pid, row in participations.items():
        override = overrides.get((row.event_id, row.recurrence_id))
        if row.recurrence_id is None:
            starts[pid] = row.event.begins_on
        elif override is None:
            starts[pid] = row.recurrence_id
        else:
            starts[pid] = None if override.cancelled else override.begins_on or override.recurrence_id
    return starts


def sync_upcoming():
    """Make the reminders missing for the events still ahead (participations from before reminders
    existed, or changed while a row could not be written); run once as the scheduler starts."""
    _sync(_rows().where(Event.begins_on > utcnow()))


def sync_participation(participation):
    """Create, move or remove the reminders of one participation after a change of its role."""
    _sync(_rows().where(Participation.id == participation.id))


def sync_event(event):
    """Move or remove the reminders of an event's participants after a change of its time or status."""
    _sync(_rows().where(Participation.event == event.id))


def set_reminders_off(participation, off):
    """Refuse (off) or take again the reminders of one participation."""
    with database.atomic():
        Participation.update(reminders_off=off).where(Participation.id == participation.id).execute()
        participation.reminders_off = off
        sync_participation(participation)


def set_event_reminders(event, actor, off):
    """An identity's choice for one event it takes part in: no reminders (off) or reminders again."""
    participation = Participation.get_or_none((Participation.event == event) & (Participation.actor == actor))
    if participation is None or participation.role not in GOING_ROLES:
        raise NotFound(_("You do not take part in this event."))
    set_reminders_off(participation, off)
    return participation
