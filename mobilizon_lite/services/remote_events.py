"""Events received from other servers: stored, updated and deleted only by the actor that owns them."""
import logging
import uuid as uuid_lib

from ..activitypub.client import RequestError
from ..activitypub.convert.event import event_from_ap, group_id_from_ap, repetition_from_ap
from ..activitypub.convert.event_date import is_date_document
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..db import database, utcnow
from ..models import Actor, Event, Participation
from ..models.events import CATEGORIES
from ..models.federation import DONE, IGNORED
from ..models.limits import URL_MAX
from ..models.participation import GOING_ROLES
from . import event_access, events, group_digest, occurrences, reminders, remote_dates
from .actors import actor_from_ap, keep_tombstone, signed_get
from .errors import refusal
from .event_input import LANGUAGES

log = logging.getLogger(__name__)


def store(document, organizer, group=None):
    """Store or refresh an Event document of a remote organiser (or of group, a remote group it is
    attributed to: its copy of the event is checked); None when it is not theirs to store,
    ParseError when it is unusable (no name, no start, a year out of bounds)."""
    if organizer.is_local or len(document["id"]) > URL_MAX:
        return None  # our own events are never overwritten from outside
    group = group or attributed_group(document, organizer)
    if is_date_document(document):
        return remote_dates.store_date(document, organizer, group)
    values = occurrences.series_columns(occurrences.received(event_from_ap(document, CATEGORIES, LANGUAGES),
                                                             repetition_from_ap(document)))
    if group is not None:
        values["attributed_to"] = group
    with database.atomic():
        event = Event.get_or_none(Event.ap_id == document["id"])
        if event is None:
            event = Event.create(uuid=str(uuid_lib.uuid4()), ap_id=document["id"], organizer=organizer,
                                 created_at=utcnow(), updated_at=utcnow(), **values)
            occurrences.refresh(event)
            # A group's event new here is news to its followers and members here, as the digest says.
            database.on_commit(lambda: group_digest.tell_new_event(event))
            return remote_dates.sync_dates(event, document)
        if not remote_dates.may_change(event, organizer, group):
            return None  # someone else's event: only its organiser (or its group) may change it
        Event.update(sequence=Event.sequence + 1, updated_at=utcnow(), **values).where(
            Event.id == event.id).execute()
        reminders.sync_event(event)
        event = Event.get_by_id(event.id)
        occurrences.refresh(event)
        return remote_dates.sync_dates(event, document)



def attributed_group(document, maker):
    """The remote group of the object's own server that a document maker sent is attributed to
    (Mobilizon's group events and posts), known or fetched; None when there is none."""
    group_id = group_id_from_ap(document, maker.ap_id)
    if group_id is None:
        return None
    group = Actor.get_or_none(Actor.ap_id == group_id)
    if group is None:
        try:
            group = actor_from_ap(signed_get(group_id))
        except (RequestError, ParseError) as error:
            log.info("cannot fetch the group %s: %s", group_id, error)
            return None
    return group if group.is_group and not group.is_local and group.deleted_at is None else None


def is_event(document):
    """True for an Event document with an id."""
    return isinstance(document, dict) and document.get("type") == "Event" and isinstance(document.get("id"), str)


def on_create_event(item):
    """Create of an Event: stored as a remote event; only its organiser may change it. An unusable
    event raises ParseError (the sender is told, and retrying would not make it usable)."""
    document = item.body.get("object")
    if not is_event(document):
        return IGNORED
    event = store(document, item.actor)
    if event is None:
        return IGNORED
    refresh_for_participants(event)
    return DONE


def on_update_event(item):
    """Update of an Event: as its Create (an event first seen in an Update is stored); of one of our
    events, by an organiser of elsewhere (a moderator of its group), as the edit page takes it."""
    document = item.body.get("object")
    held = Event.get_or_none(Event.ap_id == document["id"]) if is_event(document) else None
    if held is not None and held.is_local:
        return _as_on_the_page(change_from_elsewhere, held, item.actor, document)
    return on_create_event(item)


def change_from_elsewhere(event, sender, document):
    """An organiser of elsewhere's Update of one of our events (a moderator of its group, checked as the
    edit page checks it): document, the Event as they edited it, becomes the event; the changed event."""
    event_access.require_organizer(event, sender)
    values = occurrences.received(event_from_ap(document, CATEGORIES, LANGUAGES), repetition_from_ap(document),
                                  kept=event)
    values.pop("remote_participant_count")
    # What only this server knows, or what their copy may lack (the online address is for participants).
    values["anonymous_participation"] = event.anonymous_participation
    values["online_url"] = values["online_url"] or event.online_url
    if not any(link["type"] in event_access.ONLINE_LINK_TYPES for link in values["links"]):
        values["links"] += [link for link in event.links if link.get("type") in event_access.ONLINE_LINK_TYPES]
    # The Markdown written here stays the source while the text is unchanged; else their HTML is.
    values["description_source"] = (event.description_source if values["description"] == event.description
                                     else values["description"])
    return events.change_event(event, sender, values)


def _as_on_the_page(action, *args):
    """DONE, or ignored with the refusal's message the page would show."""
    reason = refusal(action, *args)
    return (IGNORED, reason) if reason else DONE


def refresh_for_participants(event):
    """Fetch again, signed by one of our identities taking part, an event whose organisers choose
    who takes part: what its server sends to all leaves the online address out, and gives it only
    to a participant's signed GET."""
    if not event.chooses_participants:
        return event
    participant = (Actor.select().join(Participation, on=(Participation.actor == Actor.id))
                   .where((Participation.event == event) & Participation.role.in_(GOING_ROLES)
                          & Actor.domain.is_null()).first())
    if participant is None:
        return event
    # What the sender already told us stands: a fetch that fails or brings an unusable copy only
    # leaves the online address out, and is not the sender's error.
    try:
        document = signed_get(event.ap_id, signer=participant)
        if not is_event(document) or document["id"] != event.ap_id:
            return event
        return store(document, event.organizer) or event
    except (RequestError, ParseError) as error:
        log.info("cannot fetch %s for its participants: %s", event.ap_id, error)
        return event


def on_delete_event(item):
    """Delete of a remote event by its organiser; of one of our events, by an organiser of elsewhere (a
    moderator of its group), as the page takes it."""
    object_id = get_id(item.body.get("object"))
    event = Event.get_or_none(Event.ap_id == object_id) if object_id else None
    if event is not None and event.is_local:
        return _as_on_the_page(events.delete_event, event, item.actor)
    if event is None or event.organizer_id != item.actor.id:
        return IGNORED
    with database.atomic():
        keep_tombstone(item)
        event.delete_instance(recursive=True)
    return DONE
