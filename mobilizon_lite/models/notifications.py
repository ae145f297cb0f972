"""Which notification emails each account wants."""
from peewee import BooleanField, CharField, ForeignKeyField

from ..db import BaseModel
from .accounts import Account

# How an account hears of its groups' new events.
GROUP_EVENTS_OFF = "off"
GROUP_EVENTS_NOW = "immediate"
GROUP_EVENTS_DAILY = "daily"
GROUP_EVENTS_MODES = (GROUP_EVENTS_OFF, GROUP_EVENTS_NOW, GROUP_EVENTS_DAILY)


class NotificationSetting(BaseModel):
    """An account's choice of emails (no row: every kind on, group events in the daily digest)."""
    account = ForeignKeyField(Account, unique=True, on_delete="CASCADE")
    comments = BooleanField(default=True)
    participation_requests = BooleanField(default=True)
    participation_decisions = BooleanField(default=True)
    invitations = BooleanField(default=True)
    group_events = CharField(max_length=16, default=GROUP_EVENTS_DAILY)
