"""Reminders emailed before an event: one row per participation and offset, kept until sent."""
from peewee import ForeignKeyField, IntegerField

from ..db import BaseModel, UTCDateTimeField
from .participation import Participation

# The offsets (minutes before the start) a reminder may take, and those an account starts with.
OFFSETS = (1440, 120, 60, 15)
DEFAULT_OFFSETS = (1440, 60)


class Reminder(BaseModel):
    participation = ForeignKeyField(Participation, backref="reminders", on_delete="CASCADE")
    offset_minutes = IntegerField()
    due_at = UTCDateTimeField()
    sent_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = (
            (("participation", "offset_minutes"), True),
            (("sent_at", "due_at"), False),
        )
