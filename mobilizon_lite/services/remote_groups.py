"""Groups of other servers seen from here: found by their @name@server, joined (Join), left or a request
withdrawn (Leave), followed, shown with what we hold of them; and the account's groups, here and
elsewhere. The group's answers about our identities are handled in remote_members."""
import logging

from flask_babel import gettext as _
from peewee import fn

from ..activitypub.client import RequestError
from ..activitypub.convert.member import join_to_ap, leave_to_ap
from ..activitypub.parse import ParseError
from ..activitypub.publish import new_activity_id, publish
from ..db import database
from ..models import Actor, Member, Post
from ..models.actors import TYPE_GROUP
from ..models.groups import MEMBER_ROLES, Openness, Role
from . import discussions, follows
from .actors import actor_from_ap, signed_get
from .errors import NotFound, PermissionDenied
from .group_pages import POSTS_ON_PAGE
from .group_roles import membership, require
from .groups import new_member_row
from .members import check_join
from .participation import clean_message
from .posts import readable_by

log = logging.getLogger(__name__)

HANDLE_MAX = 320
DISCUSSIONS_ON_PAGE = 5


def is_remote_handle(username):
    """True when an address /@<username> names an actor of elsewhere (name@server)."""
    return "@" in username


def remote_group(handle):
    """The live group of elsewhere known here as name@server; NotFound else (nobody is fetched)."""
    name, _at, domain = handle.partition("@")
    group = None
    if name and domain and len(handle) <= HANDLE_MAX:
        group = (Actor.select().where((Actor.domain == domain.lower()) & (Actor.preferred_username == name)
                                      & (Actor.type == TYPE_GROUP) & Actor.deleted_at.is_null() & ~Actor.suspended)
                 .first())
    if group is None:
        raise NotFound(_("This group is not known here: search for its address first."))
    return group


def join(group, identity, message=""):
    """Ask to join a group of elsewhere as one identity: a request until the group's Accept (an open
    group sends it at once); the Join's id is the Member's, as Mobilizon's is."""
    message = clean_message(message)
    with database.atomic("IMMEDIATE"):
        check_join(group, identity)
        member = new_member_row(group, identity, Role.NOT_APPROVED, message=message)
        publish(identity, join_to_ap(member, group, message), [group])
    return member


def leave(group, identity):
    """Leave a group of elsewhere; the group's server decides whether its last administrator may."""
    with database.atomic("IMMEDIATE"):
        require(group, identity, "leave")
        _step_out(group, membership(group, identity))


def withdraw(group, identity):
    """Take back a request to join a group of elsewhere, still waiting (sent as a Leave, as Mobilizon does)."""
    with database.atomic("IMMEDIATE"):
        member = membership(group, identity)
        if member is None or member.role != Role.NOT_APPROVED:
            raise PermissionDenied(_("@%(username)s has no request waiting in this group.",
                                     username=identity.preferred_username))
        _step_out(group, member)


def _step_out(group, member):
    member.delete_instance()
    publish(member.actor, leave_to_ap(new_activity_id(), member, group), [group])


def follow(group, identity):
    """Follow a group of elsewhere (Follow; it counts once the group accepts)."""
    return follows.follow(identity, group.ap_id)


def unfollow(group, identity):
    """Stop following a group of elsewhere, or withdraw the request (Undo)."""
    follows.unfollow(identity, group)


def refresh(group):
    """Fetch the group's document again (its member count changed with our identity's membership),
    keeping what we hold when its server does not answer."""
    try:
        actor_from_ap(signed_get(group.ap_id))
    except (RequestError, ParseError) as error:
        log.info("refresh of %s failed: %s", group.ap_id, error)


def received_posts(group, role=None, limit=POSTS_ON_PAGE):
    """The group's posts its Announces brought that a member of role reads (public ones for anyone
    else): title, sanitised body, date, visibility, address on its server; newest first (their pages
    are on its server only)."""
    return list(Post.select(Post.title, Post.body, Post.published_at, Post.ap_id, Post.visibility)
                .where((Post.group == group) & readable_by(role, drafts=False) & Post.published_at.is_null(False))
                .order_by(Post.published_at.desc()).limit(limit))


def latest_discussions(group, member, limit=DISCUSSIONS_ON_PAGE):
    """The group's liveliest discussions held here, for its member (see discussions.discussions_of)."""
    return discussions.discussions_of(group, member, per_page=limit)[:limit]


def joinable(group):
    """True when a person may ask to join the group (it is not by invitation only)."""
    return group.openness != Openness.INVITE_ONLY


def my_groups(identities):
    """The account's memberships, requests and invitations in groups here and elsewhere (Member rows,
    each with its group and identity), by group name."""
    by_id = {identity.id: identity for identity in identities}
    if not by_id:
        return []
    rows = list(Member.select(Member, Actor).join(Actor, on=(Member.group == Actor.id))
                .where(Member.actor.in_(list(by_id)) & Member.role.in_([*MEMBER_ROLES, Role.NOT_APPROVED, Role.INVITED])
                       & Actor.deleted_at.is_null())
                .order_by(fn.LOWER(fn.COALESCE(fn.NULLIF(Actor.name, ""), Actor.preferred_username)), Member.id))
    for row in rows:
        row.actor = by_id[row.actor_id]
    return rows
