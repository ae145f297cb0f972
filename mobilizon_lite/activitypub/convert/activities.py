"""The activities we send, in Mobilizon's shape. Each converter is given the activity's id (the
caller mints it and may store it first) and returns the whole document, @context included."""
from .. import audience
from ..vocab import CONTEXT


def _embedded(document):
    """An activity as another one carries it: the outer document's @context covers it."""
    return {key: value for key, value in document.items() if key != "@context"}


def change_to_ap(activity_id, verb, actor, obj, to, cc):
    """Create, Update or Delete (obj then a Tombstone) of one of actor's objects; a Create is
    published when its object was."""
    activity = {"@context": CONTEXT, "id": activity_id, "type": verb, "actor": actor.ap_id, "to": to, "cc": cc,
                "object": obj}
    if verb == "Create" and obj.get("published"):
        activity["published"] = obj["published"]
    return activity


def announce_to_ap(activity_id, group, obj, to, cc):
    """A group's Announce of its own content: obj is the Event or Article itself (what Mastodon renders
    as the group's boost, and Mobilizon's groups send), or the Delete that removed it."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Announce", "actor": group.ap_id, "to": to, "cc": cc,
            "object": _embedded(obj)}


def delete_actor_to_ap(activity_id, actor):
    """A local identity's Delete of itself."""
    to, cc = audience.of_identity_deletion(actor)
    return {"@context": CONTEXT, "id": activity_id, "type": "Delete", "actor": actor.ap_id, "object": actor.ap_id,
            "to": to, "cc": cc}


def follow_to_ap(follow_id, follower, followed):
    """The Follow of followed by follower (one we sent, or one we received as we understood it)."""
    return {"@context": CONTEXT, "id": follow_id, "type": "Follow", "actor": follower.ap_id, "object": followed.ap_id}


def join_to_ap(join_id, actor, event, message=""):
    """The Join an identity sent (or one we received, as we understood it) to take part in an event."""
    return {"@context": CONTEXT, "id": join_id, "type": "Join", "actor": actor.ap_id, "object": event.ap_id,
            "participationMessage": message or None, "to": audience.to_organizer(event), "cc": []}


def leave_to_ap(activity_id, actor, event):
    """Leave of an event (also withdraws a request that waits for approval)."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Leave", "actor": actor.ap_id, "object": event.ap_id,
            "to": audience.to_organizer(event)}


def answer_to_ap(activity_id, verb, actor, request, group=None):
    """Accept or Reject of a Follow or a Join we received, the request embedded (Mobilizon reads it so);
    a moderator answering for a group's event names the group in attributedTo, as Mobilizon's do."""
    answer = {"@context": CONTEXT, "id": activity_id, "type": verb, "actor": actor.ap_id, "object": _embedded(request)}
    if group is not None:
        answer["attributedTo"] = group.ap_id
    to = audience.of_answer(request)
    if to:
        answer["to"] = to
    return answer


def undo_to_ap(activity_id, actor, undone):
    """Undo of an activity actor sent (a Follow)."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Undo", "actor": actor.ap_id, "object": _embedded(undone)}
