"""Each identity's daily email about its groups' new events."""
from peewee import BooleanField, ForeignKeyField

from ..db import BaseModel, UTCDateTimeField
from .actors import Actor


class GroupDigest(BaseModel):
    """Whether an identity wants the digest, and the moment up to which its groups' new events were sent
    (no row: the digest is on, and nothing was sent yet)."""
    actor = ForeignKeyField(Actor, unique=True, on_delete="CASCADE")
    enabled = BooleanField(default=True)
    covered_until = UTCDateTimeField(null=True)
