"""Events received from other servers: stored, updated and deleted only by the actor that owns them."""
import uuid as uuid_lib

from ..activitypub.convert.event import event_from_ap
from ..activitypub.vocab import get_id
from ..db import database, utcnow
from ..models import Event
from ..models.events import CATEGORIES
from ..models.federation import DONE, IGNORED
from .actors import keep_tombstone
from .event_input import LANGUAGES


ID_MAX = 2048


def store(document, organizer):
    """Store or refresh an Event document of a remote organiser; None when it is not theirs to store,
    ParseError when it is unusable (no name, no start, a year out of bounds)."""
    if organizer.is_local or len(document["id"]) > ID_MAX:
        return None  # our own events are never overwritten from outside
    values = event_from_ap(document, CATEGORIES, LANGUAGES)
    with database.atomic():
        event = Event.get_or_none(Event.ap_id == document["id"])
        if event is None:
            return Event.create(uuid=str(uuid_lib.uuid4()), ap_id=document["id"], organizer=organizer,
                                created_at=utcnow(), updated_at=utcnow(), **values)
        if event.organizer_id != organizer.id:
            return None  # someone else's event: only its organiser may change it
        Event.update(sequence=Event.sequence + 1, updated_at=utcnow(), **values).where(
            Event.id == event.id).execute()
    return Event.get_by_id(event.id)


def is_event(document):
    """True for an Event document with an id."""
    return isinstance(document, dict) and document.get("type") == "Event" and isinstance(document.get("id"), str)


def on_create_or_update(item):
    """Create or Update of an Event: stored as a remote event; only its organiser may change it. An
    unusable event raises ParseError (the sender is told, and retrying would not make it usable)."""
    document = item.body.get("object")
    if not is_event(document):
        return IGNORED
    return DONE if store(document, item.actor) is not None else IGNORED


def on_delete(item):
    """Delete of a remote event by its organiser."""
    object_id = get_id(item.body.get("object"))
    event = Event.get_or_none(Event.ap_id == object_id) if object_id else None
    if event is None or event.organizer_id != item.actor.id:
        return IGNORED
    with database.atomic():
        keep_tombstone(item)
        event.delete_instance(recursive=True)
    return DONE
