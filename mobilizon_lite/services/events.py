"""Events: create, change, cancel, delete, and the one visibility filter every listing uses."""
import uuid as uuid_lib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from peewee import JOIN, fn

from .. import mail
from ..db import database, utcnow
from ..models import Actor, Event, EventInvitation, Participation
from ..models.participation import (CREATOR, GOING_ROLES, NOT_APPROVED, ORGANIZER_ROLES,
                                    PARTICIPANT, SEAT_ROLES)
from ..tokens import sign
from ..urls import public_url
from . import pictures
from .errors import NotFound, PermissionDenied
from .event_input import clean_event_input

CANCEL_PURPOSE = "anonymous-cancel"
# Changes that participants are emailed about.
WATCHED_FIELDS = ("begins_on", "ends_on", "timezone", "place_name", "street", "postal_code",
                  "locality", "region", "country", "online_url")


def visible(viewer_ids=(), listed=True):
    """The condition that hides events from those who may not see them.

    Listings (listed=True) show public events; a direct link also opens unlisted ones; private
    events are visible only to their organiser, participants and invitees among the viewer's identities.
    """
    condition = Event.visibility == "public"
    if not listed:
        condition |= Event.visibility == "unlisted"
    if viewer_ids:
        ids = list(viewer_ids)
        involved = Participation.select(Participation.event).where(
            Participation.actor.in_(ids) & Participation.role.not_in(["rejected"])
        )
        invited = EventInvitation.select(EventInvitation.event).where(EventInvitation.actor.in_(ids))
        condition |= Event.organizer.in_(ids) | Event.id.in_(involved) | Event.id.in_(invited)
    return condition


def events_query():
    """Events with their organiser loaded."""
    return Event.select(Event, Actor).join(Actor, on=(Event.organizer == Actor.id))


def upcoming_public(page, per_page, past=False):
    """One page of public events, upcoming soonest first (or past, latest first)."""
    now = utcnow()
    ends = fn.COALESCE(Event.ends_on, Event.begins_on)
    query = events_query().where(visible())
    if past:
        query = query.where(ends < now).order_by(Event.begins_on.desc())
    else:
        query = query.where(ends >= now).order_by(Event.begins_on)
    # One row more than a page tells whether a next page exists.
    return list(query.limit(per_page + 1).offset((page - 1) * per_page))


def visible_event(uuid, viewer_ids=()):
    """The event with this uuid when the viewer may see it; NotFound otherwise (no 403: no leak)."""
    event = events_query().where((Event.uuid == uuid) & visible(viewer_ids, listed=False)).first()
    if event is None:
        raise NotFound(_("This event does not exist, or is not visible to you."))
    return event


def organizer_ids(event):
    """Ids of the identities that organise the event."""
    return {
        row.actor_id for row in Participation.select(Participation.actor).where(
            (Participation.event == event) & Participation.role.in_(ORGANIZER_ROLES)
        )
    } | {event.organizer_id}


def require_organizer(event, actor):
    """PermissionDenied unless actor organises the event."""
    if actor is None or actor.id not in organizer_ids(event):
        raise PermissionDenied(_("Only the organisers of this event can do this."))


def create_event(organizer, data, picture=None):
    """Publish a new event organised by one identity; the organiser takes part as creator."""
    values = clean_event_input(data)
    picture_name = pictures.save_picture(picture) if picture else None
    event_uuid = str(uuid_lib.uuid4())
    try:
        with database.atomic():
            event = Event.create(
                uuid=event_uuid, ap_id=public_url("events.show", uuid=event_uuid),
                organizer=organizer, picture=picture_name, **values,
            )
            Participation.create(event=event, actor=organizer, role=CREATOR)
    except Exception:
        pictures.delete_picture(picture_name)
        raise
    return event


def update_event(event, actor, data, picture=None, remove_picture=False):
    """Change an event (organisers only); bumps its sequence and emails participants of changes."""
    require_organizer(event, actor)
    values = clean_event_input(data)
    old_picture = event.picture
    new_picture = pictures.save_picture(picture) if picture else None
    changed = [name for name in WATCHED_FIELDS if getattr(event, name) != values[name]]
    newly_cancelled = values["status"] == "cancelled" and event.status != "cancelled"
    for name, value in values.items():
        setattr(event, name, value)
    if new_picture or remove_picture:
        event.picture = new_picture
    event.sequence += 1
    event.updated_at = utcnow()
    try:
        event.save()
    except Exception:
        pictures.delete_picture(new_picture)
        raise
    if new_picture or remove_picture:
        pictures.delete_picture(old_picture)
    if newly_cancelled:
        notify_participants(event, actor, "mail/event_cancelled.txt")
    elif changed:
        notify_participants(event, actor, "mail/event_changed.txt", changed=changed)
    return event


def delete_event(event, actor):
    """Delete an event and everything attached to it (organisers only)."""
    require_organizer(event, actor)
    with database.atomic():
        event.delete_instance(recursive=True)
    pictures.delete_picture(event.picture)


def cancel_link(participation):
    """For an anonymous participant, the link that cancels their participation (else None)."""
    if participation.actor_id is not None:
        return None
    # Signed, not stored: every email to them can carry a link that keeps working.
    return public_url("participation.cancel_anonymous", token=sign(participation.id, CANCEL_PURPOSE))


def participant_recipients(event, exclude_actor=None):
    """email -> (locale, cancel link) of everyone with an email who takes part or waits for approval."""
    rows = (
        Participation.select(Participation, Actor)
        .join(Actor, JOIN.LEFT_OUTER, on=(Participation.actor == Actor.id))
        .where((Participation.event == event)
               & Participation.role.in_([*GOING_ROLES, NOT_APPROVED]))
    )
    recipients = {}
    for row in rows:
        if row.actor_id is None:
            recipients.setdefault(row.email, (row.locale, cancel_link(row)))
        elif row.actor_id != getattr(exclude_actor, "id", None) and row.actor.account_id:
            account = row.actor.account
            recipients.setdefault(account.email, (account.locale, None))
    return recipients


def notify_participants(event, actor, template, **context):
    """Email participants about a change to the event (one SMTP connection for all)."""
    link = public_url("events.show", uuid=event.uuid)
    mail.send_batch(
        mail.Outgoing(email, template, locale, dict(context, event=event, link=link, cancel_link=cancel))
        for email, (locale, cancel) in participant_recipients(event, exclude_actor=actor).items()
    )


def going_count(event):
    """How many participants hold a seat (organisers are not counted, as in Mobilizon)."""
    return Participation.select().where(
        (Participation.event == event) & Participation.role.in_(SEAT_ROLES)
    ).count()


def remaining_seats(event, count=None):
    """Seats left, or None when there is no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - (going_count(event) if count is None else count), 0)


def events_of(actor, viewer_ids=()):
    """(upcoming, past) events an identity organises, as the viewer may see them in listings."""
    now = utcnow()
    ends = fn.COALESCE(Event.ends_on, Event.begins_on)
    base = events_query().where((Event.organizer == actor) & visible(viewer_ids))
    upcoming = list(base.where(ends >= now).order_by(Event.begins_on))
    past = list(base.where(ends < now).order_by(Event.begins_on.desc()).limit(50))
    return upcoming, past


def my_events(identity_ids):
    """The account's events by relation: organised, going, awaiting approval."""
    rows = (
        Participation.select(Participation, Event, Actor)
        .join(Event).join(Actor, on=(Event.organizer == Actor.id))
        .where(Participation.actor.in_(list(identity_ids)))
        .order_by(Event.begins_on)
    )
    groups = {"organised": [], "going": [], "pending": []}
    for row in rows:
        if row.role in ORGANIZER_ROLES:
            groups["organised"].append(row)
        elif row.role == PARTICIPANT:
            groups["going"].append(row)
        elif row.role == NOT_APPROVED:
            groups["pending"].append(row)
    return groups


def event_zone(event):
    """The event's time zone (UTC if the stored name is unknown to this machine)."""
    try:
        return ZoneInfo(event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
