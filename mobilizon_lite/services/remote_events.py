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


def on_create_or_update(item):
    """Create or Update of an Event: stored as a remote event; only its organiser may change it."""
    document = item.body.get("object")
    if not isinstance(document, dict) or document.get("type") != "Event" or not isinstance(document.get("id"), str):
        return IGNORED
    try:
        values = event_from_ap(document, CATEGORIES, LANGUAGES)
    except ValueError:
        return IGNORED  # unusable (no name or start): retrying would not make it usable
    with database.atomic():
        event = Event.get_or_none(Event.ap_id == document["id"])
        if event is None:
            event_uuid = str(uuid_lib.uuid4())
            Event.create(uuid=event_uuid, ap_id=document["id"], organizer=item.actor, created_at=utcnow(),
                         updated_at=utcnow(), **values)
            return DONE
        if event.organizer_id != item.actor.id:
            return IGNORED  # someone else's event: only its organiser may change it
        Event.update(sequence=Event.sequence + 1, updated_at=utcnow(), **values).where(
            Event.id == event.id).execute()
    return DONE


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
