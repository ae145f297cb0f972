"""Joining public events without an account: email confirmation, cancel links, clean-up."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from .. import mail
from ..db import database, utcnow
from ..models import Event, Participation
from ..models.participation import NOT_APPROVED, NOT_CONFIRMED, WAITLISTED
from ..tokens import hash_token, new_token, sign, unsign
from ..urls import public_url
from . import instance, reminders, throttles
from .accounts import normalize_email
from .errors import Invalid, NotFound, PermissionDenied
from .occurrences import dated
from .participant_mail import CANCEL_PURPOSE, cancel_link, event_link, participation_by_token
from .participation import check_open, clean_message, fill_seats, joining_role, notify_organizers, replace_dates
from .seats import others_than

# However often the form is posted, one address gets at most one email per event in this time.
RESEND_AFTER = timedelta(minutes=10)
# A cancel link works until this long after the event ends (or, without an end, starts): long
# enough to withdraw from the participants' list after a late reading, then it is a dead key.
CANCEL_AFTER_END = timedelta(days=7)
LIST_PURPOSE = "anonymous-participations"
NAME_MAX = 100


def check_anonymous(event):
    """Refuse joining with only an email address but on a local public event open to anyone that
    allows it (as the instance does), or once the event is closed."""
    if not (instance.anonymous_participation_enabled() and event.anonymous_participation
            and event.is_local and event.is_public and event.anyone_may_ask):
        raise PermissionDenied(_("This event cannot be joined without an account."))
    check_open(event)


def request_anonymous(event, email, message, locale, address=None, name="", email_shown=False, date=None):
    """Email a confirmation link; answers the same whether or not the address already joined.
    Requests are counted per email address and client address: TooMany after a few in a row. name and
    email_shown: what the organisers may see of the participant (their participants page only); date:
    the RECURRENCE-ID of the one date of a series asked for (None: every date)."""
    check_anonymous(event)
    email = normalize_email(email)
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise Invalid(_("At most %(max)d characters.", max=NAME_MAX), "name")
    throttles.attempt(throttles.keys_for("anonymous", email, address))
    message = clean_message(message)
    confirm_token, confirm_hash = new_token()
    ttl = timedelta(seconds=current_app.config["ANONYMOUS_CONFIRMATION_TTL"])
    now = utcnow()
    with database.atomic("IMMEDIATE"):
        participation = _of_address(event, email, date)
        if participation is None and date is not None:
            # Whoever takes part in every date already has this one.
            participation = _of_address(event, email, None)
            if participation is not None and participation.role == NOT_CONFIRMED:
                participation = None
        if participation is None:
            participation = Participation(event=event, email=email, role=NOT_CONFIRMED, created_at=now,
                                          recurrence_id=date)
        already = participation.role != NOT_CONFIRMED
        last_sent = participation.updated_at if already else (
            participation.confirm_expires_at - ttl if participation.confirm_expires_at else None)
        if last_sent is not None and now - last_sent < RESEND_AFTER:
            return  # someone keeps posting this address: do not flood its inbox
        if not already:
            participation.message, participation.locale = message, locale
            participation.name, participation.email_shown = name, bool(email_shown)
            participation.confirm_token_hash = confirm_hash
            participation.confirm_expires_at = now + ttl
        participation.updated_at = now
        participation.save()
    links = {"event": event, "link": event_link(event), "cancel_link": cancel_link(participation),
             "participations_link": participations_link(email), "date": dated(event, participation)}
    if already:
        # Someone already registered this address: tell its owner, not the visitor.
        mail.send_mail(email, "mail/anonymous_already.txt", participation.locale or locale, **links)
    else:
        mail.send_mail(email, "mail/anonymous_confirm.txt", locale, hours=int(ttl.total_seconds() // 3600),
                       confirm_link=public_url("participation.confirm_anonymous", token=confirm_token), **links)


def _of_address(event, email, date):
    return Participation.get_or_none((Participation.event == event) & (Participation.email == email)
                                     & (Participation.recurrence_id == date))


def awaiting_confirmation(token):
    """The anonymous participation a confirmation link is for, while it waits for the click, or NotFound."""
    participation = Participation.get_or_none(
        (Participation.confirm_token_hash == hash_token(token or ""))
        & (Participation.role == NOT_CONFIRMED)
        & (Participation.confirm_expires_at > utcnow())
    )
    if participation is None:
        raise NotFound(_("This confirmation link is invalid, already used or expired."))
    return participation


def confirm_anonymous(token):
    """Turn a confirmation link into a participation (or a request awaiting approval, or a place in
    the waiting list's line)."""
    with database.atomic("IMMEDIATE"):
        participation = awaiting_confirmation(token)
        event = participation.event
        # The organisers may have changed the event since the link was sent.
        check_anonymous(event)
        every_date = participation.recurrence_id is None
        participation.role = joining_role(event, date=participation.recurrence_id,
                                          besides=others_than(participation) if every_date else None)
        if participation.role == WAITLISTED:
            participation.waiting_since = utcnow()
        participation.confirm_token_hash = None
        participation.confirm_expires_at = None
        participation.updated_at = utcnow()
        participation.save()
        replace_dates(participation)
        reminders.sync_participation(participation)
    if participation.role == NOT_APPROVED:
        notify_organizers(event, None)
    return participation


def anonymous_by_cancel_token(token):
    """The anonymous participation a cancel link belongs to, or NotFound."""
    participation = participation_by_token(token, CANCEL_PURPOSE, Participation.actor.is_null(),
                                           _("This cancellation link is invalid or was already used."))
    if not _still_cancellable(when(participation)):
        raise NotFound(_("This event is over: its cancellation link no longer works."))
    return participation


def participations_link(email):
    """The signed link to the page listing an address's anonymous participations here."""
    return public_url("participation.anonymous_participations", token=sign(email, LIST_PURPOSE))


def when(participation):
    """What a participation is for, as an Event of its times: the one date of a series it names, else its
    event."""
    return dated(participation.event, participation) or participation.event


def _still_cancellable(taking_place):
    """Whether a participation in taking_place (its `when`) may still be cancelled."""
    return (taking_place.ends_on or taking_place.begins_on) + CANCEL_AFTER_END >= utcnow()


def participations_by_token(token):
    """(email, its anonymous participations of events (or dates of a series) not long over, soonest first,
    each with its `when`) for a participations_link token; NotFound for any other token."""
    email = unsign(token, LIST_PURPOSE)
    if not isinstance(email, str):
        raise NotFound(_("This link is invalid."))
    rows = list(Participation.select(Participation, Event).join(Event)
                .where((Participation.email == email) & Participation.actor.is_null()
                       & (Participation.role != NOT_CONFIRMED)))
    for row in rows:
        row.when = when(row)
    listed = [row for row in rows if _still_cancellable(row.when)]
    return email, sorted(listed, key=lambda row: row.when.begins_on)


def cancel_listed(token, participation_id):
    """Withdraw one of the participations listed by a participations_link token; the event."""
    _email, listed = participations_by_token(token)
    participation = next((row for row in listed if row.id == participation_id), None)
    if participation is None:
        raise NotFound(_("This cancellation link is invalid or was already used."))
    return _withdraw(participation)


def cancel_anonymous(token):
    """Withdraw an anonymous participation through its emailed link."""
    return _withdraw(anonymous_by_cancel_token(token))


def _withdraw(participation):
    """Delete an anonymous participation, its seat given to the first in line; the event."""
    with database.atomic():
        participation.delete_instance()
        fill_seats(participation.event)
    return participation.event


def purge_unconfirmed():
    """Forget anonymous requests whose confirmation link expired; returns how many."""
    return Participation.delete().where(
        (Participation.role == NOT_CONFIRMED) & (Participation.confirm_expires_at <= utcnow())
    ).execute()
