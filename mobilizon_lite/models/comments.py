"""Comments on events, with one level of replies."""
from peewee import CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor
from .events import Event


class Comment(BaseModel):
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=2048, unique=True)
    event = ForeignKeyField(Event, backref="comments", on_delete="CASCADE")
    actor = ForeignKeyField(Actor, on_delete="CASCADE")
    in_reply_to = ForeignKeyField("self", null=True, backref="replies", on_delete="CASCADE")
    text = TextField(default="")
    source = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    updated_at = UTCDateTimeField(default=utcnow)
    # A deleted comment with replies stays as a placeholder so the thread still reads.
    deleted_at = UTCDateTimeField(null=True)
