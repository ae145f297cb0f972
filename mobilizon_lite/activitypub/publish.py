"""Publishing: the activity's JSON stored once, one Delivery row per inbox, in the caller's transaction."""
import uuid as uuid_lib
from datetime import timedelta

from flask import current_app

from ..db import database, utcnow
from ..models import Activity, Delivery
from ..urls import public_url
from .audience import inboxes
from .vocab import CONTEXT, is_public

DRAIN_JOB = "drain_deliveries"


def new_activity_id():
    """A fresh id for an activity of this instance, served at /activities/<uuid>."""
    return public_url("actors.activity", uuid=str(uuid_lib.uuid4()))


def publish(actor, activity, recipients):
    """Store activity (a dict with an id) as sent by actor, queued for each recipient's inbox."""
    activity = {"@context": CONTEXT, **activity}
    with database.atomic():
        stored = Activity.create(ap_id=activity["id"], actor=actor, type=activity["type"], body=activity,
                                 public=is_public(activity))
        rows = [{"activity": stored.id, "inbox_url": url, "domain": domain}
                for url, domain in inboxes(recipients).items()]
        if rows:
            Delivery.insert_many(rows).execute()
    kick()
    return stored


def kick():
    """Ask the scheduler (when this process runs one) to drain the queue in a moment."""
    scheduler = current_app.extensions.get("scheduler")
    job = scheduler.get_job(DRAIN_JOB) if scheduler is not None else None
    # A second's delay lets the caller's transaction commit before the drain looks; the run is
    # only ever moved earlier, so steady publishing cannot keep postponing it.
    soon = utcnow() + timedelta(seconds=1)
    if job is not None and (job.next_run_time is None or job.next_run_time > soon):
        scheduler.modify_job(DRAIN_JOB, next_run_time=soon)
