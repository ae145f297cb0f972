"""Activities received from other servers: once the inbox view has checked and authenticated one, it is
stored once; then the handling job hands it to the handler of its (verb, object kind), like local
actions."""
import logging
import time
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from peewee import Value, fn

from ..activitypub.delivery import mark_domain_alive
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..claims import claim
from ..dates import parse_utc
from ..db import database, delete_in_batches, storage_fault, utcnow
from ..job_runs import KickedJob, backoff
from ..models import Actor, Comment, Event, Follow, InboxItem, Member, OccurrenceOverride, Participation, Tombstone
from ..models.federation import DONE, FAILED, IGNORED, RECEIVED, REFUSED
from . import (
    actors,
    announces,
    follows,
    groups,
    participation,
    relays,
    remote_comments,
    remote_dates,
    remote_events,
    remote_members,
    remote_participation,
    remote_reports,
)
from .actors import ACTOR_TYPES, keep_tombstone, public_key_for
from .group_relay import GROUP_CONTENT_HANDLERS, HELD_GROUP_CONTENT
from .prepared import prepared

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# How long a run of the handling job holds the items it took (see claims.py); those of a run whose process
# died are handled after it.
CLAIM = timedelta(minutes=15)
HANDLE_JOB = "handle_inbox"
HANDLING = KickedJob(HANDLE_JOB)
# Seconds since the last activity arrived during which the handling job yields to the inbox.
ARRIVING = 0.1
KEY_CACHE = "mobilizon_lite.sender_keys"
KEY_CACHE_SIZE = 10_000
# The kind of an object named by an id that none of our tables holds.
UNKNOWN = "Unknown"
# What a Flag names: an actor and some of its content, one kind whatever they are.
FLAGGED = "Content"
# The kind of a changed date of a series received as its own Event (its Delete names it by id).
DATE = "Date"
# The kind of each table's rows, for the one lookup of a bare id (an id is in one table at most).
HELD = (("Event", Event), ("Note", Comment), ("Actor", Actor), ("Follow", Follow), ("Join", Participation),
        ("Member", Member), (DATE, OccurrenceOverride), *HELD_GROUP_CONTENT)


class Received(NamedTuple):
    """What became of a received activity: its item's state and a short reason for the sender."""
    state: str
    reason: str


def deletes_unknown_actor(activity):
    """True for an account we never knew telling us it is deleted: nothing to do, nothing worth fetching."""
    actor_id = get_id(activity.get("actor"))
    return (activity.get("type") == "Delete" and get_id(activity.get("object")) == actor_id
            and not Actor.select().where(Actor.ap_id == actor_id).exists())


class Sender(NamedTuple):
    """The actor behind a key, as the inbox caches it: the key, the actor's id, row id and domain."""
    pem: str | None
    owner: str | None
    actor_id: int | None = None
    domain: str | None = None


class SenderKeys:
    """The key_for of one inbox request (see check_signed): the keys of senders seen before come from
    a per-app cache, trusted while their actor's stored key is the same (one lookup by row id); a
    key that fails is refetched from its server as public_key_for does."""

    def __init__(self):
        self.cache = current_app.extensions.setdefault(KEY_CACHE, {})
        self.tried = None

    def key_for(self, key_id, refresh):
        cached = None if refresh else self.cache.get(key_id)
        if cached is None or _stored_key(cached.actor_id) != cached.pem:
            self.cache.pop(key_id, None)
            cached = Sender(*public_key_for(key_id, refresh))
        self.tried = cached
        return cached.pem, cached.owner

    def sender(self, key_id):
        """The Sender whose key verified the request signed with key_id, cached for the next ones."""
        if self.tried.actor_id is None:
            actor = Actor.select(Actor.id, Actor.domain).where(Actor.ap_id == self.tried.owner).get()
            if len(self.cache) >= KEY_CACHE_SIZE:
                self.cache.clear()
            self.tried = self.cache[key_id] = self.tried._replace(actor_id=actor.id, domain=actor.domain)
        return self.tried


# The two statements of an inbox request are written once (see prepared.py): peewee takes longer to
# build them than the database to run them (about 0.2 ms each on SQLite).
@prepared(1)
def _key_of(actor_id):
    return Actor.select(Actor.public_key_pem).where(Actor.id == actor_id).tuples()


@prepared(5)
def _store_item(activity_id, actor_id, verb, body, now):
    # A replayed activity id inserts nothing (the unique index): its rowcount is 0.
    return InboxItem.insert(activity_id=activity_id, actor=actor_id, type=verb, body=body, state=RECEIVED,
                            error="", attempts=0, received_at=now, next_attempt_at=now).on_conflict_ignore()


def _stored_key(actor_id):
    row = _key_of.first(actor_id)
    return row and row[0]


def store(activity, sender):
    """Store an authenticated activity of sender once by its id, for the handling job; returns
    Received. One statement, committed before the sender is answered."""
    verb = activity["type"][:64]
    now = InboxItem.received_at.db_value(utcnow())
    # An activity nobody handles is kept as its id and type only: enough to recognise a replay.
    body = InboxItem.body.db_value(activity if _handled(verb) else _trace(activity))
    stored = _store_item.cursor(activity["id"][:2048], sender.actor_id, verb, body, now)
    if not stored.rowcount:
        return Received(IGNORED, "already received")
    log.info("inbox: %s %s from %s", verb, activity["id"], sender.domain)
    database.on_commit(HANDLING.kick)
    return Received(RECEIVED, "accepted")


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
    we hold under its id. A Delete and a Tombstone name by id what is gone, whatever it was; a Flag's
    objects are FLAGGED."""
    if activity.get("type") == "Flag":
        return FLAGGED
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
    participations, memberships and comments go too. Here rather than in actors, as it spans their areas."""
    if get_id(item.body.get("object")) != item.actor.ap_id:
        return IGNORED
    with database.atomic():
        keep_tombstone(item)
        actors.mark_deleted(item.actor)
        participation.withdraw_everywhere([item.actor.id])
        remote_members.forget(item.actor)
        remote_comments.forget(item.actor)
        if item.actor.is_group:
            groups.forget_content(item.actor)
    return DONE


# (verb, object kind) -> handler(item) returning the item's final state, or (state, reason why); any
# other pair is ignored.
HANDLERS = {
    ("Create", "Event"): remote_events.on_create_event,
    ("Update", "Event"): remote_events.on_update_event,
    ("Delete", "Event"): remote_events.on_delete_event,
    ("Delete", DATE): remote_dates.on_delete_date,
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
    ("Join", "Actor"): remote_members.on_join_actor,
    ("Leave", "Actor"): remote_members.on_leave_actor,
    ("Accept", "Member"): remote_members.on_accept_member,
    ("Reject", "Member"): remote_members.on_reject_member,
    ("Accept", "Invite"): remote_members.on_accept_invite,
    ("Reject", "Invite"): remote_members.on_reject_invite,
    ("Remove", "Member"): remote_members.on_remove_member,
    ("Update", "Member"): remote_members.on_update_member,
    ("Invite", "Actor"): remote_members.on_invite_actor,
    ("Invite", UNKNOWN): remote_members.on_invite_unknown,
    # A group's Announce of its event or post, bare or by id (in its Create/Update/Delete: below); an
    # instance's actor relaying public events to the instances that follow it.
    ("Announce", "Event"): relays.on_announce_event,
    ("Announce", "Article"): announces.on_announce_article,
    ("Announce", UNKNOWN): relays.on_announce_unknown,
    # An event's server relaying a comment from elsewhere (a Tombstone of a held comment is a "Note").
    ("Announce", "Note"): remote_comments.on_announce_note,
    # A report from another server about some of our content.
    ("Flag", FLAGGED): remote_reports.on_flag_content,
    # A group's members-only content, sent to our groups by their members elsewhere or to our identities by
    # the groups of elsewhere they are members of. Its handlers take the Creates and Updates of Notes
    # and the announced Creates, Updates and Deletes, and hand what is not a group's content on to
    # remote_comments (a comment on an event) or announces (a group's event or post).
    **GROUP_CONTENT_HANDLERS,
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
    """Handle a stored activity; errors are recorded on it, never raised. A failed one is taken up
    again after a backoff, until MAX_ATTEMPTS.

    Only a storage fault is raised (nothing can be recorded then): the item stays due (once the claim of
    the job's run that took it has passed), and the handling job takes it up once the disk works again.
    """
    try:
        handler, error = handler_for(item)
        if handler and item.type in ("Create", "Update") and not _revived(item.body, item.actor):
            handler, error = None, "the object was deleted: ignored"
        state = handler(item) if handler else IGNORED
        if isinstance(state, tuple):
            state, error = state
    except ParseError as refusal:  # the object is unreadable: nothing is retried
        state, error = REFUSED, str(refusal)
    except Exception as failure:  # noqa: BLE001 - one bad activity must not break the inbox
        if storage_fault(failure):
            raise
        log.exception("inbox: processing %s failed", item.activity_id)
        state, error = FAILED, f"{failure.__class__.__name__}: {failure}"
    item.state, item.error, attempts = state, error[:2000], item.attempts + 1
    now = utcnow()
    retried = state == FAILED and attempts < MAX_ATTEMPTS
    item.next_attempt_at = now + timedelta(seconds=backoff(attempts)) if retried else None
    changes = {"state": state, "error": item.error, "attempts": InboxItem.attempts + 1, "processed_at": now,
               "next_attempt_at": item.next_attempt_at}
    if not retried:
        changes["body"] = _trace(item.body)  # no handler will read it again
    InboxItem.update(**changes).where(InboxItem.id == item.id).execute()
    return state


def handle_received(seconds=20, batch=100):
    """The handling job: handle the stored activities that are due, in the order they arrived, for at
    most `seconds`; returns how many were handled.

    An actor's activities are handled in its order: one that failed and waits for its retry holds
    back the actor's later ones (an Undo never overtakes its Follow), and no one else's.
    """
    def step(_deadline):
        items = _due(batch)
        return _handle(items), len(items) == batch

    return HANDLING.run(step, seconds)


def _handle(items):
    """Handle items in their order, but for those of an actor whose earlier one is to be retried;
    returns how many were handled."""
    held, handled, skipped = set(), 0, []
    for domain in {item.actor.domain for item in items}:
        mark_domain_alive(domain)  # it signed a request to us
    for item in items:
        if item.actor_id in held:
            skipped.append(item.id)
            continue
        started = time.monotonic()
        process(item)
        handled += 1
        if item.next_attempt_at is not None:  # to be retried: the actor's later ones wait
            held.add(item.actor_id)
        if started - HANDLING.flags()["arrived"] < ARRIVING:
            # Senders wait for the inbox's answers, nobody for the handling: while activities keep
            # arriving, the job rests as long as it worked, leaving them the CPU (and the GIL).
            time.sleep(time.monotonic() - started)
    if skipped:
        # No longer claimed: the earlier item waiting for its retry holds them back (see _due).
        InboxItem.update(next_attempt_at=utcnow()).where(InboxItem.id.in_(skipped)).execute()
    return handled


def _due(limit):
    """The items due for handling, oldest first, but for those an earlier item of their actor waiting
    for its retry (or claimed by another drainer) holds back; with their actors, claimed (claims.py)."""
    now = utcnow()
    waiting = InboxItem.alias()
    held = waiting.select().where((waiting.actor == InboxItem.actor) & (waiting.id < InboxItem.id)
                                  & (waiting.next_attempt_at > now))
    return claim(InboxItem.select(InboxItem, Actor).join(Actor)
                 .where((InboxItem.next_attempt_at <= now) & ~fn.EXISTS(held))
                 .order_by(InboxItem.id).limit(limit), InboxItem.next_attempt_at, now + CLAIM)


def purge_received():
    """Forget handled activities once a sender's retries are over, failed ones and tombstones later.

    The signature's Date window already refuses a replay older than an hour; a handled item only
    has to outlive the sender's own retries (about three days for Mastodon).
    """
    config, now = current_app.config, utcnow()
    handled = delete_in_batches(InboxItem, InboxItem.state.in_([DONE, IGNORED, REFUSED])
                                & (InboxItem.received_at < now - timedelta(days=config["KEEP_RECEIVED_DAYS"])))
    # Only what will not be handled any more: an item still waiting for its turn or its retry stays.
    failed = delete_in_batches(InboxItem, InboxItem.next_attempt_at.is_null()
                               & (InboxItem.received_at < now - timedelta(days=config["KEEP_FAILED_DAYS"])))
    tombstones = delete_in_batches(
        Tombstone, Tombstone.deleted_at < now - timedelta(days=config["KEEP_TOMBSTONES_DAYS"]))
    return handled + failed + tombstones
