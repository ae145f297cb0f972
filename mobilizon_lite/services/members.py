"""Membership of this instance's groups: join requests, invitations, roles, removal and leaving, the
emails each sends, and the members collection."""
from flask_babel import gettext as _
from peewee import Case

from ..activitypub.convert.actor import collection
from ..activitypub.convert.member import (
    decision_to_ap,
    invite_answer_to_ap,
    invite_to_ap,
    member_document,
    member_to_ap,
    remove_to_ap,
    role_update_to_ap,
)
from ..activitypub.publish import new_activity_id, publish
from ..db import database, utcnow
from ..models import Actor, Member
from ..models.groups import MEMBER_ROLES, Openness, Role
from ..urls import public_url
from . import notifications
from .errors import Invalid, NotFound, PermissionDenied
from .follows import find_remote_actor
from .group_roles import may, membership, require
from .groups import member_count, new_member_row
from .identities import public_identity
from .participation import clean_message
from .rows import Row, with_actors

# Administrators first, then moderators, then members: the order of the members page and collection.
RANK_ORDER = Case(Member.role, ((Role.ADMINISTRATOR, 0), (Role.MODERATOR, 1)), 2)


def members_link(group):
    return public_url("members.index", username=group.preferred_username)


def _tell(member, kind, template, **context):
    """Email the person a Member row is about (a local identity's account, if it wants kind), naming only
    that identity."""
    notifications.notify_identities(kind, [member.actor_id], template, lambda _account: dict(
        context, group=member.group, identity=member.actor))


def _notify_moderators(group, member):
    """Email the group's moderators and administrators that member asks to join."""
    deciders = (Actor.select(Actor.id).join(Member, on=(Member.actor == Actor.id))
                .where((Member.group == group) & Member.role.in_([Role.MODERATOR, Role.ADMINISTRATOR])
                       & Actor.deleted_at.is_null()))
    context = {"group": group, "identity": member.actor, "message": member.message, "link": members_link(group)}
    notifications.notify_identities(notifications.REQUESTS, [actor_id for (actor_id,) in deciders.tuples()],
                                    "mail/group_join_request.txt", lambda _account: context)


def remote_members(group):
    """The group's members of other servers: who its members collection reaches elsewhere."""
    return list(Actor.select().join(Member, on=(Member.actor == Actor.id)).where(
        (Member.group == group) & Member.role.in_(MEMBER_ROLES) & Actor.domain.is_null(False)))


def _speaker(group, actor):
    """Who sends what actor did in group: actor itself, or the group for a moderator of elsewhere (whose
    key is not ours to sign with)."""
    return actor if actor.is_local else group


def _send(actor, activity, recipients):
    """Publish a membership activity when some recipient lives on another server (call in the transaction)."""
    if any(not recipient.is_local for recipient in recipients):
        publish(actor, activity, recipients)


def send_decision(group, member, verb):
    """Tell a person of another server that the group accepted (Accept, to its other members' servers
    too) or rejected (Reject) their Join."""
    if member.actor.is_local:
        return
    recipients = [member.actor] + (remote_members(group) if verb == "Accept" else [])
    publish(group, decision_to_ap(new_activity_id(), verb, group, member), recipients)


def set_role(member, role):
    """Give a Member row its new role (member_since set on becoming a member)."""
    member.role = role
    member.updated_at = utcnow()
    if role in MEMBER_ROLES and member.member_since is None:
        member.member_since = member.updated_at
    member.save()


def _refuse_existing(member):
    """Explain why an identity that already has a place in the group cannot join again."""
    if member.role in MEMBER_ROLES:
        raise Invalid(_("@%(username)s is already a member of this group.", username=member.actor.handle))
    if member.role == Role.INVITED:
        raise Invalid(_("@%(username)s is invited already: accept the invitation on the invitations page.",
                        username=member.actor.handle))
    if member.role == Role.NOT_APPROVED:
        raise Invalid(_("The request of @%(username)s waits for the moderators' answer.",
                        username=member.actor.handle))
    # As in Mobilizon, a rejected or removed person does not ask again; the moderators may invite them.
    raise PermissionDenied(_("The moderators declined the membership of @%(username)s; only their invitation "
                             "can let it in now.", username=member.actor.handle))


def check_join(group, actor):
    """Refuse what join_group would refuse before anything is written."""
    existing = membership(group, actor)
    if existing is not None:
        _refuse_existing(existing)  # an invited person is sent to the invitation, whatever the openness
    if group.openness == Openness.INVITE_ONLY:
        raise PermissionDenied(_("This group admits only the people its moderators invite."))


def join_group(group, actor, message="", join_id=None):
    """Join as one identity (local, or of another server whose Join has join_id): a member at once in
    an open group, a request waiting for the moderators (emailed) in a moderated one; invite-only
    groups admit by invitation only."""
    message = clean_message(message)
    with database.atomic("IMMEDIATE"):
        check_join(group, actor)
        moderated = group.openness == Openness.MODERATED
        member = new_member_row(group, actor, Role.NOT_APPROVED if moderated else Role.MEMBER,
                                message=message if moderated else "")
        if join_id:
            # The person's server knows the membership by the id of the Join it sent, as Mobilizon does.
            member.ap_id = join_id
            member.save(only=[Member.ap_id])
    if moderated:
        _notify_moderators(group, member)
    return member


def require_another_administrator(member):
    """Refuse to take the administrator role away from the group's last administrator; call inside an
    IMMEDIATE transaction, so that two administrators stepping down at once cannot both succeed."""
    if member.role != Role.ADMINISTRATOR:
        return
    others = Member.select().where((Member.group == member.group_id) & (Member.role == Role.ADMINISTRATOR)
                                   & (Member.id != member.id))
    if not others.exists():
        raise PermissionDenied(_("A group needs an administrator: make another member administrator first."))


def leave_group(group, actor):
    """Stop being a member (never the last administrator)."""
    with database.atomic("IMMEDIATE"):
        require(group, actor, "leave")
        member = membership(group, actor)
        require_another_administrator(member)
        member.delete_instance()


def withdraw_request(group, actor):
    """Take back actor's request to join, still waiting: the moderators no longer see it, and one may
    ask again later."""
    with database.atomic("IMMEDIATE"):
        member = membership(group, actor)
        if member is None or member.role != Role.NOT_APPROVED:
            raise PermissionDenied(_("@%(username)s has no request waiting in this group.",
                                     username=actor.preferred_username))
        member.delete_instance()


def member_in(group, member_uuid, roles=None):
    """The group's Member row with this uuid (of one of roles, when given); NotFound otherwise."""
    member = Member.get_or_none((Member.uuid == member_uuid) & (Member.group == group))
    if member is None or (roles is not None and member.role not in roles):
        raise NotFound(_("This member does not exist."))
    return member


def decide_request(group, moderator, member_uuid, approve):
    """Approve (member) or reject a join request; the person is emailed either way."""
    with database.atomic("IMMEDIATE"):
        require(group, moderator, "decide_requests")
        member = member_in(group, member_uuid, (Role.NOT_APPROVED,))
        set_role(member, Role.MEMBER if approve else Role.REJECTED)
        send_decision(group, member, "Accept" if approve else "Reject")
    _tell(member, notifications.DECISIONS,
          "mail/group_request_approved.txt" if approve else "mail/group_request_rejected.txt", link=group.ap_id)
    return member


def change_role(group, administrator, member_uuid, role):
    """Make a member member, moderator or administrator (never demoting the last administrator)."""
    if role not in MEMBER_ROLES:
        raise Invalid(_("Choose member, moderator or administrator."), "role")
    with database.atomic("IMMEDIATE"):
        require(group, administrator, "change_roles")
        member = member_in(group, member_uuid, MEMBER_ROLES)
        if role != Role.ADMINISTRATOR:
            require_another_administrator(member)
        set_role(member, role)
        speaker = _speaker(group, administrator)
        _send(speaker, role_update_to_ap(new_activity_id(), member, group, speaker), remote_members(group))
    return member


def remove_member(group, moderator, member_uuid):
    """Exclude someone (moderators exclude members, administrators anyone but the last administrator);
    as in Mobilizon they become rejected, so they cannot simply join again, and are emailed."""
    with database.atomic("IMMEDIATE"):
        require(group, moderator, "remove_member")
        member = member_in(group, member_uuid, MEMBER_ROLES)
        if member.actor_id == moderator.id:
            raise Invalid(_("To leave the group, use its Leave button."))
        require(group, moderator, "remove_member" if member.role == Role.MEMBER else "remove_moderator")
        require_another_administrator(member)
        set_role(member, Role.REJECTED)
        speaker = _speaker(group, moderator)
        _send(speaker, remove_to_ap(new_activity_id(), member, group, speaker), remote_members(group) + [member.actor])
    _tell(member, notifications.DECISIONS, "mail/group_removed.txt", link=group.ap_id)
    return member


def _invitee(username):
    """The person @username (an identity here), or @user@server or a profile link (fetched from its
    server), names."""
    username = (username or "").strip()
    if "@" not in username.lstrip("@") and not username.startswith(("http://", "https://")):
        try:
            return public_identity(username.lstrip("@"))
        except NotFound as error:  # Gone too: a deleted identity is no one to invite
            raise Invalid(error.message, "username") from None
    try:
        person = find_remote_actor(username)
    except (Invalid, NotFound) as error:
        raise Invalid(error.message, "username") from None
    if person.type != "Person":
        raise Invalid(_("Only people can be invited to a group."), "username")
    return person


def invite(group, moderator, username):
    """Invite an identity by @username, or a person of another server by @user@server (sent an Invite),
    a rejected one too (the moderators changed their mind); a local identity's account is emailed,
    naming that identity only."""
    require(group, moderator, "invite")
    identity = _invitee(username)
    with database.atomic("IMMEDIATE"):
        member = membership(group, identity)
        if member is None:
            member = new_member_row(group, identity, Role.INVITED, invited_by=moderator)
        elif member.role == Role.REJECTED:
            member.invited_by = moderator
            set_role(member, Role.INVITED)
        else:
            _refuse_existing(member)
        _send(moderator, invite_to_ap(member, group, moderator), [identity] + remote_members(group))
    tell_invited(member, moderator)
    return member


def tell_invited(member, inviter):
    """Email the account of an invited identity of here, naming that identity only."""
    _tell(member, notifications.INVITATIONS, "mail/group_invitation.txt", inviter=inviter,
          link=public_url("members.invitations"))


def tell_decision(member, template):
    """Email the account of an identity of here what a group of elsewhere decided about its membership,
    with the link to the group's page here."""
    _tell(member, notifications.DECISIONS, template, link=public_url("pages.profile", username=member.group.handle))


def invitations_for(identities):
    """Invitations waiting for any of these identities (an account's), with their groups, newest first."""
    ids = [identity.id for identity in identities]
    if not ids:
        return []
    by_id = {identity.id: identity for identity in identities}
    rows = list(Member.select(Member, Actor).join(Actor, on=(Member.group == Actor.id))
                .where(Member.actor.in_(ids) & (Member.role == Role.INVITED)).order_by(Member.id.desc()))
    for row in rows:
        row.actor = by_id[row.actor_id]
    return rows


def answer_invitation(identities, member_uuid, accept):
    """Accept (member) or decline (the invitation is deleted: one may be invited or ask again) an
    invitation to one of these identities."""
    ids = [identity.id for identity in identities]
    with database.atomic("IMMEDIATE"):
        member = Member.get_or_none((Member.uuid == member_uuid) & Member.actor.in_(ids)
                                    & (Member.role == Role.INVITED))
        if member is None:
            raise NotFound(_("This invitation does not exist."))
        group = member.group
        if accept:
            set_role(member, Role.MEMBER)
        if not group.is_local:  # the group's server learns the answer; the inviter's is told too
            inviter = [member.invited_by] if member.invited_by_id else []
            publish(member.actor, invite_answer_to_ap(new_activity_id(), "Accept" if accept else "Reject",
                                                      member, group), [group] + inviter)
        if not accept:
            member.delete_instance()
    return member


def _with_actors(query):
    return list(query.select(Member, Actor).join(Actor, on=(Member.actor == Actor.id)))


class MemberRow(Row):
    """A Member row as the members page lists it; actor is an ActorRow."""

    __slots__ = ("id", "uuid", "actor_id", "role", "message", "actor")
    COLUMNS = (Member.id, Member.uuid, Member.actor, Member.role, Member.message)


def _member_rows(query):
    return with_actors(query.join(Actor, on=(Member.actor == Actor.id)), MemberRow)


def members_page(group, page, per_page):
    """One page of the group's members (administrators first) as MemberRows, and one row more when a
    next page exists."""
    return _member_rows(Member.select().where((Member.group == group) & Member.role.in_(MEMBER_ROLES))
                        .order_by(RANK_ORDER, Member.member_since, Member.id)
                        .limit(per_page + 1).offset((page - 1) * per_page))


def waiting(group):
    """(pending requests, invitations) of the group as MemberRows, oldest first."""
    rows = _member_rows(Member.select().where((Member.group == group)
                                              & Member.role.in_([Role.NOT_APPROVED, Role.INVITED]))
                        .order_by(Member.id))
    return ([row for row in rows if row.role == Role.NOT_APPROVED],
            [row for row in rows if row.role == Role.INVITED])


def members_collection(group, requester, page=None, per_page=10):
    """The members collection (Member objects): whole when requester (the actor asking) is a member,
    empty for anyone else."""
    collection_id = members_link(group)
    if not may(group, requester, "see_members_only"):
        return collection(collection_id, [], 0, page, per_page)
    items = []
    if page is not None:
        items = [member_to_ap(row, group) for row in _with_actors(
            Member.select().where((Member.group == group) & Member.role.in_(MEMBER_ROLES))
            .order_by(RANK_ORDER, Member.id).limit(per_page).offset((page - 1) * per_page))]
    return collection(collection_id, items, member_count(group), page, per_page)


def member_object(member_uuid, requester):
    """The Member document at /member/<uuid>, for the member itself or another member of its group
    (requester: the actor that signed the fetch); NotFound for anyone else."""
    member = Member.get_or_none(Member.uuid == member_uuid)
    if member is None or requester is None:
        raise NotFound(_("This member does not exist."))
    if member.actor_id != requester.id and not may(member.group_id, requester, "see_members_only"):
        raise NotFound(_("This member does not exist."))
    return member_document(member, member.group)
