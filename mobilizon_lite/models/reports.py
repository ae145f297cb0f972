"""Reports: someone (an identity, a visitor's address, another server) tells the moderators about content."""
from peewee import BooleanField, CharField, ForeignKeyField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .accounts import Account
from .actors import Actor
from .limits import URL_MAX

# A visitor's report waits for its address to be confirmed; the moderators see the others.
UNCONFIRMED = "unconfirmed"
OPEN = "open"
RESOLVED = "resolved"
CLOSED = "closed"
STATES = (OPEN, RESOLVED, CLOSED)
# Why, in the categories Mastodon's and Mobilizon's moderators sort by.
REASONS = ("spam", "harassment", "illegal", "rules", "other")
# What can be reported, as a report item names it.
KINDS = ("event", "comment", "post", "group", "identity")


class Report(BaseModel):
    uuid = CharField(max_length=36, unique=True)
    # The id of the Flag another server sent (NULL for the reports made here).
    remote_id = CharField(max_length=URL_MAX, null=True, unique=True)
    # Who reports: a local identity, another server's actor (for a Flag), or nobody but a visitor's email.
    reporter = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    email = CharField(max_length=254, null=True)
    locale = CharField(max_length=8, null=True)
    # The author of what is reported (kept when the content goes).
    reported = ForeignKeyField(Actor, null=True, on_delete="SET NULL", backref="reports_against")
    reason = CharField(max_length=20)
    comment = TextField(default="")
    state = CharField(max_length=16, default=OPEN)
    # The reporter asked that the content's server be told (a Flag from the instance actor).
    forward = BooleanField(default=False)
    forwarded_at = UTCDateTimeField(null=True)
    confirm_token_hash = CharField(max_length=64, null=True, unique=True)
    confirm_expires_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("state", "created_at"), False),)


class ReportItem(BaseModel):
    """One reported thing, named by its address so that the report outlives it."""
    report = ForeignKeyField(Report, backref="items", on_delete="CASCADE")
    kind = CharField(max_length=16)
    ap_id = CharField(max_length=URL_MAX, index=True)
    # NULL for this instance's content.
    domain = CharField(max_length=255, null=True)
    label = CharField(max_length=300, default="")


class ReportNote(BaseModel):
    """A moderator's note on a report, for the other moderators."""
    report = ForeignKeyField(Report, backref="notes", on_delete="CASCADE")
    moderator = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    text = TextField()
    created_at = UTCDateTimeField(default=utcnow)
