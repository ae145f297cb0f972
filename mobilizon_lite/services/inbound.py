"""Activities received from other servers: once the inbox view has checked and authenticated one, it is
stored once, then handed to the handler of its (verb, object kind), like local actions."""
import logging
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from peewee import IntegrityError, Value

from ..activitypub.delivery import mark_domain_alive
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..dates import parse_utc
from ..db import database, delete_in_batches, storage_fault, utcnow
from ..models import Actor, Comment, Event, Follow, InboxItem, Participation, Tombstone
from ..models.federation import DONE, FAILED, IGNORED, RECEIVED, REFUSED
from . import actors, follows, remote_comments, remote_events, remote_participation
from .actors import ACTOR_TYPES, keep_tombstone

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# An item still "received" this long after it arrived was interrupted (a full disk, a restart).
STALE_AFTER = timedelta(minutes=10)
# The kind of an object named by an id that none of our tables holds.
UNKNOWN = "Unknown"
# The kind of each table's rows, for the one lookup of a bare id (an id is in one table at most).
HELD = (("Event", Event), ("Note", Comment), ("Actor", Actor), ("Follow", Follow), ("Join", Participation))


class Received(NamedTuple):
    """What became of a received activity: its item's state and a short reason for the sender."""
    state: str
    reason: str


def deletes_unknown_actor(activity):
    """True for an account we never knew telling us it is deleted: nothing to do, nothing worth fetching."""
    actor_id = get_id(activity.get("actor"))
    return (activity.get("type") == "Delete" and get_id(activity.get("object")) == actor_id
            and not Actor.select().where(Actor.ap_id == actor_id).exists())


def sender(activity):
    """The stored actor of an authenticated activity (verifying its signature stored it)."""
    return Actor.get(Actor.ap_id == get_id(activity["actor"]))


def receive(activity, actor):
    """Store an authenticated activity of actor once by id, and handle it; returns Received."""
    if activity["type"] in ("Create", "Update") and not _revived(activity, actor):
        return Received(IGNORED, "the object was deleted: ignored")
    mark_domain_alive(actor.domain)
    verb = activity["type"][:64]
    try:
        with database.atomic():
            # An activity nobody handles is kept as its id and type only: enough to recognise a replay.
            item = InboxItem.create(activity_id=activity["id"][:2048], actor=actor, type=verb,
                                    body=activity if _handled(verb) else _trace(activity))
    except IntegrityError:
        return Received(IGNORED, "already received")
    log.info("inbox: %s %s from %s", item.type, item.activity_id, actor.domain)
    state = process(item)
    return Received(state, item.error if state == REFUSED else "accepted")


def _trace(activity):
    """What is kept of an activity that no handler will read again."""
    return {"id": activity.get("id"), "type": activity.get("type")}


def _revived(activity, actor):
    """False for a Create or Update of something its actor deleted, unless changed since (republished)."""
    tomb = Tombstone.get_or_none((Tombstone.ap_id == get_id(activity.get("object"))) & (Tombstone.actor == actor))
    if tomb is None:
        return True
    document = activity.get("object")
    changed = parse_utc(document.get("updated")) if isinstance(document, dict) else None
    if changed is None or changed <= tomb.deleted_at:
        return False  # a late or replayed copy
    tomb.delete_instance()
    return True


def held_kind(ap_id):
    """The kind of what one of our tables holds under ap_id (Event, Note, Actor, Follow, Join), found
    in one query; UNKNOWN when none does."""
    if not ap_id:
        return UNKNOWN
    query = None
    for kind, model in HELD:
        select = model.select(Value(kind).alias("kind")).where(model.ap_id == ap_id)
        query = select if query is None else query + select  # UNION ALL
    return query.limit(1).scalar() or UNKNOWN


def kind_of(activity):
    """The kind of an activity's object: its embedded type (any actor type is an "Actor"), else what
    we hold under its id. A Delete and a Tombstone name by id what is gone, whatever it was."""
    document = activity.get("object")
    embedded = document.get("type") if isinstance(document, dict) else None
    if activity.get("type") == "Delete" or not isinstance(embedded, str) or embedded == "Tombstone":
        return held_kind(get_id(document))
    return "Actor" if embedded in ACTOR_TYPES else embedded[:64]


def on_delete_unknown(item):
    """A Delete of something we do not hold: remembered against its sender all the same, so that a
    late or replayed Create of it is ignored."""
    keep_tombstone(item)
    return IGNORED


def on_delete_actor(item):
    """An account deleted on its server (an actor deletes itself, never another one): its follows,
    participations and comments go too. Here rather than in actors, as it spans their areas."""
    if get_id(item.body.get("object")) != item.actor.ap_id:
        return IGNORED
    with database.atomic():
        keep_tombstone(item)
        actors.mark_deleted(item.actor)
        remote_participation.forget(item.actor)
        remote_comments.forget(item.actor)
    return DONE


# (verb, object kind) -> handler(item) returning the item's final state; any other pair is ignored.
HANDLERS = {
    ("Create", "Event"): remote_events.on_create_event,
    ("Update", "Event"): remote_events.on_update_event,
    ("Delete", "Event"): remote_events.on_delete_event,
    ("Create", "Note"): remote_comments.on_create_note,
    ("Update", "Note"): remote_comments.on_update_note,
    ("Delete", "Note"): remote_comments.on_delete_note,
    ("Update", "Actor"): actors.on_update_actor,
    ("Delete", "Actor"): on_delete_actor,
    ("Delete", UNKNOWN): on_delete_unknown,
    ("Follow", "Actor"): follows.on_follow_actor,
    ("Accept", "Follow"): follows.on_accept_follow,
    ("Reject", "Follow"): follows.on_reject_follow,
    ("Undo", "Follow"): follows.on_undo_follow,
    ("Join", "Event"): remote_participation.on_join_event,
    ("Leave", "Event"): remote_participation.on_leave_event,
    ("Accept", "Join"): remote_participation.on_accept_join,
    ("Reject", "Join"): remote_participation.on_reject_join,
}


def _handled(verb):
    """True when some handler takes activities of this verb."""
    return any(handled == verb for handled, _kind in HANDLERS)


def handler_for(item):
    """(handler, "") for a stored activity, or (None, why it is ignored): its object's kind is only
    looked for when some handler takes its verb."""
    if not _handled(item.type):
        return None, f"no handler for {item.type}"
    kind = kind_of(item.body)
    handler = HANDLERS.get((item.type, kind))
    return (handler, "") if handler else (None, f"no handler for {item.type} of {kind}")


def process(item):
    """Handle a stored activity; errors are recorded on it, never raised to the sender.

    Only a storage fault is raised (nothing can be recorded then): the item stays received, and
    retry_failed takes it up once the disk works again.
    """
    try:
        handler, error = handler_for(item)
        state = handler(item) if handler else IGNORED
    except ParseError as refusal:  # the object is unreadable: the sender is told, nothing is retried
        state, error = REFUSED, str(refusal)
    except Exception as failure:  # noqa: BLE001 - one bad activity must not break the inbox
        if storage_fault(failure):
            raise
        log.exception("inbox: processing %s failed", item.activity_id)
        state, error = FAILED, f"{failure.__class__.__name__}: {failure}"
    item.state, item.error = state, error[:2000]
    changes = {"state": state, "error": item.error, "attempts": InboxItem.attempts + 1, "processed_at": utcnow()}
    if state != FAILED or item.attempts + 1 >= MAX_ATTEMPTS:
        changes["body"] = _trace(item.body)  # no handler will read it again
    InboxItem.update(**changes).where(InboxItem.id == item.id).execute()
    return state


def retry_failed(limit=50):
    """Process again the received activities whose handling failed (a transient error, say) or
    was interrupted before it could be recorded."""
    stale = utcnow() - STALE_AFTER
    items = list(InboxItem.select().where(((InboxItem.state == FAILED) & (InboxItem.attempts < MAX_ATTEMPTS))
                                          | ((InboxItem.state == RECEIVED) & (InboxItem.received_at < stale)))
                 .order_by(InboxItem.id).limit(limit))
    return sum(process(item) != FAILED for item in items)


def purge_received():
    """Forget handled activities once a sender's retries are over, failed ones and tombstones later.

    The signature's Date window already refuses a replay older than an hour; a handled item only
    has to outlive the sender's own retries (about three days for Mastodon).
    """
    config, now = current_app.config, utcnow()
    handled = delete_in_batches(InboxItem, InboxItem.state.in_([DONE, IGNORED, REFUSED])
                                & (InboxItem.received_at < now - timedelta(days=config["KEEP_RECEIVED_DAYS"])))
    failed = delete_in_batches(InboxItem, InboxItem.received_at < now - timedelta(days=config["KEEP_FAILED_DAYS"]))
    tombstones = delete_in_batches(
        Tombstone, Tombstone.deleted_at < now - timedelta(days=config["KEEP_TOMBSTONES_DAYS"]))
    return handled + failed + tombstones
