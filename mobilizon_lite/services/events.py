"""Events: the queries listings start from, and creating, changing, cancelling and deleting an event."""
import uuid as uuid_lib

from flask_babel import gettext as _
from peewee import fn

from ..activitypub import blocklist
from ..activitypub.publish import withhold
from ..db import database, utcnow
from ..models import Actor, Event, Participation
from ..models.events import Status, Visibility
from ..models.participation import CREATOR
from ..urls import public_url
from . import date_federation, event_cards, group_digest, group_roles, occurrences, pictures, reminders
from .errors import Gone, NotFound
from .event_access import require_organizer, visible
from .event_federation import comment_ids, federate, unlist, withdraw
from .event_input import clean_event_input
from .participant_mail import notify_participants
from .prepared import Value, prepared, shaped
from .rows import EventRow, read_with_actors, with_actors, with_actors_query

# Changes that participants are emailed about.
WATCHED_FIELDS = ("begins_on", "ends_on", "timezone", "place_name", "street", "postal_code",
                  "locality", "region", "country", "online_url", "rrule", "exdates")


def events_query():
    """Events with their organiser loaded."""
    return Event.select(Event, Actor).join(Actor, on=(Event.organizer == Actor.id))


def listing_query():
    """Events joined to who organises them as their cards name it: the group, for a group's events (the
    member who created one is named on the event's page only, where the group allows it)."""
    return Event.select().join(Actor, on=(Actor.id == fn.COALESCE(Event.attributed_to, Event.organizer)))


def stored_moment(moment):
    """moment as the database stores it (a prepared query's Value passes as it is)."""
    return moment if isinstance(moment, Value) else Event.begins_on.db_value(moment)


def ends_since(moment):
    """The condition: the event ends (or, without an end, starts) at or after moment."""
    # A function's result gets no field conversion: compare with the stored text form.
    return fn.COALESCE(Event.ends_on, Event.begins_on) >= stored_moment(moment)


def by_time(query, past=False, now=None):
    """Events not yet over, soonest first; or (past) those over, latest first (now: utcnow() unless given)."""
    now = utcnow() if now is None else now
    if past:
        return query.where(~ends_since(now)).order_by(Event.begins_on.desc())
    return query.where(ends_since(now)).order_by(Event.begins_on)


@shaped(lambda _shape: 3)
def _public_listing(shape, now, limit, offset):
    past, local_only, silencing = shape
    query = listing_query().where(visible())
    if local_only:
        query = query.where(Actor.domain.is_null())
    elif silencing:
        query = query.where(blocklist.not_silenced(Actor.domain))
    return with_actors_query(by_time(query, past, now).limit(limit).offset(offset), EventRow)


def upcoming_public(page, per_page, past=False, local_only=False):
    """One page of public events, upcoming soonest first (or past, latest first); local_only hides remote
    ones; those of silenced servers are never listed."""
    # One row more than a page tells whether a next page exists.
    rows = read_with_actors(_public_listing((past, local_only, blocklist.any_silenced())).rows(
        stored_moment(utcnow()), per_page + 1, (page - 1) * per_page), EventRow)
    event_cards.count_participants(rows)
    return rows


@prepared(1)
def _event_by_uuid(uuid):
    return events_query().where(Event.uuid == uuid)


def visible_event(uuid, viewer_ids=()):
    """The event with this uuid when the viewer may see it; NotFound otherwise (no 403: no leak)."""
    event = _event_by_uuid.first(uuid)
    # What anyone may open by its link needs no question about the viewer (the longest query to build).
    if event is not None and event.organizer.suspended:
        raise Gone(_("This event's organiser is suspended."))
    if event is None or not (event.is_public or event.is_unlisted or (viewer_ids and Event.select().where(
            (Event.id == event.id) & visible(viewer_ids, listed=False)).exists())):
        raise NotFound(_("This event does not exist, or is not visible to you."))
    return event


def create_event(organizer, data, picture=None, group=None):
    """Publish a new event organised by one identity (for group, when given: a group it moderates);
    the organiser takes part as creator."""
    if group is not None:
        group_roles.require(group, organizer, "manage_events")
    values = occurrences.series_columns(clean_event_input(data))
    picture_name = pictures.save_picture(picture) if picture else None
    event_uuid = str(uuid_lib.uuid4())
    try:
        with database.atomic():
            now = utcnow()
            event = Event.create(
                uuid=event_uuid, ap_id=public_url("events.show", uuid=event_uuid),
                organizer=organizer, attributed_to=group, picture=picture_name, created_at=now, updated_at=now,
                **values,
            )
            reminders.sync_participation(Participation.create(event=event, actor=organizer, role=CREATOR))
            occurrences.refresh(event)
            event = events_query().where(Event.id == event.id).get()
            federate(event, "Create")
            if group is not None:
                database.on_commit(lambda: group_digest.tell_new_event(event))
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
    if new_picture or remove_picture:
        values["picture"] = new_picture
    try:
        event = change_event(event, actor, values)
    except Exception:
        pictures.delete_picture(new_picture)
        raise
    if new_picture or remove_picture:
        pictures.delete_picture(old_picture)
    return event


def change_event(event, actor, values):
    """Write an organiser's checked values (Event columns) to the event, tell the servers holding it and
    email participants of changes; the changed event. Pages and organisers of elsewhere call it."""
    require_organizer(event, actor)
    values = occurrences.series_columns(values)
    changed = [name for name in WATCHED_FIELDS if getattr(event, name) != values[name]]
    newly_cancelled = values["status"] == Status.CANCELLED and not event.is_cancelled
    made_private = values["visibility"] == Visibility.PRIVATE and not event.is_private
    made_unlisted = values["visibility"] == Visibility.UNLISTED and event.is_public
    # Back from private, it is new to its followers' servers (ours forgot it, and lift the tombstone).
    verb = "Create" if event.is_private and values["visibility"] != Visibility.PRIVATE else "Update"
    with database.atomic():
        dates = date_federation.listed_starts(event)
        # The sequence grows in SQL so that two edits saved at once still count as two.
        Event.update(sequence=Event.sequence + 1, updated_at=utcnow(), **values).where(
            Event.id == event.id).execute()
        event = events_query().where(Event.id == event.id).get()
        reminders.sync_event(event)
        occurrences.refresh(event)
        # Dates changed one by one that the new times or rule no longer give.
        date_federation.withdraw_dates(event, actor, dates - date_federation.listed_starts(event))
        if made_private:
            withdraw(event, actor)
        elif made_unlisted:
            unlist(event, actor)
        federate(event, verb, actor)
        # Seats added (or the limit lifted) go to those in line, in this transaction. Imported here:
        # participation builds on this module.
        from .participation import fill_seats
        fill_seats(event)
    if newly_cancelled:
        notify_participants(event, actor, "mail/event_cancelled.txt")
    elif changed:
        notify_participants(event, actor, "mail/event_changed.txt", changed=changed)
    return event


def set_status(event, actor, status):
    """Cancel an event (its participants are told) or restore it (Status), nothing else of it changed."""
    values = {name: getattr(event, name) for name in (*WATCHED_FIELDS, "visibility")}
    if event.repeats:
        values.update(begins_on=event.series_begins_on, ends_on=event.series_ends_on)
    return change_event(event, actor, dict(values, status=status))


def delete_event(event, actor):
    """Delete an event and everything attached to it (organisers only)."""
    require_organizer(event, actor)
    with database.atomic():
        dates = date_federation.withdraw_dates(event, actor, date_federation.listed_starts(event))
        federate(event, "Delete", actor)
        # Also when nobody was told (a private event): nothing about it is served or sent any more.
        withhold([event.ap_id, *comment_ids(event), *dates])
        event.delete_instance(recursive=True)
    pictures.delete_picture(event.picture)


def events_of(actor, viewer_ids=()):
    """(upcoming, past) events an identity organises, as the viewer may see them in listings (EventRows),
    but for the events of groups that hide who created them."""
    base = listing_query().where((Event.organizer == actor) & visible(viewer_ids)
                                 & (Event.attributed_to.is_null() | ~Actor.hide_event_creator))
    upcoming, past = with_actors(by_time(base), EventRow), with_actors(by_time(base, past=True).limit(50), EventRow)
    event_cards.count_participants(upcoming, past)
    return upcoming, past


