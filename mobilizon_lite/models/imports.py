"""Events made from an outside calendar, by the UID that calendar gives them."""
from peewee import CharField, ForeignKeyField, IntegerField

from ..db import BaseModel, UTCDateTimeField
from .actors import Actor
from .events import Event
from .limits import URL_MAX


class ImportedEvent(BaseModel):
    """The event an identity or group (owner) made from a calendar's VEVENT: importing it again changes
    that event, and only with a newer SEQUENCE or LAST-MODIFIED."""

    owner = ForeignKeyField(Actor, on_delete="CASCADE", index=False)
    uid = CharField(max_length=URL_MAX)
    event = ForeignKeyField(Event, on_delete="CASCADE")
    sequence = IntegerField(default=0)
    modified = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("owner", "uid"), True),)
