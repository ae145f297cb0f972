"""Groups' members and what members share: posts, discussions, resources and todo lists.

A group itself is an Actor of type Group (its visibility, openness, pictures and address are columns
of the actor table, as in Mobilizon)."""
from enum import StrEnum

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor
from .limits import TITLE_MAX, URL_MAX


class Openness(StrEnum):
    OPEN = "open"  # anyone joins at once
    MODERATED = "moderated"  # moderators approve each request (Mobilizon's default)
    INVITE_ONLY = "invite_only"


class GroupVisibility(StrEnum):
    PUBLIC = "public"  # listed on /groups, searchable, in the instance feed
    UNLISTED = "unlisted"  # reachable by its link only


class Role(StrEnum):
    """Mobilizon's member roles; the order of RANKS says who may do what."""
    REJECTED = "rejected"
    INVITED = "invited"
    NOT_APPROVED = "not_approved"
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMINISTRATOR = "administrator"


# Invited and not-approved people are not members yet: they rank with the rejected, below member.
RANKS = {Role.REJECTED: 0, Role.INVITED: 0, Role.NOT_APPROVED: 0,
         Role.MEMBER: 1, Role.MODERATOR: 2, Role.ADMINISTRATOR: 3}
MEMBER_ROLES = (Role.MEMBER, Role.MODERATOR, Role.ADMINISTRATOR)


class PostVisibility(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"  # Mobilizon's "private": the group's members only


class Member(BaseModel):
    """One actor's place in one group, from invitation or request to administrator."""
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    group = ForeignKeyField(Actor, backref="memberships", on_delete="CASCADE")
    actor = ForeignKeyField(Actor, backref="member_of", on_delete="CASCADE")
    role = CharField(max_length=16)
    # The request's message for a moderated group.
    message = TextField(default="")
    invited_by = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    member_since = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("group", "actor"), True),
            (("actor", "role"), False),
            (("group", "role"), False),
        )


class Post(BaseModel):
    """A group's article (ActivityStreams Article), public or for members only."""
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    slug = CharField(max_length=120, unique=True)
    group = ForeignKeyField(Actor, backref="posts", on_delete="CASCADE")
    author = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    title = CharField(max_length=TITLE_MAX)
    body = TextField(default="")
    body_source = TextField(default="")
    picture = CharField(max_length=100, null=True)
    visibility = CharField(max_length=16, default=PostVisibility.PUBLIC)
    draft = BooleanField(default=False)
    published_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "published_at"), False),)


class Discussion(BaseModel):
    """A members-only thread of a group."""
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    slug = CharField(max_length=120)
    group = ForeignKeyField(Actor, backref="discussions", on_delete="CASCADE")
    creator = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    title = CharField(max_length=TITLE_MAX)
    created_at = UTCDateTimeField(default=utcnow)
    # When its last comment was written: the list shows the liveliest first.
    last_activity_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "slug"), True), (("group", "last_activity_at"), False))


class DiscussionComment(BaseModel):
    """One message of a discussion."""
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    discussion = ForeignKeyField(Discussion, backref="comments", on_delete="CASCADE")
    actor = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    text = TextField(default="")
    source = TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    updated_at = UTCDateTimeField(default=utcnow)
    deleted_at = UTCDateTimeField(null=True)
    # Written here in a group of elsewhere, until the group passes it on (its Announce comes back).
    pending = BooleanField(default=False)


class Resource(BaseModel):
    """A link or a folder of links in a group's shared tree."""
    FOLDER = "folder"
    LINK = "link"

    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    group = ForeignKeyField(Actor, backref="resources", on_delete="CASCADE")
    # NULL at the root of the tree.
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
    type = CharField(max_length=16, default=LINK)
    title = CharField(max_length=TITLE_MAX)
    url = CharField(max_length=URL_MAX, default="")
    description = TextField(default="")
    creator = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    # Written here in a group of elsewhere, until the group passes it on (its Announce comes back).
    pending = BooleanField(default=False)

    class Meta:
        indexes = ((("group", "parent"), False),)


class TodoList(BaseModel):
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    group = ForeignKeyField(Actor, backref="todo_lists", on_delete="CASCADE")
    title = CharField(max_length=TITLE_MAX)
    created_at = UTCDateTimeField(default=utcnow)
    # Written here in a group of elsewhere, until the group passes it on (its Announce comes back).
    pending = BooleanField(default=False)


class Todo(BaseModel):
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    todo_list = ForeignKeyField(TodoList, backref="todos", on_delete="CASCADE")
    title = CharField(max_length=TITLE_MAX)
    done = BooleanField(default=False)
    assigned_to = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    due_on = DateField(null=True)
    creator = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    position = IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    # Written here in a group of elsewhere, until the group passes it on (its Announce comes back).
    pending = BooleanField(default=False)
