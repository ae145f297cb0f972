"""Events made from outside calendars, by the UID that calendar gives them, and the calendars an
identity or group subscribes to (fetched on a schedule)."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor
from .events import Event
from .limits import SUBSCRIPTION_ERROR_MAX, URL_MAX, VALIDATOR_MAX


class CalendarSubscription(BaseModel):
    """An outside .ics address whose events an identity or group (owner) keeps: fetched every `interval`
    seconds (longer after failures), with the validators of the last answer, its status and counts."""

    owner = ForeignKeyField(Actor, on_delete="CASCADE", index=False)
    url = CharField(max_length=URL_MAX)
    interval = IntegerField(default=3600)
    etag = CharField(max_length=VALIDATOR_MAX, default="")
    last_modified = CharField(max_length=VALIDATOR_MAX, default="")
    fetched_at = UTCDateTimeField(null=True)
    next_due = UTCDateTimeField(default=utcnow, index=True)
    # services/calendar_subscriptions.py: STATUSES.
    status = CharField(max_length=16, default="new")
    error = CharField(max_length=SUBSCRIPTION_ERROR_MAX, default="")
    # Failed fetches in a row: each doubles the wait before the next, up to a day.
    failures = IntegerField(default=0)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    removed = IntegerField(default=0)
    unchanged = IntegerField(default=0)
    skipped = IntegerField(default=0)
    created_by = ForeignKeyField(Actor, null=True, on_delete="SET NULL", backref="+")
    active = BooleanField(default=True)
    # Held while one process syncs it: the job, a page's "Sync now" and the command line never sync it twice
    # at once; a sync that died leaves it held only this long.
    locked_until = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("owner", "url"), True),)


class ImportedEvent(BaseModel):
    """The event an identity or group (owner) made from a calendar's VEVENT: importing it again changes
    that event, and only with a newer SEQUENCE or LAST-MODIFIED. subscription: the subscribed calendar
    that keeps it (its UID gone from that calendar, the event is removed), None for a one-off import."""

    owner = ForeignKeyField(Actor, on_delete="CASCADE", index=False)
    uid = CharField(max_length=URL_MAX)
    event = ForeignKeyField(Event, on_delete="CASCADE")
    sequence = IntegerField(default=0)
    modified = UTCDateTimeField(null=True)
    subscription = ForeignKeyField(CalendarSubscription, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("owner", "uid"), True),)
