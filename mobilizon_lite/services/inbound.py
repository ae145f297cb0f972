"""Activities received from other servers: trust checks, stored once, then handled like local actions."""
import logging
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from peewee import IntegrityError

from ..activitypub.delivery import mark_domain_alive
from ..activitypub.parse import ParseError, load_json
from ..activitypub.signatures import SignatureError, verify_request
from ..activitypub.vocab import AP_MEDIA_TYPES, get_id
from ..dates import parse_utc
from ..db import database, delete_in_batches, storage_fault, utcnow
from ..models import Actor, InboxItem, Tombstone
from ..models.federation import DONE, FAILED, IGNORED, RECEIVED, REFUSED
from ..urls import host_of
from . import actors, follows, remote_comments, remote_events, remote_participation
from .actors import public_key_for, signed_for_us

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
MAX_ATTEMPTS = 5
# An item still "received" this long after it arrived was interrupted (a full disk, a restart).
STALE_AFTER = timedelta(minutes=10)
OWNED_VERBS = ("Create", "Update", "Delete")


class Outcome(NamedTuple):
    status: int
    message: str


def receive(method, target, headers, content_type, body):
    """Check, store and handle one POST to an inbox; returns the HTTP status and a short reason.

    Cheapest checks first: size, media type, JSON, signature (the key fetched at most once per
    5 minutes when it fails), actor = key owner; then the activity is stored once by id.
    """
    if len(body) > MAX_BODY:
        return Outcome(413, "body larger than 1 MiB")
    if (content_type or "").split(";")[0].strip().lower() not in AP_MEDIA_TYPES:
        return Outcome(415, "not an ActivityStreams document")
    try:
        activity = load_json(body)
    except ParseError as error:
        return Outcome(400, str(error))
    actor_id = get_id(activity.get("actor"))
    if not actor_id:
        return Outcome(400, "activity without an actor")
    # Without a type nothing can say what the activity does, and without an id it cannot be stored
    # once: refused (a 4xx is final for Mastodon and others, so the sender does not retry it).
    if not isinstance(activity.get("type"), str) or not activity["type"]:
        return Outcome(400, "activity without a type")
    if not isinstance(activity.get("id"), str) or not activity["id"]:
        return Outcome(400, "activity without an id")
    if (activity.get("type") == "Delete" and get_id(activity.get("object")) == actor_id
            and not Actor.select().where(Actor.ap_id == actor_id).exists()):
        # An account we never knew is deleted: nothing to do, and nothing worth fetching.
        return Outcome(202, "unknown actor deleted")
    try:
        verified = verify_request(method, target, headers, body, public_key_for)
    except SignatureError as error:
        log.info("inbox: refused %s from %s: %s", activity.get("type"), host_of(actor_id), error)
        return Outcome(401, f"signature refused: {error}")
    if not signed_for_us(headers):
        return Outcome(401, "the request was signed for another server")
    if verified.owner != actor_id or host_of(verified.owner) != host_of(actor_id):
        return Outcome(401, "the signing key does not belong to the activity's actor")
    activity_id = activity["id"]
    if host_of(activity_id) is None or host_of(activity_id) != host_of(actor_id):
        return Outcome(400, "the activity's id is not an http(s) URL on its actor's server")
    object_id = get_id(activity.get("object"))
    if activity.get("type") in OWNED_VERBS and host_of(object_id) != host_of(actor_id):
        # Creating, changing or deleting something on another server is never this actor's to do.
        return Outcome(400, "the object is not on the actor's server")
    actor = Actor.get(Actor.ap_id == actor_id)
    if activity.get("type") in ("Create", "Update") and not _revived(activity, actor):
        return Outcome(202, "the object was deleted: ignored")
    mark_domain_alive(actor.domain)
    kind = str(activity.get("type"))[:64]
    try:
        with database.atomic():
            # A type nobody handles is kept as its id and type only: enough to recognise a replay.
            item = InboxItem.create(activity_id=activity_id[:2048], actor=actor, type=kind,
                                    body=activity if kind in HANDLERS else _trace(activity))
    except IntegrityError:
        return Outcome(202, "already received")
    log.info("inbox: %s %s from %s", item.type, activity_id, actor.domain)
    if process(item) == REFUSED:
        return Outcome(400, item.error)
    return Outcome(202, "accepted")


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


def _first_of(*handlers):
    """A handler trying each of handlers in turn until one handles the activity."""
    def handle(item):
        state = IGNORED
        for handler in handlers:
            state = handler(item)
            if state == DONE:
                break
        return state
    return handle


def _on_delete_actor(item):
    """An account deleted on its server: its follows, participations and comments go too."""
    state = actors.on_delete(item)
    if state == DONE and get_id(item.body.get("object")) == item.actor.ap_id:
        with database.atomic():
            remote_participation.forget(item.actor)
            remote_comments.forget(item.actor)
    return state


# Activity type -> handler(item) returning the item's final state.
HANDLERS = {
    "Create": _first_of(remote_events.on_create_or_update, remote_comments.on_create),
    "Delete": _first_of(remote_events.on_delete, remote_comments.on_delete, _on_delete_actor),
    "Update": _first_of(remote_events.on_create_or_update, remote_comments.on_update, actors.on_update),
    "Follow": follows.on_follow,
    "Accept": _first_of(remote_participation.on_answer, follows.on_answer),
    "Reject": _first_of(remote_participation.on_answer, follows.on_answer),
    "Undo": follows.on_undo,
    "Join": remote_participation.on_join,
    "Leave": remote_participation.on_leave,
}


def process(item):
    """Handle a stored activity; errors are recorded on it, never raised to the sender.

    Only a storage fault is raised (nothing can be recorded then): the item stays received, and
    retry_failed takes it up once the disk works again.
    """
    handler = HANDLERS.get(item.type)
    try:
        state, error = (handler(item), "") if handler else (IGNORED, "activity type not handled")
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
