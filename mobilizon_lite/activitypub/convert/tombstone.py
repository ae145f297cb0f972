"""Deleted objects as Tombstones: embedded in a Delete, and served at the object's own URL."""
from ...dates import utc_text
from ..vocab import CONTEXT


def tombstone_to_ap(ap_id, former_type, deleted):
    """What a deleted object becomes, as a Delete carries it."""
    return {"type": "Tombstone", "id": ap_id, "formerType": former_type, "deleted": utc_text(deleted)}


def tombstone_document(ap_id, former_type, deleted):
    """The Tombstone served at a deleted object's URL."""
    return {"@context": CONTEXT, **tombstone_to_ap(ap_id, former_type, deleted)}
