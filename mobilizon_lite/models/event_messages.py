"""Messages an event's organisers wrote to its participants, sent from here or received from the
event's server."""
from peewee import CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor
from .events import Event

# Whom a message is for: everyone taking part or waiting for approval, or one of the two.
ALL = "all"
ACCEPTED = "accepted"
WAITING = "waiting"
AUDIENCES = (ALL, ACCEPTED, WAITING)


class EventMessage(BaseModel):
    event = ForeignKeyField(Event, backref="messages", on_delete="CASCADE")
    sender = ForeignKeyField(Actor, on_delete="CASCADE")
    audience = CharField(max_length=16, default=ALL)
    subject = CharField(max_length=200)
    text = TextField()
    created_at = UTCDateTimeField(default=utcnow)
    # The Note's id: ours for a message sent from here, the sender's server's for one received.
    ap_id = CharField(max_length=2048, null=True, unique=True)

    class Meta:
        indexes = ((("event", "created_at"), False),)
