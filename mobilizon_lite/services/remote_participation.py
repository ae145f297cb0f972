"""Participation across servers: Join and Leave of our events, Accept and Reject of our Joins, and
the Joins that the server of an event will never answer."""
from ..activitypub.vocab import get_id
from ..db import database, utcnow
from ..models import Activity, Actor, Delivery, Event, Participation
from ..models.federation import DONE, FAILED, GONE, IGNORED
from ..models.limits import MESSAGE_MAX
from ..models.participation import NOT_APPROVED, PARTICIPANT, REJECTED
from ..text import text_line
from ..urls import host_of
from . import group_roles, reminders
from .errors import NotFound, ServiceError
from .event_access import require_visible_to
from .events import events_query
from .participation import (
    admit,
    answer_remote,
    check_open,
    count_remote_seat,
    leave,
    participation_of,
    tell,
)
from .remote_events import refresh_for_participants
from .servers import NO_REMOTE_PARTICIPATION, known_software


def _local_event(item):
    event_id = get_id(item.body.get("object"))
    if not event_id:
        return None
    return events_query().where((Event.ap_id == event_id) & Actor.domain.is_null()).first()


def on_join_event(item):
    """A remote identity asks to join one of our events, under the rules people of here follow; a
    refusal is answered with a Reject, an event it may not see ignored (its existence unconfirmed)."""
    event = _local_event(item)
    if event is None:
        return IGNORED
    existing = participation_of(event, item.actor)
    if existing is not None:
        return _join_again(event, existing, item.activity_id)
    try:
        require_visible_to(event, item.actor)
    except NotFound:
        return IGNORED
    message = text_line(item.body.get("participationMessage"), MESSAGE_MAX)
    try:
        check_open(event)
        participation = admit(event, item.actor, message, join_id=item.activity_id)
    except ServiceError:
        existing = participation_of(event, item.actor)
        if existing is not None:  # the same Join, handled twice at once: the other run answers
            return DONE
        refused = Participation(event=event, actor=item.actor, ap_id=item.activity_id, message=message)
        answer_remote(event, refused, "Reject")
        return DONE
    if participation.role == PARTICIPANT:
        answer_remote(event, participation, "Accept")
    return DONE


def _join_again(event, participation, join_id):
    """A Join sent again (its answer lost, say) gets the same answer again, naming the new Join."""
    Participation.update(ap_id=join_id).where(Participation.id == participation.id).execute()
    participation.ap_id = join_id
    if participation.role in (PARTICIPANT, REJECTED):
        answer_remote(event, participation, "Accept" if participation.role == PARTICIPANT else "Reject")
    return DONE


def on_leave_event(item):
    """A remote identity leaves one of our events (or withdraws its request)."""
    event = _local_event(item)
    if event is None:
        return IGNORED
    try:
        leave(event, item.actor)
    except ServiceError:
        return IGNORED
    return DONE


def on_accept_join(item):
    """The event's server accepts a Join one of our identities sent."""
    return _answered(item, accepted=True)


def on_reject_join(item):
    """The event's server refuses a Join one of our identities sent."""
    return _answered(item, accepted=False)


def _answered(item, accepted):
    """Accept or Reject, by the event's server, of a Join one of our identities sent."""
    join_id = get_id(item.body.get("object"))
    participation = (Participation.select(Participation, Event).join(Event)
                     .where(Participation.ap_id == join_id).first()) if join_id else None
    if participation is None or participation.actor_id is None or not participation.actor.is_local:
        return IGNORED
    event = participation.event
    if event.is_local or not _may_answer(item.actor, event):
        return IGNORED
    role = PARTICIPANT if accepted else REJECTED
    if participation.role == role:
        return DONE
    with database.atomic():
        Participation.update(role=role, updated_at=utcnow()).where(Participation.id == participation.id).execute()
        if accepted or participation.role == PARTICIPANT:
            count_remote_seat(event, 1 if accepted else -1)
        was_waiting_for_people = participation.role == NOT_APPROVED and event.needs_approval
        participation.role = role
        reminders.sync_participation(participation)
    if accepted:
        # Now one of those taking part: its server gives us what only they may see.
        event = participation.event = refresh_for_participants(event)
    if not accepted:
        tell(participation, "mail/participation_rejected.txt")
    elif was_waiting_for_people:
        tell(participation, "mail/participation_approved.txt")
    return DONE


def _may_answer(actor, event):
    """Whether actor may accept or refuse Joins of an event of another server: an actor of the event's
    server (its organiser, a co-organiser: lists that server keeps). A group's event is answered by
    the group or any of its moderators; those of that server whose membership of the group we hold
    must have a role that manages its events (one we do not know is believed: roles live there)."""
    if host_of(actor.ap_id) != host_of(event.ap_id):
        return False
    group = event.attributed_to if event.attributed_to_id is not None else None
    if group is None or actor.id == group.id:
        return True
    row = group_roles.membership(group, actor)
    return row is None or group_roles.allows(row.role, "manage_events")


def registrations_elsewhere(event, participations):
    """True when the server of an event from elsewhere will never answer a Join from here: it runs
    software known to take none, or it refused one of these Joins (404, 410…) or was given up on."""
    if event.is_local:
        return False
    if known_software(event.organizer.domain) in NO_REMOTE_PARTICIPATION:
        return True
    join_ids = [p.ap_id for p in participations if p.role == NOT_APPROVED and p.ap_id]
    return bool(join_ids) and (Delivery.select().join(Activity)
                               .where(Activity.ap_id.in_(join_ids) & Delivery.state.in_([FAILED, GONE])).exists())
