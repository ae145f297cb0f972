"""Abuse limits: failed attempts per account or address, and identities' recent creations."""
from peewee import CharField, ForeignKeyField, IntegerField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor


class Throttle(BaseModel):
    # What is counted, e.g. "login:email:ann@example.org" or "login:address:192.0.2.1".
    key = CharField(max_length=300, unique=True)
    failures = IntegerField(default=0)
    last_failure_at = UTCDateTimeField(default=utcnow, index=True)
    # Until then the action is refused, even with the right password.
    blocked_until = UTCDateTimeField(default=utcnow)


class RateLimitHit(BaseModel):
    # One row per event, comment or report an identity created (or tried to) from a page.
    actor = ForeignKeyField(Actor, on_delete="CASCADE")
    kind = CharField(max_length=16)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("actor", "kind", "created_at"), False),)
