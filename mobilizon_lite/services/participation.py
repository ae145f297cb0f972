"""Taking part in events: join, leave, approval requests, invitations and the waiting list, and what each
identity may do on an event's pages (actions_for); organisers' decisions are in decisions.py."""
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn

from .. import mail
from ..activitypub.convert.activities import answer_to_ap, join_to_ap, leave_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import database, utcnow
from ..dialect import greatest, lock_rows, same
from ..models import Actor, Event, EventInvitation, Participation
from ..models.limits import MESSAGE_MAX
from ..models.participation import (
    NOT_APPROVED,
    NOT_CONFIRMED,
    ORGANIZER_ROLES,
    PARTICIPANT,
    REJECTED,
    ROLES,
    WAITLISTED,
)
from ..urls import public_url
from . import notifications
from .comments import check_comment
from .errors import Full, Invalid, NotFound, PermissionDenied, RegistrationsElsewhere, refusal
from .event_access import group_organizer_ids, online_address_for, organizer_ids, require_organizer, require_visible_to
from .identities import public_identity
from .occurrences import dated
from .participant_mail import event_link, recipient
from .prepared import shaped
from .reminders import sync_participation
from .rows import ParticipationRow, read_with_actors, with_actors_query
from .seats import going_count, on_date, others_than
from .servers import takes_remote_participation


def check_open(event):
    """PermissionDenied when the event can no longer be joined."""
    if event.is_cancelled:
        raise PermissionDenied(_("This event is cancelled."))
    if (event.ends_on or event.begins_on) < utcnow():
        raise PermissionDenied(_("This event is over."))
    if event.registers_elsewhere:
        raise PermissionDenied(_("People register for this event on another website."))


def clean_message(message):
    """The optional message to the organisers, checked."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(_("At most %(max)d characters.", max=MESSAGE_MAX), "message")
    return message


def _lock_seats(event):
    # Joins and leaves of one event wait for each other from here to their commit: each counts the seats
    # the ones before it took or freed.
    lock_rows(Event.select(Event.id).where(Event.id == event.id))


def require_seat(event, going=None, date=None, besides=None):
    """Full when the event is (going: how many go, when the caller counted them), on the date of a
    series whose RECURRENCE-ID is date (None: on every one; besides: seats.others_than the person
    taking it, whose seats on single dates it replaces); call inside a write transaction."""
    if event.capacity is not None and going is None:
        _lock_seats(event)
        going = going_count(event, date, besides)
    if event.capacity is not None and going >= event.capacity:
        raise Full(_("This date is full.") if date is not None else _("This event is full."))


def joining_role(event, going=None, date=None, besides=None):
    """The role joining the event (date: one date of a series, as for require_seat) gives now: awaiting
    approval, participant, or in line when it is full and has a waiting list; Full when it is full
    without one (going and besides as for require_seat; call inside a write transaction to act on the
    answer)."""
    if event.needs_approval:
        return NOT_APPROVED
    try:
        require_seat(event, going, date, besides)
    except Full:
        if not event.waiting_list:
            raise
        return WAITLISTED
    return PARTICIPANT


def same_dates(ahead, participation):
    """The condition that ahead (Participation or an alias) names the same date as participation (a row,
    or an alias in a query), or that both name every date."""
    return same(ahead.recurrence_id, participation.recurrence_id)


def in_line_before(ahead, participation):
    """The condition that ahead (Participation or an alias) is in the same line for seats as a waitlisted
    participation (a row, or a Participation alias in a query), before it or it: each date of a series
    has its own line."""
    return ((ahead.event_id == participation.event_id) & (ahead.role == WAITLISTED) & same_dates(ahead, participation)
            & ((ahead.waiting_since < participation.waiting_since)
               | ((ahead.waiting_since == participation.waiting_since) & (ahead.id <= participation.id))))


def waiting_position(participation):
    """A waitlisted participation's place in line (1: next to get a seat)."""
    return Participation.select().where(in_line_before(Participation, participation)).count()


def fill_seats(event):
    """Give the seats left in a local event to those in line, first come first served, in each line (the
    whole series' first, then each date's): each becomes a participant, is accepted (an Accept to their
    server) and emailed, both queued in the caller's write transaction: call it in the transaction that
    freed seats. The participations promoted."""
    # Nobody is given a seat of an event that is cancelled or over (check_open's refusals).
    if not event.is_local or refusal(check_open, event) is not None:
        return []
    # The capacity as it is now, under the write lock: the event at hand may be older.
    _lock_seats(event)
    capacity = Event.select(Event.capacity).where(Event.id == event.id).scalar()
    lines = Participation.select(Participation.recurrence_id).where(
        (Participation.event == event) & (Participation.role == WAITLISTED)).distinct()
    dates = sorted((row.recurrence_id for row in lines), key=lambda date: (date is not None, date))
    return [promoted for date in dates for promoted in _fill_line(event, capacity, date)]


def _fill_line(event, capacity, date):
    """fill_seats for one line: the whole series' (date None) or one date's."""
    query = (Participation.select().where((Participation.event == event) & (Participation.role == WAITLISTED)
                                          & (Participation.recurrence_id == date))
             .order_by(Participation.waiting_since, Participation.id))
    if capacity is not None and date is None and event.repeats:
        # Each one's own seats on single dates make way for their seat on every date: counted one by one.
        promoted = []
        for participation in query:
            if going_count(event, None, others_than(participation)) >= capacity:
                break
            _seat(event, participation)
            promoted.append(participation)
        return promoted
    if capacity is not None:
        free = capacity - going_count(event, date)
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(query)
    for participation in promoted:
        _seat(event, participation)
    return promoted


def _seat(event, participation):
    """Give a waitlisted participation its seat: accepted (an Accept to its server) and emailed."""
    participation.waiting_since = None
    set_role(participation, PARTICIPANT)
    answer_remote(event, participation, "Accept")
    tell(participation, "mail/waiting_list_seat.txt")


def withdraw_everywhere(actors):
    """Take identities (Actor ids: a query or a list) off every event, deleted or suspended: their seats
    go to those in line. How many participations went; call inside a transaction."""
    freed = list(Event.select().where(Event.id.in_(
        Participation.select(Participation.event).where(Participation.actor.in_(actors)
                                                        & (Participation.role == PARTICIPANT)))))
    count = Participation.delete().where(Participation.actor.in_(actors)).execute()
    for event in freed:
        fill_seats(event)
    return count


def is_invited(event, actor):
    """True when the organisers invited this identity."""
    return EventInvitation.select().where(
        (EventInvitation.event == event) & (EventInvitation.actor == actor)
    ).exists()


# For the checks below: the caller has not read the identity's participation (None says it has none).
UNREAD = object()


def participation_of(event, actor, known=UNREAD, date=None):
    """The identity's participation in the event (in every date; date: in the one date of a series whose
    RECURRENCE-ID it is), or None (known: the caller's reading of it, if any)."""
    if known is not UNREAD:
        return known
    if actor is None:
        return None
    return Participation.select().where((Participation.event == event) & (Participation.actor == actor)
                                        & (Participation.recurrence_id == date)).first()


@shaped(lambda count: count + 1)
def _account_rows(_count, event_id, *identity_ids):
    return Participation.select().where((Participation.event == event_id) & (
        Participation.actor.in_(list(identity_ids)) | Participation.role.in_(ORGANIZER_ROLES)))


def participations_of(event, identities):
    """(the participations of these identities (an account's) in the event, the event's organizer_ids),
    in one query."""
    by_id = {identity.id: identity for identity in identities}
    rows = list(_account_rows(len(by_id)).rows(event.id, *by_id))
    organizers = ({row.actor_id for row in rows if row.role in ORGANIZER_ROLES} | {event.organizer_id}
                  | group_organizer_ids(event))
    mine = [row for row in rows if row.actor_id in by_id]
    for row in mine:
        row.actor = by_id[row.actor_id]
    return mine, organizers


def _require_new(event, actor, known=UNREAD, date=None):
    """Refuse a second participation of the same identity (in a date, date as for participation_of, when
    it takes part in every one); call inside a write transaction (known: as for participation_of)."""
    existing = participation_of(event, actor, known, date)
    if existing is not None:
        if existing.role == REJECTED:
            raise PermissionDenied(_("The organisers declined your participation."))
        raise Invalid(_("You already take part in this date.") if date is not None
                      else _("You already take part in this event."))
    if date is not None:
        whole = participation_of(event, actor)
        if whole is not None:
            if whole.role == REJECTED:
                raise PermissionDenied(_("The organisers declined your participation."))
            raise Invalid(_("You already take part in every date of this event."))


def replace_dates(participation):
    """A person's participation in every date replaces theirs in single dates: their places in those
    dates' lines and their requests at once, their seats once it holds one on every date (declined
    ones stay declined). Call inside the write transaction that gave participation its role."""
    if participation.recurrence_id is not None or participation.actor_id is None and participation.email is None:
        return
    replaced = [WAITLISTED, NOT_APPROVED, NOT_CONFIRMED] + ([PARTICIPANT] if participation.role == PARTICIPANT else [])
    Participation.delete().where((Participation.event == participation.event_id) & ~others_than(participation)
                                 & Participation.recurrence_id.is_null(False)
                                 & Participation.role.in_(replaced)).execute()


def check_admit(event, actor, known=UNREAD, going=None, date=None):
    """Refuse an identity (None: anyone) that a local event cannot take: not invited to an
    invite-only event, there already, or no seat left where joining takes one (and no waiting list);
    else the role joining gives (joining_role). Call inside a write transaction to act on the answer
    (known as for participation_of, going and date as for require_seat)."""
    if actor is not None:
        if event.invite_only and not is_invited(event, actor):
            raise PermissionDenied(_("Only people the organisers invited can join this event."))
        _require_new(event, actor, known, date)
    besides = others_than(Participation(actor=actor)) if actor is not None and date is None else None
    return joining_role(event, going, date, besides)


def admit(event, actor, message="", join_id=None, date=None):
    """Let an identity of here or of another server into a local event (date: only into the date of a
    series whose RECURRENCE-ID it is), under its join mode and capacity: a participant, awaiting
    approval, or in line on its waiting list."""
    # IMMEDIATE takes SQLite's write lock before counting, so two joins cannot both see a free seat.
    with database.atomic("IMMEDIATE"):
        role = check_admit(event, actor, date=date)
        participation = Participation.create(event=event, actor=actor, role=role, message=message, ap_id=join_id,
                                             waiting_since=utcnow() if role == WAITLISTED else None,
                                             recurrence_id=date)
        replace_dates(participation)
        sync_participation(participation)
    if role == NOT_APPROVED:
        notify_organizers(event, actor)
    return participation


def check_join(event, actor, known=UNREAD, going=None):
    """Refuse what join() would refuse of this identity (None: a visitor, checked for what holds
    for everyone: the event closed or full), short of asking another server what it runs (known
    as for participation_of, going as for require_seat)."""
    if actor is not None:
        require_visible_to(event, actor)
    check_open(event)
    if event.is_local:
        check_admit(event, actor, known, going)
    elif actor is not None:
        _require_new(event, actor, known)


def join(event, actor, message=""):
    """Join as one identity: participant at once, in line on the waiting list, or awaiting approval
    (on an event of another server, until that server's Accept or Reject)."""
    message = clean_message(message)
    require_visible_to(event, actor)
    check_open(event)
    # What check_join adds is checked once, under the write lock.
    if event.is_local:
        return admit(event, actor, message)
    # Pages say so once the software is known (registrations_elsewhere); until then, the Join asks.
    if not takes_remote_participation(event.organizer):
        raise RegistrationsElsewhere(_("%(server)s does not take registrations from other servers.",
                                       server=event.organizer.domain))
    with database.atomic("IMMEDIATE"):
        _require_new(event, actor)
        participation = Participation.create(event=event, actor=actor, role=NOT_APPROVED, message=message,
                                             ap_id=new_activity_id())
        publish(actor, join_to_ap(participation.ap_id, actor, event, message), [event.organizer])
    return participation


def check_leave(event, participation, organizers=None):
    """Refuse to let this participation (None: none) go: the last organiser stays, and a person
    declined here stays declined (organizers: the event's organizer_ids, if known)."""
    if participation is None:
        raise NotFound(_("You do not take part in this event."))
    # Declined by another server, one may withdraw and ask again: that server keeps its own list.
    if participation.role == REJECTED and event.is_local:
        raise PermissionDenied(_("The organisers declined your participation."))
    if participation.role in ORGANIZER_ROLES and not (
            organizer_ids(event) if organizers is None else organizers) - {participation.actor_id}:
        raise PermissionDenied(_("You are the last organiser: you cannot leave this event."))


def leave(event, actor, date=None):
    """Stop taking part (date: in the one date of a series, as for participation_of), when check_leave
    allows; the seat goes to the first in line."""
    with database.atomic("IMMEDIATE"):
        participation = participation_of(event, actor, date=date)
        check_leave(event, participation)
        participation.delete_instance()
        fill_seats(event)
        if not event.is_local and actor.is_local:
            publish(actor, leave_to_ap(new_activity_id(), actor, event), [event.organizer])
            if participation.role == PARTICIPANT:
                count_remote_seat(event, -1)


def count_remote_seat(event, change):
    """Keep a remote event's participant count right until its server sends the next figure."""
    if event.remote_participant_count is not None:
        Event.update(remote_participant_count=greatest(Event.remote_participant_count + change, 0)).where(
            Event.id == event.id).execute()


def answer_remote(event, participation, verb, decider=None):
    """Tell a participant from another server that the organisers accepted or rejected their Join:
    the moderator who decided (decider) answers for a group's event, as Mobilizon's do, else its organiser."""
    actor = participation.actor
    if actor is None or actor.is_local:
        return
    group = event.attributed_to if event.attributed_to_id is not None else None
    sender = decider if group is not None and decider is not None else event.organizer
    join = join_to_ap(participation.ap_id, actor, event, participation.message)
    publish(sender, answer_to_ap(new_activity_id(), verb, sender, join, group), [actor])


def set_role(participation, role):
    """Give participation role, saved with its reminders; as a participant, it replaces the person's places
    in single dates (replace_dates)."""
    participation.role = role
    participation.updated_at = utcnow()
    with database.atomic():
        participation.save()
        if role == PARTICIPANT:
            replace_dates(participation)
        sync_participation(participation)


def tell(participation, template):
    """Email a confirmed anonymous participant, or a local participant's account if it wants to hear of
    decisions, about their participation."""
    event = participation.event
    context = {"event": event, "link": event_link(event), "date": dated(event, participation),
               "online_address": online_address_for(event, participation)}
    if participation.actor_id is not None:
        notifications.notify_identities(notifications.DECISIONS, [participation.actor_id], template,
                                        lambda _account: dict(context, cancel_link=None))
        return
    email, locale, cancel = recipient(participation)
    mail.send_mail(email, template, locale, cancel_link=cancel, **context)


def check_invite(event, organizer, organizers=None):
    """Refuse invitations but by an organiser, to an invite-only or private event."""
    require_organizer(event, organizer, organizers)
    if not (event.invite_only or event.is_private):
        raise PermissionDenied(_("Invitations are for invite-only and private events."))


def invite(event, organizer, username):
    """Invite a local identity, by @username, to an invite-only or private event; they are emailed."""
    check_invite(event, organizer)
    identity = public_identity((username or "").strip().lstrip("@"))
    try:
        EventInvitation.create(event=event, actor=identity, invited_by=organizer)
    except IntegrityError:
        raise Invalid(_("@%(username)s is already invited.", username=identity.preferred_username),
                      "username") from None
    notifications.notify_identities(notifications.INVITATIONS, [identity.id], "mail/event_invitation.txt",
                                    lambda _account: {"event": event, "identity": identity, "link": event_link(event)})
    return identity


def actions_for(event, actor, organizers=None, known=UNREAD, going=None):
    """The actions the event's pages offer one identity (None: a visitor), each iff its own check
    allows it: join, leave, comment, manage (edit, delete, participants), invite (organizers: the
    event's organizer_ids, known as for participation_of, going as for require_seat, when the page
    has read them)."""
    if actor is None:
        return {"join"} if refusal(check_join, event, None, None, going) is None else set()
    organizers = organizer_ids(event) if organizers is None else organizers
    known = participation_of(event, actor, known)
    checks = {
        "join": (check_join, event, actor, known, going),
        "leave": (check_leave, event, known, organizers),
        "comment": (check_comment, event, actor),
        "manage": (require_organizer, event, actor, organizers),
        "invite": (check_invite, event, actor, organizers),
    }
    return {action for action, (check, *args) in checks.items() if refusal(check, *args) is None}


def _participants_query(event, role=None, date=None):
    query = (
        Participation.select(Participation, Actor)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .where(Participation.event == event)
        .order_by(Participation.created_at, Participation.id)
    )
    query = query.where(Participation.role == role) if role else query
    return query.where(on_date(date)) if date is not None else query


def participants(event, role=None, date=None):
    """Participations of the event with their identities, optionally of one role, optionally those on
    one date of a series (date: its RECURRENCE-ID; whole-series participations are on every date)."""
    return list(_participants_query(event, role, date))


@shaped(lambda shape: 3 + sum(shape))
def _participants_rows(shape, event_id, limit, offset, *given):
    role, date = (given[0] if shape[0] else None), (given[-1] if shape[1] else None)
    return with_actors_query(_participants_query(event_id, role, date).limit(limit).offset(offset),
                             ParticipationRow)


def participants_page(event, role, page, per_page, date=None):
    """One page of participants() as ParticipationRows, and one row more when a next page exists."""
    values = ((event.id, per_page + 1, (page - 1) * per_page) + ((role,) if role else ())
              + ((Participation.recurrence_id.db_value(date),) if date is not None else ()))
    return read_with_actors(_participants_rows((bool(role), date is not None)).rows(*values), ParticipationRow)


def role_counts(event, date=None):
    """How many participations of the event (on one date of a series, as for participants) have each role."""
    query = (Participation.select(Participation.role, fn.COUNT(Participation.id))
             .where(Participation.event == event.id).group_by(Participation.role).tuples())
    return {role: 0 for role in ROLES} | dict(query.where(on_date(date)) if date is not None else query)


def notify_organizers(event, actor):
    """Email the organisers (for a group's event, its moderators and administrators too) that actor
    (None: an anonymous visitor) waits for their approval: one email per account, in its language."""
    context = {"event": event, "identity": actor, "link": public_url("participation.participants", uuid=event.uuid)}
    notifications.notify_identities(notifications.REQUESTS, organizer_ids(event), "mail/participation_requested.txt",
                                    lambda _account: context)


def organizer_mails(event, actor, template):
    """The emails (mail.Outgoing) telling each organiser's account, in its language, of actor (None: an
    anonymous visitor) on the event, with the participants page's link."""
    return [notifications.outgoing(account, template, {
        "event": event, "identity": actor, "link": public_url("participation.participants", uuid=event.uuid)})
            for account in notifications.accounts_of(organizer_ids(event))]
