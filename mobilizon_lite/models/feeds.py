"""Private calendar feed tokens."""
from peewee import CharField, ForeignKeyField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .accounts import Account
from .actors import Actor


class FeedToken(BaseModel):
    account = ForeignKeyField(Account, backref="feed_tokens", on_delete="CASCADE")
    # NULL: the feed covers every identity of the account.
    actor = ForeignKeyField(Actor, null=True, on_delete="CASCADE")
    # The token shown to people is an HMAC of this nonce: a copy of the database alone opens no feed.
    nonce = CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "actor"), True),)
