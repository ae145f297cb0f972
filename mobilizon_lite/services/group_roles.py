"""Who may do what in a group: members' roles, and the one table of what each role allows."""
from flask_babel import gettext as _

from ..models import Member
from ..models.groups import RANKS, Role
from .errors import NotFound, PermissionDenied

# The least role each action needs (Mobilizon's: members take part, moderators run the group's
# content and people, administrators the group itself).
ACTIONS = {
    "see_members_only": Role.MEMBER,
    "discuss": Role.MEMBER,
    "edit_resources": Role.MEMBER,
    "edit_todos": Role.MEMBER,
    "leave": Role.MEMBER,
    "manage_events": Role.MODERATOR,
    "write_posts": Role.MODERATOR,
    "decide_requests": Role.MODERATOR,
    "invite": Role.MODERATOR,
    "remove_member": Role.MODERATOR,
    # Moderators exclude members; only administrators exclude moderators and administrators.
    "remove_moderator": Role.ADMINISTRATOR,
    "moderate_discussions": Role.MODERATOR,
    "edit_group": Role.ADMINISTRATOR,
    "change_roles": Role.ADMINISTRATOR,
    "delete_group": Role.ADMINISTRATOR,
}


def rank(role):
    """How far role reaches: 0 for people who are not members (yet), up to 3 for administrators."""
    return RANKS.get(role, 0) if role else 0


def membership(group, actor):
    """actor's Member row in group, whatever its role, or None."""
    if actor is None:
        return None
    return Member.get_or_none((Member.group == group) & (Member.actor == actor))


def member_role(row):
    """The role of a Member row, None for no row."""
    return row.role if row is not None else None


def role_of(group, actor):
    """actor's role in group, or None when it has none."""
    return member_role(membership(group, actor))


def allows(role, action):
    """True when role may do action (a key of ACTIONS)."""
    return rank(role) >= rank(ACTIONS[action])


def may(group, actor, action):
    """True when actor's role in group allows action."""
    return allows(role_of(group, actor), action)


def require(group, actor, action):
    """Raise PermissionDenied unless actor's role in group allows action."""
    if not may(group, actor, action):
        raise PermissionDenied(_("Your role in this group does not allow this."))


def acting_member(group, identities, preferred=None):
    """(identity, Member) of the account's identity that is in group with the highest role, preferred
    first among equals; (None, None) when none is. Pages name only this identity, never the others."""
    by_id = {identity.id: identity for identity in identities}
    if not by_id:
        return None, None
    rows = list(Member.select().where((Member.group == group) & Member.actor.in_(list(by_id))))
    if not rows:
        return None, None
    preferred_id = preferred.id if preferred is not None else None
    best = max(rows, key=lambda row: (rank(row.role), row.actor_id == preferred_id, -row.id))
    return by_id[best.actor_id], best


def hidden():
    """The refusal non-members get for members-only content: the same as for something that does not exist."""
    return NotFound(_("This page does not exist, or is not visible to you."))


def require_member_view(group, identities, preferred=None):
    """(identity, Member) acting in group (see acting_member) when its role lets it see members-only
    content; NotFound otherwise, invited and pending people included, so that a private membership is
    not even confirmed."""
    identity, member = acting_member(group, identities, preferred)
    if member is None or not allows(member.role, "see_members_only"):
        raise hidden()
    return identity, member
