"""The moderation log (who did what to which account, content or instance, when and why) and the
domains this instance blocks."""
from peewee import BooleanField, CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from . import counters
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


SUSPEND = "suspend"
SILENCE = "silence"
SEVERITIES = (SUSPEND, SILENCE)


class DomainBlock(BaseModel):
    """A server (and its subdomains) this instance suspends (nothing in or out, its content removed) or
    silences (kept off public listings)."""

    # Lower-case, IDNA-encoded, without port or trailing dot (services.domain_blocks.normalise).
    domain = CharField(max_length=253, unique=True)
    severity = CharField(max_length=10, default=SUSPEND)
    # Pictures of its actors and events are neither shown nor fetched.
    reject_media = BooleanField(default=False)
    reason = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    moderator = ForeignKeyField(Account, null=True, on_delete="SET NULL")


# Triggers raise it on every change of domain_block, whoever writes (a page, the command line in another
# process): the blocks kept in memory are read again only when it moved.
BLOCKS_COUNTER = "domain_block_version"


def create_blocks_version():
    """The one-row table holding the version of the domain blocks, and its triggers."""
    counters.create_counter(BLOCKS_COUNTER)
    for event in ("INSERT", "UPDATE", "DELETE"):
        counters.count_changes(f"domain_block_changed_{event}", BLOCKS_COUNTER, "domain_block", event)


def blocks_version():
    """The current version of the domain blocks; it only grows."""
    return counters.version(BLOCKS_COUNTER)
