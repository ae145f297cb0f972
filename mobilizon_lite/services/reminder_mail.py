"""Emailing the reminders that are due (the scheduler's job), and the one-click link that stops them."""
from datetime import timedelta

from peewee import JOIN

from .. import mail
from ..claims import locking
from ..db import database, utcnow
from ..models import Account, Actor, Event, Participation, Reminder
from ..urls import public_url
from .event_access import online_address_for
from .occurrences import dated
from .participant_mail import event_link, participation_by_token, participation_token, recipient
from .reminders import set_reminders_off, wanted_offsets

OFF_PURPOSE = "reminders-off"
# Reminders read per transaction by the job.
BATCH = 100
# Sent reminders are kept this long after they went (what a moved event compares with), then forgotten.
KEEP_SENT = timedelta(days=30)


def off_link(participation):
    """The link in a reminder that stops the reminders of this participation."""
    return public_url("participation.stop_reminders", token=participation_token(participation, OFF_PURPOSE))


def participation_by_off_token(token):
    """The participation a reminder's stop link belongs to, or NotFound."""
    return participation_by_token(token, OFF_PURPOSE)


def stop_by_link(token):
    """Stop the reminders of the participation a stop link names; its event."""
    participation = participation_by_off_token(token)
    set_reminders_off(participation, True)
    return participation.event


def too_late(reminder, now):
    """True when a reminder is no use any more: its event (or date) began, or it is late by more than half
    its offset (the server was down at its time; a later reminder, or none, does better than a stale one)."""
    # Its due time is the start it reminds of, less its offset: a date of a series is not the series' next.
    return (now >= reminder.due_at + timedelta(minutes=reminder.offset_minutes)
            or now - reminder.due_at > timedelta(minutes=reminder.offset_minutes) / 2)


def _due(now):
    return (Reminder.select(Reminder, Participation, Event, Actor, Account)
            .join(Participation).join(Event)
            .switch(Participation).join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
            .join(Account, JOIN.LEFT_OUTER, on=(Actor.account == Account.id))
            .where(Reminder.sent_at.is_null() & (Reminder.due_at <= now))
            .order_by(Reminder.due_at, Reminder.id).limit(BATCH))


def _outgoing(reminder):
    """The email of one reminder, or None when it has nobody to go to."""
    participation = reminder.participation
    account = participation.actor.account if participation.actor_id and participation.actor.account_id else None
    found = recipient(participation, account)
    if not found or not found[0] or (account is not None and (account.deleted_at or account.suspended_at)):
        return None
    email, locale, cancel = found
    event = participation.event
    return mail.Outgoing(email, "mail/event_reminder.txt", locale, {
        "event": event, "date": dated(event, participation), "link": event_link(event), "cancel_link": cancel,
        "off_link": off_link(participation),
        "online_address": online_address_for(event, participation)})


def send_due_reminders():
    """Email every reminder now due, each marked sent in the transaction that queues its email (so
    none goes twice: another process's run passes over the rows this one locked); drop those no longer
    wanted or too late. Returns how many were sent."""
    sent_count = 0
    while True:
        now = utcnow()
        with database.atomic("IMMEDIATE"):
            due = list(locking(_due(now), Reminder))
            sent, dropped, outgoing = [], [], []
            for reminder in due:
                participation = reminder.participation
                message = None
                if (reminder.offset_minutes in wanted_offsets(participation)
                        and not too_late(reminder, now)):
                    message = _outgoing(reminder)
                if message is None:
                    dropped.append(reminder.id)
                else:
                    sent.append(reminder.id)
                    outgoing.append(message)
            if sent:
                Reminder.update(sent_at=now).where(Reminder.id.in_(sent)).execute()
            if dropped:
                Reminder.delete().where(Reminder.id.in_(dropped)).execute()
            mail.send_batch(outgoing)
        sent_count += len(sent)
        if len(due) < BATCH:
            break
    Reminder.delete().where(Reminder.sent_at < utcnow() - KEEP_SENT).execute()
    return sent_count
