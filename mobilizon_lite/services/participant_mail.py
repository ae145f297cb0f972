"""Emails to an event's participants, and the signed links they carry (cancel, stop reminders or messages)."""
from flask_babel import gettext as _
from peewee import JOIN

from .. import mail
from ..models import Account, Actor, Participation
from ..models.participation import GOING_ROLES, NOT_APPROVED, WAITLISTED
from ..tokens import sign, unsign
from ..urls import public_url
from .errors import NotFound
from .event_access import may_see_online_address
from .seats import on_date

CANCEL_PURPOSE = "anonymous-cancel"


def event_link(event):
    """The public address of an event's page."""
    return public_url("events.show", uuid=event.uuid)


def participation_token(participation, purpose):
    """A token naming one participation, for a link in an email (cancel, stop reminders or messages)."""
    # Signed, not stored, so every email can carry a link that keeps working; the creation time
    # in it keeps an old link from matching a later row that reuses the id.
    return sign([participation.id, participation.created_at.isoformat()], purpose)


def participation_by_token(token, purpose, condition=True, invalid=None):
    """The participation a participation_token of this purpose names (and matching condition), else
    NotFound with the invalid message."""
    signed = unsign(token, purpose)
    participation = None
    if isinstance(signed, list) and len(signed) == 2 and isinstance(signed[0], int):
        participation = Participation.get_or_none((Participation.id == signed[0]) & condition)
    if participation is None or participation.created_at.isoformat() != signed[1]:
        raise NotFound(invalid or _("This link is invalid, or the participation it was for no longer exists."))
    return participation


def cancel_link(participation):
    """For an anonymous participant, the link that cancels their participation (else None)."""
    if participation.actor_id is not None:
        return None
    return public_url("participation.cancel_anonymous", token=participation_token(participation, CANCEL_PURPOSE))


def recipient(participation, account=None):
    """(email, locale, cancel link) to write to about a participation, or None."""
    if participation.actor_id is None:
        return participation.email, participation.locale, cancel_link(participation)
    if participation.actor.account_id is None:
        return None  # an identity of another server: its own server tells it
    account = account or Account.get_or_none(Account.id == participation.actor.account_id)
    return (account.email, account.locale, None) if account else None


def notify_participants(event, actor, template, only_on=None, **context):
    """Email those who take part or wait for approval or a seat about a change (one SMTP connection for all);
    only_on: a change of the date of a series whose RECURRENCE-ID it is, told to those on that date."""
    mail.send_batch(participant_mails(event, actor, template, only_on, **context))


def participant_mails(event, actor, template, only_on=None, **context):
    """The emails of notify_participants, as a list of mail.Outgoing (each address once; context may
    override what each carries, as cancel_link=None)."""
    rows = (
        Participation.select(Participation, Actor, Account)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .join(Account, JOIN.LEFT_OUTER, on=(Actor.account == Account.id))
        .where((Participation.event == event) & Participation.role.in_([*GOING_ROLES, NOT_APPROVED, WAITLISTED])
               & (Participation.actor.is_null() | (Participation.actor != actor.id)))
    )
    if only_on is not None:
        rows = rows.where(on_date(only_on))
    return participation_mails(event, rows, template, **context)


def participation_mails(event, participations, template, **context):
    """The emails (mail.Outgoing) telling the people of these participations in event, each address once, in
    its language (context as for participant_mails)."""
    recipients, allowed = {}, set()
    for row in participations:
        found = recipient(row, row.actor.account if row.actor_id and row.actor.account_id else None)
        if found:
            recipients.setdefault(found[0], found[1:])
            if may_see_online_address(event, row):
                allowed.add(found[0])
    link = event_link(event)
    return [
        mail.Outgoing(email, template, locale, dict(
            dict(event=event, link=link, cancel_link=cancel,
                 online_address=event.online_url if email in allowed else ""), **context))
        for email, (locale, cancel) in recipients.items()
    ]
