"""The moderation log: who did what to which account, content or instance, when and why."""
from peewee import CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .accounts import Account


class ModerationLog(BaseModel):
    created_at = UTCDateTimeField(default=utcnow, index=True)
    # NULL when the command line did it (the host's administrator, no account).
    moderator = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    action = CharField(max_length=40)
    # What was acted on: a kind ("account", "event", "comment", "domain", "report", ...), its id or
    # address, and a label kept as it was then, so the line stays readable after a deletion.
    target_type = CharField(max_length=20)
    target_id = CharField(max_length=2048)
    target_label = CharField(max_length=300, default="")
    reason = TextField(default="")
