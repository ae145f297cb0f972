"""Taking part in events: join, leave, approval, invitations and anonymous participation."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn

from .. import mail
from ..db import database, utcnow
from ..models import Account, Actor, EventInvitation, Participation
from ..models.participation import (NOT_APPROVED, NOT_CONFIRMED, ORGANIZER_ROLES, PARTICIPANT,
                                    REJECTED, ROLES)
from ..tokens import hash_token, new_token, unsign
from ..urls import public_url
from .accounts import normalize_email
from .errors import Invalid, NotFound, PermissionDenied
from .events import CANCEL_PURPOSE, cancel_link, going_count, organizer_ids, require_organizer
from .identities import public_identity

MESSAGE_MAX = 1000


def _check_open(event):
    if event.is_cancelled:
        raise PermissionDenied(_("This event is cancelled."))
    if (event.ends_on or event.begins_on) < utcnow():
        raise PermissionDenied(_("This event is over."))
    if event.join_mode == "external":
        raise PermissionDenied(_("People register for this event on another website."))


def _clean_message(message):
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(_("At most %(max)d characters.", max=MESSAGE_MAX), "message")
    return message


def _require_seat(event):
    """PermissionDenied when the event is full; call inside a write transaction."""
    if event.capacity is not None and going_count(event) >= event.capacity:
        raise PermissionDenied(_("This event is full."))


def is_invited(event, actor):
    """True when the organisers invited this identity."""
    return EventInvitation.select().where(
        (EventInvitation.event == event) & (EventInvitation.actor == actor)
    ).exists()


def participation_of(event, actor):
    """The identity's participation in the event, or None."""
    if actor is None:
        return None
    return Participation.select().where((Participation.event == event) & (Participation.actor == actor)).first()


def join(event, actor, message=""):
    """Join as one identity: participant at once, or awaiting approval on restricted events."""
    if event.visibility == "private" and not is_invited(event, actor):
        # Callers check visibility too; this keeps a private event's existence hidden all the same.
        raise NotFound(_("This event does not exist, or is not visible to you."))
    _check_open(event)
    message = _clean_message(message)
    if event.join_mode == "invite" and not is_invited(event, actor):
        raise PermissionDenied(_("Only people the organisers invited can join this event."))
    role = NOT_APPROVED if event.join_mode == "restricted" else PARTICIPANT
    # IMMEDIATE takes SQLite's write lock before counting, so two joins cannot both see a free seat.
    with database.atomic("IMMEDIATE"):
        existing = participation_of(event, actor)
        if existing is not None:
            if existing.role == REJECTED:
                raise PermissionDenied(_("The organisers declined your participation."))
            raise Invalid(_("You already take part in this event."))
        if role == PARTICIPANT:
            _require_seat(event)
        participation = Participation.create(event=event, actor=actor, role=role, message=message)
    if role == NOT_APPROVED:
        _notify_organizers(event, actor)
    return participation


def leave(event, actor):
    """Stop taking part; the last organiser cannot leave."""
    with database.atomic("IMMEDIATE"):
        participation = participation_of(event, actor)
        if participation is None:
            raise NotFound(_("You do not take part in this event."))
        if participation.role in ORGANIZER_ROLES and len(organizer_ids(event) - {actor.id}) == 0:
            raise PermissionDenied(_("You are the last organiser: you cannot leave this event."))
        participation.delete_instance()


def _participation_for(event, participation_id):
    participation = Participation.get_or_none(
        (Participation.id == participation_id) & (Participation.event == event)
    )
    if participation is None:
        raise NotFound(_("This participation does not exist."))
    return participation


def _recipient(participation):
    """(email, locale) to write to about a participation, or None."""
    if participation.actor_id is None:
        return participation.email, participation.locale
    account = Account.get_or_none(Account.id == participation.actor.account_id)
    return (account.email, account.locale) if account else None


def _tell(participation, template):
    recipient = _recipient(participation)
    if recipient:
        event = participation.event
        mail.send_mail(recipient[0], template, recipient[1], event=event,
                       link=public_url("events.show", uuid=event.uuid),
                       cancel_link=cancel_link(participation))


def approve(event, organizer, participation_id):
    """Accept a waiting (or rejected) participant, if a seat is left; they are emailed."""
    require_organizer(event, organizer)
    with database.atomic("IMMEDIATE"):
        participation = _participation_for(event, participation_id)
        if participation.role not in (NOT_APPROVED, REJECTED):
            raise Invalid(_("This person does not wait for approval."))
        _require_seat(event)
        participation.role = PARTICIPANT
        participation.updated_at = utcnow()
        participation.save()
    _tell(participation, "mail/participation_approved.txt")
    return participation


def reject(event, organizer, participation_id):
    """Decline a participant (organisers cannot be rejected); they are emailed."""
    require_organizer(event, organizer)
    participation = _participation_for(event, participation_id)
    if participation.role in ORGANIZER_ROLES:
        raise PermissionDenied(_("Organisers cannot be rejected."))
    participation.role = REJECTED
    participation.updated_at = utcnow()
    participation.save()
    _tell(participation, "mail/participation_rejected.txt")
    return participation


def remove(event, organizer, participation_id):
    """Take someone off the list entirely (never an organiser)."""
    require_organizer(event, organizer)
    participation = _participation_for(event, participation_id)
    if participation.role in ORGANIZER_ROLES:
        raise PermissionDenied(_("Organisers cannot be removed."))
    participation.delete_instance()


def invite(event, organizer, username):
    """Invite a local identity, by @username, to an invite-only event; they are emailed."""
    require_organizer(event, organizer)
    identity = public_identity((username or "").strip().lstrip("@"))
    try:
        EventInvitation.create(event=event, actor=identity, invited_by=organizer)
    except IntegrityError:
        raise Invalid(_("@%(username)s is already invited.", username=identity.preferred_username),
                      "username") from None
    account = Account.get_by_id(identity.account_id)
    mail.send_mail(account.email, "mail/event_invitation.txt", account.locale, event=event,
                   identity=identity, link=public_url("events.show", uuid=event.uuid))
    return identity


def participants(event, role=None):
    """Participations of the event with their identities, optionally of one role."""
    query = (
        Participation.select(Participation, Actor)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .where(Participation.event == event)
        .order_by(Participation.created_at)
    )
    if role:
        query = query.where(Participation.role == role)
    return list(query)


def role_counts(event):
    """How many participations of the event have each role."""
    rows = (Participation.select(Participation.role, fn.COUNT(Participation.id).alias("count"))
            .where(Participation.event == event).group_by(Participation.role).tuples())
    return {role: 0 for role in ROLES} | dict(rows)


def _notify_organizers(event, actor):
    """Email the organisers that actor (None: an anonymous visitor) waits for their approval."""
    organizers = Actor.select(Actor, Account).join(Account).where(Actor.id.in_(list(organizer_ids(event))))
    mail.send_batch(
        mail.Outgoing(org.account.email, "mail/participation_requested.txt", org.account.locale,
                      {"event": event, "identity": actor,
                       "link": public_url("participation.participants", uuid=event.uuid)})
        for org in organizers
    )


# Anonymous participation ---------------------------------------------------------------

def anonymous_allowed(event):
    """True when visitors may join this event with only an email address."""
    return (current_app.config["ANONYMOUS_PARTICIPATION"] and event.anonymous_participation
            and event.is_local and event.visibility == "public"
            and event.join_mode in ("free", "restricted"))


def request_anonymous(event, email, message, locale):
    """Email a confirmation link; answers the same whether or not the address already joined."""
    if not anonymous_allowed(event):
        raise PermissionDenied(_("This event cannot be joined without an account."))
    _check_open(event)
    email = normalize_email(email)
    message = _clean_message(message)
    confirm_token, confirm_hash = new_token()
    ttl = timedelta(seconds=current_app.config["ANONYMOUS_CONFIRMATION_TTL"])
    with database.atomic("IMMEDIATE"):
        participation = Participation.get_or_none(
            (Participation.event == event) & (Participation.email == email)
        )
        already = participation is not None and participation.role != NOT_CONFIRMED
        if participation is None:
            participation = Participation(event=event, email=email, role=NOT_CONFIRMED)
        if not already:
            participation.message = message
            participation.locale = locale
            participation.confirm_token_hash = confirm_hash
            participation.confirm_expires_at = utcnow() + ttl
        participation.save()
    links = {
        "event": event,
        "link": public_url("events.show", uuid=event.uuid),
        "cancel_link": cancel_link(participation),
    }
    if already:
        # Someone already registered this address: tell its owner, not the visitor.
        mail.send_mail(email, "mail/anonymous_already.txt", participation.locale or locale, **links)
    else:
        mail.send_mail(email, "mail/anonymous_confirm.txt", locale, hours=int(ttl.total_seconds() // 3600),
                       confirm_link=public_url("participation.confirm_anonymous", token=confirm_token), **links)


def confirm_anonymous(token):
    """Turn a confirmation link into a participation (or a request awaiting approval)."""
    with database.atomic("IMMEDIATE"):
        participation = Participation.get_or_none(
            (Participation.confirm_token_hash == hash_token(token or ""))
            & (Participation.role == NOT_CONFIRMED)
            & (Participation.confirm_expires_at > utcnow())
        )
        if participation is None:
            raise NotFound(_("This confirmation link is invalid, already used or expired."))
        event = participation.event
        _check_open(event)
        if event.join_mode == "restricted":
            participation.role = NOT_APPROVED
        else:
            _require_seat(event)
            participation.role = PARTICIPANT
        participation.confirm_token_hash = None
        participation.confirm_expires_at = None
        participation.updated_at = utcnow()
        participation.save()
    if participation.role == NOT_APPROVED:
        _notify_organizers(event, None)
    return participation


def anonymous_by_cancel_token(token):
    """The anonymous participation a cancel link belongs to, or NotFound."""
    participation_id = unsign(token, CANCEL_PURPOSE)
    participation = None
    if isinstance(participation_id, int):
        participation = Participation.get_or_none(
            (Participation.id == participation_id) & Participation.actor.is_null())
    if participation is None:
        raise NotFound(_("This cancellation link is invalid or was already used."))
    return participation


def cancel_anonymous(token):
    """Withdraw an anonymous participation through its emailed link."""
    participation = anonymous_by_cancel_token(token)
    participation.delete_instance()
    return participation.event


def purge_unconfirmed():
    """Forget anonymous requests whose confirmation link expired; returns how many."""
    return Participation.delete().where(
        (Participation.role == NOT_CONFIRMED) & (Participation.confirm_expires_at <= utcnow())
    ).execute()
