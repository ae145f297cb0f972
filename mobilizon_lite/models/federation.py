"""Federation state: activities received (once each), follows between actors."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow
from .actors import Actor

RECEIVED = "received"
DONE = "done"
FAILED = "failed"
IGNORED = "ignored"


class InboxItem(BaseModel):
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


class Follow(BaseModel):
    follower = ForeignKeyField(Actor, backref="following_rows", on_delete="CASCADE")
    followed = ForeignKeyField(Actor, backref="follower_rows", on_delete="CASCADE")
    ap_id = CharField(max_length=2048, unique=True)
    accepted = BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("follower", "followed"), True),)
