"""Federation state: activities received (once each) and published, their deliveries and the health
of the inboxes and domains they go to, follows between actors, and tombstones of deleted objects."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow
from .actors import Actor

RECEIVED = "received"
DONE = "done"
FAILED = "failed"
IGNORED = "ignored"
# Unreadable (a handler raised ParseError): answered 400, never retried.
REFUSED = "refused"


class InboxItem(BaseModel):
    """An activity received once, stored by the inbox, then handled in the background."""

    # The activity id is unique: a replayed activity is recognised and changes nothing.
    activity_id = CharField(max_length=2048, unique=True)
    actor = ForeignKeyField(Actor, backref="inbox_items", on_delete="CASCADE")
    type = CharField(max_length=64)
    body = JSONField()
    state = CharField(max_length=16, default=RECEIVED, index=True)
    error = TextField(default="")
    attempts = IntegerField(default=0)
    received_at = UTCDateTimeField(default=utcnow)
    processed_at = UTCDateTimeField(null=True)
    # When the handling job takes it (up again); None once its state is final.
    next_attempt_at = UTCDateTimeField(null=True, default=utcnow, index=True)

    class Meta:
        # Finds an actor's items still waiting, which hold back its later ones.
        indexes = ((("actor", "next_attempt_at"), False),)


class Follow(BaseModel):
    follower = ForeignKeyField(Actor, backref="following_rows", on_delete="CASCADE")
    followed = ForeignKeyField(Actor, backref="follower_rows", on_delete="CASCADE")
    ap_id = CharField(max_length=2048, unique=True)
    accepted = BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)
    # When the followed actor's server refused the instance actor's request (kept to show the admin).
    refused_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("follower", "followed"), True),)


PENDING = "pending"
SENT = "sent"
GONE = "gone"


class Activity(BaseModel):
    """An activity this instance published: its exact JSON, served at its id and resent as is."""

    ap_id = CharField(max_length=2048, unique=True)
    actor = ForeignKeyField(Actor, backref="activities", on_delete="CASCADE")
    type = CharField(max_length=64)
    body = JSONField()
    # Addressed to the public (in `to` or `cc`): served at its id to anyone who asks.
    public = BooleanField(default=False)
    # Addressed to the public in `to`, not unlisted (the Public only in `cc`): listed in the actor's outbox.
    listed = BooleanField(default=False)
    # What a Create, Update or Delete is about: later changes rewrite the earlier activities.
    object_ap_id = CharField(max_length=2048, null=True, index=True)
    created_at = UTCDateTimeField(default=utcnow)


class Delivery(BaseModel):
    """One activity to one inbox, retried until it arrives or is given up."""

    activity = ForeignKeyField(Activity, backref="deliveries", on_delete="CASCADE")
    inbox_url = CharField(max_length=2048)
    domain = CharField(max_length=255, index=True)
    state = CharField(max_length=16, default=PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = UTCDateTimeField(default=utcnow)
    last_status = IntegerField(null=True)
    last_error = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("activity", "inbox_url"), True),
            (("state", "next_attempt_at"), False),
        )


class InboxHealth(BaseModel):
    """Failures of one remote inbox (circuit breaker) and of its domain (unavailable after 7 days)."""

    inbox_url = CharField(max_length=2048, unique=True)
    consecutive_failures = IntegerField(default=0)
    paused_until = UTCDateTimeField(null=True)


class DomainHealth(BaseModel):
    domain = CharField(max_length=255, unique=True)
    failure_days = JSONField(default=list)
    unavailable = BooleanField(default=False)
    # The software the server names in its NodeInfo ("" unknown), and when it was last read.
    software = CharField(max_length=64, default="")
    software_version = CharField(max_length=64, default="")
    software_checked_at = UTCDateTimeField(null=True)


class Tombstone(BaseModel):
    """An object deleted by the actor that sent the Delete: a late or replayed Create or Update
    of it by that actor must not bring it back (another actor's Delete proves nothing)."""

    ap_id = CharField(max_length=2048)
    actor = ForeignKeyField(Actor, on_delete="CASCADE")
    deleted_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("ap_id", "actor"), True),)
