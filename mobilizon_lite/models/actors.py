"""Actors: every identity, group and application, local or remote, in one table."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow
from .accounts import Account
from .limits import URL_MAX

TYPE_PERSON = "Person"
TYPE_GROUP = "Group"
TYPE_APPLICATION = "Application"


class Actor(BaseModel):
    type = CharField(max_length=16, default=TYPE_PERSON)
    preferred_username = CharField(max_length=255)
    # NULL for actors of this instance.
    domain = CharField(max_length=255, null=True)
    name = CharField(max_length=255, default="")
    summary = TextField(default="")
    summary_source = TextField(default="")
    ap_id = CharField(max_length=2048, unique=True)
    inbox = CharField(max_length=2048, null=True)
    shared_inbox = CharField(max_length=2048, null=True)
    public_key_pem = TextField(null=True)
    # The key's own id: some servers publish keys at a URL of their own, not as "<actor>#main-key".
    public_key_id = CharField(max_length=2048, null=True, index=True)
    private_key_pem = TextField(null=True)
    account = ForeignKeyField(Account, backref="actors", null=True, on_delete="CASCADE")
    manually_approves_followers = BooleanField(default=False)
    # Groups' settings (models/groups.py names their values); other actors keep the defaults.
    visibility = CharField(max_length=16, default="public")
    openness = CharField(max_length=16, default="moderated")
    avatar = CharField(max_length=100, null=True)
    banner = CharField(max_length=100, null=True)
    # An actor of elsewhere's icon and image, as its server serves them: shown by their address, never copied.
    avatar_url = CharField(max_length=URL_MAX, null=True)
    banner_url = CharField(max_length=URL_MAX, null=True)
    # {"place_name", "street", "postal_code", "locality", "region", "country"}, any of them.
    address = JSONField(default=dict)
    # Mobilizon's hide_organizer_when_group_event, here one setting of the group for all its events.
    hide_event_creator = BooleanField(default=False)
    # A group of elsewhere: the memberCount of its document (NULL when it gives none, and for ours).
    member_count = IntegerField(null=True)
    suspended = BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    fetched_at = UTCDateTimeField(null=True)
    # A deleted local identity keeps its row so its username is never handed out again.
    deleted_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("domain", "preferred_username"), False),)

    @property
    def is_local(self):
        return self.domain is None

    @property
    def display_name(self):
        return self.name or self.preferred_username

    @property
    def is_group(self):
        return self.type == TYPE_GROUP

    @property
    def handle(self):
        """username here, username@server for an actor of another server."""
        return self.preferred_username if self.domain is None else f"{self.preferred_username}@{self.domain}"


# SQLite treats NULLs as distinct in unique indexes, so local usernames need their own index.
Actor.add_index(
    Actor.index(Actor.preferred_username, unique=True, name="actor_local_username")
    .where(Actor.domain.is_null())
)
