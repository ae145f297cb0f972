"""Groups of this instance: made by an identity, changed and deleted by their administrators, found
by their username, followed by identities."""
import uuid

from flask_babel import gettext as _
from peewee import IntegrityError

from ..activitypub.convert.activities import delete_actor_to_ap
from ..activitypub.convert.actor import group_to_ap
from ..activitypub.convert.tombstone import tombstone_document
from ..activitypub.keys import new_key_pair
from ..activitypub.publish import new_activity_id, publish, withhold
from ..db import database, utcnow
from ..models import Actor, Discussion, Event, Follow, Member, Post, Resource, TodoList
from ..models.actors import TYPE_GROUP
from ..models.groups import MEMBER_ROLES, GroupVisibility, Openness, Role
from ..models.limits import ADDRESS_MAX
from ..text import markdown_to_html
from ..urls import public_url
from . import follows, group_outbox, group_roles, pictures
from .errors import Gone, Invalid, NotFound
from .events import ends_since
from .identities import check_profile, public_identity, validate_username
from .prepared import prepared

ADDRESS_FIELDS = ("place_name", "street", "postal_code", "locality", "region", "country")


def _check_settings(visibility, openness, address):
    if visibility not in tuple(GroupVisibility):
        raise Invalid(_("Choose who can find the group."), "visibility")
    if openness not in tuple(Openness):
        raise Invalid(_("Choose how people join the group."), "openness")
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        raise Invalid(_("Unknown address field."), "address")
    for name, value in address.items():
        if value and len(value.strip()) > ADDRESS_MAX[name]:
            raise Invalid(_("At most %(max)d characters.", max=ADDRESS_MAX[name]), name)


def _address(address):
    return {key: value.strip() for key, value in address.items() if value and value.strip()}


def new_member_row(group, actor, role, **fields):
    """A Member row with its own id and address (/member/<uuid>), saved."""
    member_uuid = str(uuid.uuid4())
    now = utcnow()
    return Member.create(uuid=member_uuid, ap_id=public_url("actors.member", uuid=member_uuid), group=group,
                         actor=actor, role=role, member_since=now if role in (Role.MEMBER, Role.MODERATOR,
                                                                               Role.ADMINISTRATOR) else None,
                         **fields)


def create_group(creator, username, name="", summary_source="", visibility=GroupVisibility.PUBLIC,
                 openness=Openness.MODERATED, manually_approves_followers=False, address=None, key_pair=None,
                 avatar=None, banner=None, hide_event_creator=False):
    """Create a local group, its keys, and creator (a local identity) as its first administrator;
    avatar and banner are uploaded pictures (checked and re-encoded), when given; hide_event_creator
    keeps the member who created each group event off the event's pages but for the group's moderators."""
    name, summary_source, address = name.strip(), summary_source.strip(), dict(address or {})
    validate_username(username)
    check_profile(name, summary_source)
    _check_settings(visibility, openness, address)
    saved = _save_pictures(avatar=avatar, banner=banner)
    private_pem, public_pem = key_pair or new_key_pair()
    try:
        with database.atomic():
            group = Actor.create(
                type=TYPE_GROUP, preferred_username=username, name=name, summary_source=summary_source,
                summary=markdown_to_html(summary_source), ap_id=public_url("pages.profile", username=username),
                public_key_pem=public_pem, private_key_pem=private_pem, visibility=visibility,
                openness=openness, manually_approves_followers=bool(manually_approves_followers),
                address=_address(address), hide_event_creator=bool(hide_event_creator), **saved,
            )
            new_member_row(group, creator, Role.ADMINISTRATOR)
            return group
    except IntegrityError:
        _delete_pictures(saved)
        raise Invalid(_("This username is already taken."), "username") from None
    except Exception:
        _delete_pictures(saved)
        raise


def _save_pictures(**uploads):
    """{column: stored file name} of the pictures uploaded (none saved when one is refused)."""
    saved = {}
    try:
        for column, upload in uploads.items():
            if upload:
                saved[column] = pictures.save_picture(upload, column)
    except Invalid:
        _delete_pictures(saved)
        raise
    return saved


def _delete_pictures(names):
    for name in names.values():
        pictures.delete_picture(name)


def update_group(group, actor, name, summary_source, visibility, openness, manually_approves_followers,
                 address, avatar=None, banner=None, remove=(), hide_event_creator=None):
    """Change a group's settings (its administrators only); remove names the pictures ("avatar",
    "banner") to take away; hide_event_creator (see create_group) stays as it is unless given."""
    group_roles.require(group, actor, "edit_group")
    name, summary_source, address = name.strip(), summary_source.strip(), dict(address or {})
    check_profile(name, summary_source)
    _check_settings(visibility, openness, address)
    saved = _save_pictures(avatar=avatar, banner=banner)
    replaced = {column: getattr(group, column) for column in ("avatar", "banner")
                if (column in saved or column in remove) and getattr(group, column)}
    values = dict(name=name, summary_source=summary_source, summary=markdown_to_html(summary_source),
                  visibility=visibility, openness=openness, address=_address(address),
                  manually_approves_followers=bool(manually_approves_followers), updated_at=utcnow(),
                  **{column: None for column in remove}, **saved)
    if hide_event_creator is not None:
        values["hide_event_creator"] = bool(hide_event_creator)
    try:
        Actor.update(**values).where(Actor.id == group.id).execute()
    except Exception:
        _delete_pictures(saved)
        raise
    _delete_pictures(replaced)
    return Actor.get_by_id(group.id)


def upcoming_events_count(group):
    """How many of the group's events are not over yet."""
    return Event.select().where((Event.attributed_to == group) & ends_since(utcnow())).count()


def delete_group(group, actor):
    """Delete a group (its administrators only), never one with events still to come.

    Its members' content (posts, discussions, resources, todo lists) and memberships go; its past
    events stay, in the history of those who took part; its username stays taken and its address
    answers 410 from then on; its Delete reaches its followers' servers.
    """
    group_roles.require(group, actor, "delete_group")
    with database.atomic("IMMEDIATE"):
        if upcoming_events_count(group):
            raise Invalid(_("This group has events to come: delete them, or wait until they are over, first."))
        # Its followers' servers and its members' (who hold its members-only content) hear of it.
        audience = group_outbox.audience_of(group)
        # What was sent of its posts is no longer served in anyone's name.
        withhold([ap_id for (ap_id,) in Post.select(Post.ap_id).where(Post.group == group).tuples()])
        forget_content(group)
        Follow.delete().where((Follow.follower == group) | (Follow.followed == group)).execute()
        Actor.update(deleted_at=utcnow(), name="", summary="", summary_source="", address={}, avatar=None,
                     banner=None).where(Actor.id == group.id).execute()
        publish(group, delete_actor_to_ap(new_activity_id(), group), audience)
    _delete_pictures({"avatar": group.avatar, "banner": group.banner})


def forget_content(group):
    """A deleted group's members' content (posts, discussions, resources, todo lists) and memberships go,
    here or elsewhere; its past events stay."""
    for table in (Post, Discussion, Resource, TodoList, Member):
        table.delete().where(table.group == group).execute()


def local_group(username):
    """The group called username on this instance (public or unlisted: both are reached by their
    link); NotFound when there is none or it is suspended, Gone once deleted."""
    group = _group_row(username)
    if group.deleted_at is not None:
        raise Gone(_("@%(username)s was deleted.", username=username))
    return group


def is_local_group(username):
    """True when username names a group of this instance, live or deleted (its address answers as a group)."""
    return Actor.select().where(Actor.domain.is_null() & (Actor.preferred_username == username)
                                & (Actor.type == TYPE_GROUP)).exists()


@prepared(1)
def _group_named(username):
    return Actor.select().where(Actor.domain.is_null() & (Actor.preferred_username == username)
                                & (Actor.type == TYPE_GROUP) & ~Actor.suspended)


def _group_row(username):
    """The local group called username, deleted or not; NotFound when there is none or it is suspended."""
    group = _group_named.first(username)  # every group page asks: its SQL is written once
    if group is None:
        raise NotFound(_("There is no group called @%(username)s here.", username=username))
    return group


def member_count(group):
    """How many members the group has (invited people and pending requests are not members yet)."""
    return Member.select().where((Member.group == group) & Member.role.in_(MEMBER_ROLES)).count()


def group_document(username):
    """(document, HTTP status) at /@username for a group: its Group actor, or a Tombstone (410) once deleted."""
    group = _group_row(username)
    if group.deleted_at is not None:
        return tombstone_document(group.ap_id, TYPE_GROUP, group.deleted_at), 410
    return group_to_ap(group, member_count(group)), 200


def page_owner(username):
    """The live local identity or group whose address is /@username (inboxes, outboxes, collections)."""
    return local_group(username) if is_local_group(username) else public_identity(username)


# Following a group from this instance --------------------------------------------------

def follow_group(identity, group):
    """identity (local) follows group: at once, unless the group approves its followers itself."""
    if Follow.select().where((Follow.follower == identity) & (Follow.followed == group)).exists():
        raise Invalid(_("You already follow this group, or asked to."))
    return Follow.create(follower=identity, followed=group, ap_id=new_activity_id(),
                         accepted=not group.manually_approves_followers)


def unfollow_group(identity, group):
    """identity stops following group (or withdraws its request)."""
    if not Follow.delete().where((Follow.follower == identity) & (Follow.followed == group)).execute():
        raise NotFound(_("You do not follow this group."))


def pending_followers(group):
    """Actors asking to follow the group (when it approves its followers), oldest first; each carries `.follow`."""
    return list(Actor.select(Actor, Follow).join(Follow, on=(Follow.follower == Actor.id), attr="follow")
                .where((Follow.followed == group) & ~Follow.accepted).order_by(Follow.id))


def decide_follower(group, actor, follow_id, accept):
    """Accept or refuse a request to follow the group, as one of its moderators (actor)."""
    group_roles.require(group, actor, "decide_requests")
    follows.decide_follower(group, follow_id, accept)


def follow_of(group, identities):
    """The Follow of group by one of these identities (the first found), or None."""
    ids = [identity.id for identity in identities]
    return Follow.get_or_none((Follow.followed == group) & Follow.follower.in_(ids)) if ids else None
