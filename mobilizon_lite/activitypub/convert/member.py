"""Group members as ActivityStreams Member objects, in Mobilizon's shape."""
from ..vocab import CONTEXT


def member_to_ap(member, group):
    """A Member row as the object Mobilizon puts in a members collection (no @context)."""
    return {"type": "Member", "id": member.ap_id, "actor": member.actor.ap_id, "object": group.ap_id,
            "role": member.role}


def member_document(member, group):
    """A Member row as a document of its own, at its id (/member/<uuid>)."""
    return {"@context": CONTEXT, **member_to_ap(member, group)}
