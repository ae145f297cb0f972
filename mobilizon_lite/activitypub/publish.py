"""Publishing: the activity's JSON stored once, one Delivery row per inbox, in the caller's transaction."""
import uuid as uuid_lib
from datetime import timedelta

from flask import current_app
from peewee import fn

from ..db import database, delete_in_batches, utcnow
from ..models import Activity, Delivery, Participation
from ..models.federation import FAILED, GONE, PENDING, SENT
from ..models.participation import NOT_APPROVED
from ..urls import host_of, public_url
from . import blocklist
from .audience import inboxes
from .delivery import DRAINING
from .vocab import get_id, is_listed, is_public

OBJECT_VERBS = ("Create", "Update", "Delete")
# The activities that carry an object's state, stored against it; a group's Announce carries its
# Event or Article.
CARRYING_VERBS = ("Create", "Update", "Announce")


def new_activity_id():
    """A fresh id for an activity of this instance, served at /activities/<uuid>."""
    return public_url("actors.activity", uuid=str(uuid_lib.uuid4()))


def publish(actor, activity, recipients, listed=None):
    """Store activity (a whole document from convert.activities) as sent by actor, queued for each
    recipient's inbox; it is listed in the actor's outbox when `listed`, by default when the Public
    is in its `to`."""
    object_id = get_id(activity.get("object")) if activity["type"] in (*OBJECT_VERBS, "Announce") else None
    with database.atomic():
        if object_id:
            _supersede(object_id, activity)
        stored = Activity.create(ap_id=activity["id"], actor=actor, type=activity["type"], body=activity,
                                 public=is_public(activity), object_ap_id=object_id,
                                 listed=is_listed(activity) if listed is None else listed)
        # Nothing is sent to a suspended server (an actor's inbox may be on another host than the actor).
        suspended = blocklist.current().suspended
        rows = [{"activity": stored.id, "inbox_url": url, "domain": domain}
                for url, domain in inboxes(recipients).items()
                if not (blocklist.covers(suspended, domain) or blocklist.covers(suspended, host_of(url)))]
        if rows:
            Delivery.insert_many(rows).execute()
        database.on_commit(DRAINING.kick)
    return stored


def _supersede(object_id, activity):
    """Earlier Creates, Updates and Announces of the object now carry its new state (or tombstone):
    nothing serves what was changed, made private or deleted. Updates (and, for a new Announce,
    Announces) whose deliveries are over are dropped."""
    deleted = activity["type"] == "Delete"
    earlier = {row.id: row for row in Activity.select().where((Activity.object_ap_id == object_id)
                                                              & Activity.type.in_(CARRYING_VERBS))}
    waiting = {row.activity_id for row in Delivery.select(Delivery.activity).where(
        Delivery.activity.in_(list(earlier)) & (Delivery.state == PENDING))} if earlier else set()
    # Each edit would otherwise rewrite every earlier Update: keep only those still on their way.
    replaced = ("Update", "Announce") if activity["type"] == "Announce" else ("Update",)
    finished = [row_id for row_id, row in earlier.items() if row.type in replaced and row_id not in waiting]
    if finished:
        Delivery.delete().where(Delivery.activity.in_(finished)).execute()
        Activity.delete().where(Activity.id.in_(finished)).execute()
    for row_id in set(earlier) - set(finished):
        row = earlier[row_id]
        body = {**row.body, "object": activity["object"]}
        # A group's Announce keeps its own audience (its followers), a member's change its own.
        if not deleted and (row.type == "Announce") == (activity["type"] == "Announce"):
            body.update(to=activity.get("to", []), cc=activity.get("cc", []))
        Activity.update(body=body, public=not deleted and is_public(activity),
                        listed=not deleted and is_listed(activity) and (row.listed or row.type != "Announce")
                        ).where(Activity.id == row_id).execute()
    if deleted and waiting:
        # Nobody needs to receive what no longer exists.
        Delivery.delete().where(Delivery.activity.in_(list(waiting)) & (Delivery.state == PENDING)).execute()


def withhold(object_ids):
    """Creates, Updates and Announces of these objects (comments of an event gone private or
    deleted) are neither served nor sent any more."""
    rows = Activity.select(Activity.id).where(Activity.object_ap_id.in_(list(object_ids))
                                              & Activity.type.in_(CARRYING_VERBS))
    Delivery.delete().where(Delivery.activity.in_(rows) & (Delivery.state == PENDING)).execute()
    Activity.update(public=False, listed=False).where(Activity.id.in_(rows)).execute()


def purge_published():
    """Forget finished deliveries, and the activities nothing serves or sends any more.

    A public activity is served at its id and in the outbox, and its earlier Creates and Updates
    carry the object's current state: it stays while its object exists. A private one is only
    resent, so it goes with its last delivery. A public Delete goes when remote tombstones may.
    A refused Join stays while its request waits: it tells the person that no answer will come.
    """
    config, now = current_app.config, utcnow()
    sent_before = now - timedelta(days=config["KEEP_SENT_DAYS"])
    count = delete_in_batches(Delivery, (Delivery.state == SENT) & (Delivery.updated_at < sent_before))
    waiting_joins = Activity.select(Activity.id).where(
        (Activity.type == "Join")
        & Activity.ap_id.in_(Participation.select(Participation.ap_id).where(Participation.role == NOT_APPROVED)))
    count += delete_in_batches(Delivery, Delivery.state.in_([FAILED, GONE])
                               & (Delivery.updated_at < now - timedelta(days=config["KEEP_FAILED_DAYS"]))
                               & Delivery.activity.not_in(waiting_joins))
    undelivered = ~fn.EXISTS(Delivery.select().where(Delivery.activity == Activity.id))
    count += delete_in_batches(Activity, ~Activity.public & (Activity.created_at < sent_before) & undelivered)
    waiting = Delivery.select(Delivery.activity).where(Delivery.state == PENDING)
    count += delete_in_batches(Activity, (Activity.type == "Delete") & Activity.id.not_in(waiting) & (
        Activity.created_at < now - timedelta(days=config["KEEP_TOMBSTONES_DAYS"])))
    return count
