"""What the server processes of one instance share beyond its content: the leases of roles only one of them
may play at a time (running the scheduler), and the create forms already posted (double-submit tokens)."""
from datetime import UTC, datetime, timedelta

from peewee import CharField, ForeignKeyField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .accounts import Account

SCHEDULER = "scheduler"
# The expiry of a lease nobody holds: long past.
NEVER_HELD = datetime(1970, 1, 1, tzinfo=UTC)


class Lease(BaseModel):
    """A role (one row each, made by the migration) and the process holding it until expires_at."""
    name = CharField(max_length=32, primary_key=True)
    holder = CharField(max_length=200, default="")
    expires_at = UTCDateTimeField(default=NEVER_HELD)


class FormSubmission(BaseModel):
    """A create form's token, posted by an account: its first POST runs (location still NULL), then
    location is where it led; later POSTs of the token are sent there."""
    account = ForeignKeyField(Account, on_delete="CASCADE")
    token = CharField(max_length=64)
    location = CharField(max_length=2048, null=True)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("account", "token"), True),)


def take_lease(name, holder, seconds, now=None):
    """Take or renew the lease `name` for holder, until `seconds` from now; whether holder has it.

    One UPDATE whose condition admits only the holder itself or anyone once the lease has expired: of
    processes trying at once, exactly one changes the row, on SQLite as on PostgreSQL."""
    now = now or utcnow()
    return bool(Lease.update(holder=holder, expires_at=now + timedelta(seconds=seconds)).where(
        (Lease.name == name) & ((Lease.holder == holder) | (Lease.expires_at < now))).execute())


def lease_holder(name):
    """(holder, expires_at) of the lease `name`."""
    return Lease.select(Lease.holder, Lease.expires_at).where(Lease.name == name).tuples().get()


def release_lease(name, holder):
    """Let the lease go at once when holder has it (a process stopping), so another takes it without waiting."""
    Lease.update(expires_at=NEVER_HELD).where((Lease.name == name) & (Lease.holder == holder)).execute()
