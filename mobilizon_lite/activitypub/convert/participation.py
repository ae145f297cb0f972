"""Join, Leave and the organisers' Accept or Reject of a Join, in Mobilizon's shape."""
from ..publish import new_activity_id


def join_to_ap(join_id, actor, event, message=""):
    """The Join an identity sent (or one we received, as we understood it) to take part in an event."""
    return {"id": join_id, "type": "Join", "actor": actor.ap_id, "object": event.ap_id,
            "participationMessage": message or None, "to": [event.organizer.ap_id], "cc": []}


def answer_to_ap(verb, organizer, join):
    """Accept or Reject of a Join by the event's organiser, the Join embedded (Mobilizon reads it so)."""
    return {"id": new_activity_id(), "type": verb, "actor": organizer.ap_id, "object": join, "to": [join["actor"]]}


def leave_to_ap(participation):
    """Leave of an event (also withdraws a request that waits for approval)."""
    return {"id": new_activity_id(), "type": "Leave", "actor": participation.actor.ap_id,
            "object": participation.event.ap_id, "to": [participation.event.organizer.ap_id]}
