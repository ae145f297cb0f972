"""Instance-wide settings changed at run time, and registration invitations."""
from peewee import CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .accounts import Account


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()


class Invite(BaseModel):
    token_hash = CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()
    used_at = UTCDateTimeField(null=True)
    used_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")
