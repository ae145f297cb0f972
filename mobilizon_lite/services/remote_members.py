"""Membership across servers, as received: Join and Leave of our groups by people of elsewhere, their
answers to our Invites, and the Invite, Accept, Reject, Remove and Update{Member} a group of elsewhere
sends about our identities. Each ends in the functions of services.members that the pages use."""
import uuid

from ..activitypub.convert.member import member_from_ap
from ..activitypub.vocab import get_id
from ..db import database
from ..models import Actor, Member
from ..models.actors import TYPE_GROUP, TYPE_PERSON
from ..models.federation import DONE, IGNORED
from ..models.groups import MEMBER_ROLES, Openness, Role
from ..models.limits import MESSAGE_MAX
from ..text import text_line
from ..urls import host_of
from . import members, remote_groups
from .actors import actor_from_ap, signed_get
from .errors import ServiceError
from .group_roles import membership


def _local_group(ap_id):
    """The live group of this instance at ap_id, or None."""
    if not ap_id:
        return None
    return Actor.get_or_none((Actor.ap_id == ap_id) & Actor.domain.is_null() & (Actor.type == TYPE_GROUP)
                             & Actor.deleted_at.is_null() & ~Actor.suspended)


def _from_group_server(item, group):
    """True when the activity comes from the server of a group of elsewhere (its group or a moderator)."""
    return not group.is_local and host_of(item.actor.ap_id) == host_of(group.ap_id)


def on_join_actor(item):
    """A person of another server asks to join one of our groups: as a local identity would, then told
    by Accept (open group) or Reject (invite only); a moderated group's request waits for its moderators."""
    group = _local_group(get_id(item.body.get("object")))
    if group is None:
        return (IGNORED, "not a group of this instance")
    person = item.actor
    if person.type != TYPE_PERSON:
        return (IGNORED, "only people join groups")
    existing = membership(group, person)
    if existing is not None:
        return _join_again(group, existing, item.activity_id)
    if group.openness == Openness.INVITE_ONLY:
        refused = Member(group=group, actor=person, ap_id=item.activity_id, role=Role.REJECTED)
        members.send_decision(group, refused, "Reject")
        return (DONE, "the group admits people by invitation only: rejected")
    message = text_line(item.body.get("participationMessage"), MESSAGE_MAX)
    member = members.join_group(group, person, message, join_id=item.activity_id)
    if member.role == Role.MEMBER:
        with database.atomic():
            members.send_decision(group, member, "Accept")
    return DONE


def _join_again(group, member, join_id):
    """A Join from someone the group knows: an invited person takes the invitation; anyone else gets
    their answer again (it may have been lost), naming the new Join."""
    with database.atomic("IMMEDIATE"):
        if member.ap_id != join_id and not Member.select().where(Member.ap_id == join_id).exists():
            member.ap_id = join_id
            member.save(only=[Member.ap_id])
        if member.role == Role.INVITED:
            members.set_role(member, Role.MEMBER)
        if member.role in MEMBER_ROLES:
            members.send_decision(group, member, "Accept")
        elif member.role == Role.REJECTED:
            members.send_decision(group, member, "Reject")
        else:
            return (DONE, "the request waits for the moderators")
    return DONE


def on_leave_actor(item):
    """A person of another server leaves one of our groups, or withdraws its request."""
    group = _local_group(get_id(item.body.get("object")))
    if group is None:
        return (IGNORED, "not a group of this instance")
    member = membership(group, item.actor)
    if member is not None and member.role == Role.NOT_APPROVED:
        return _as_on_the_page(members.withdraw_request, group, item.actor)
    return _as_on_the_page(members.leave_group, group, item.actor)


def _member_named(document):
    """(Member row, role the document gives) of a Member, member id or Invite received; (None, None)
    when we hold no such membership."""
    member_id, _group_id, _actor_id, role = member_from_ap(document)
    member = (Member.select(Member).where(Member.ap_id == member_id).first()) if member_id else None
    return member, role


def on_accept_member(item):
    """Accept of a membership: a person of elsewhere takes our group's invitation, or a group of
    elsewhere admits one of our identities."""
    return _answered(item, accepted=True)


def on_reject_member(item):
    """Reject of a membership: a person of elsewhere declines our group's invitation, or a group of
    elsewhere refuses one of our identities."""
    return _answered(item, accepted=False)


def on_accept_invite(item):
    """Accept naming the Invite itself (its id is the Member's): as an Accept of the Member."""
    return _answered(item, accepted=True)


def on_reject_invite(item):
    """Reject naming the Invite itself (its id is the Member's): as a Reject of the Member."""
    return _answered(item, accepted=False)


def _answered(item, accepted):
    member, role = _member_named(item.body.get("object"))
    if member is None:
        return (IGNORED, "no such membership here")
    group = member.group
    if group.is_local:
        if member.role != Role.INVITED or member.actor_id != item.actor.id:
            return (IGNORED, "no invitation of this actor waits")
        with database.atomic("IMMEDIATE"):
            if accepted:
                members.set_role(member, Role.MEMBER)
            else:
                member.delete_instance()  # as a local decline: one may be invited or ask again
        return DONE
    if not (member.actor.is_local and _from_group_server(item, group)):
        return (IGNORED, "only the group's server answers for it")
    requested = member.role == Role.NOT_APPROVED
    members.set_role(member, (role if role in MEMBER_ROLES else Role.MEMBER) if accepted else Role.REJECTED)
    if requested:  # the answer to our identity's request to join (an invitation's answer is its own)
        members.tell_decision(member, "mail/group_request_approved.txt" if accepted
                              else "mail/group_request_rejected.txt")
    remote_groups.refresh(group)
    return DONE


def _as_on_the_page(action, *args):
    """A remote person's action on our group, checked as the group's pages check it: DONE, or ignored
    with the refusal's message."""
    try:
        action(*args)
    except ServiceError as refusal:
        return (IGNORED, str(refusal.message))
    return DONE


def on_remove_member(item):
    """Remove of a member: by a moderator of our group who lives elsewhere (checked as the page
    checks it), or by a group of elsewhere excluding one of our identities."""
    member, _role = _member_named(item.body.get("object"))
    if member is None:
        return (IGNORED, "no such membership here")
    group = member.group
    if group.is_local:
        return _as_on_the_page(members.remove_member, group, item.actor, member.uuid)
    if not (member.actor.is_local and _from_group_server(item, group)):
        return (IGNORED, "only the group's server removes its members")
    was_member = member.role in MEMBER_ROLES
    members.set_role(member, Role.REJECTED)
    if was_member:
        members.tell_decision(member, "mail/group_removed.txt")
    remote_groups.refresh(group)
    return DONE


def on_update_member(item):
    """Update{Member}: a role change by an administrator of our group who lives elsewhere (checked as
    the page checks it), or by a group of elsewhere for one of our identities."""
    member, role = _member_named(item.body.get("object"))
    if member is None:
        return (IGNORED, "no such membership here")
    group = member.group
    if group.is_local:
        return _as_on_the_page(members.change_role, group, item.actor, member.uuid, role)
    if not (member.actor.is_local and _from_group_server(item, group)):
        return (IGNORED, "only the group's server changes its members' roles")
    if role not in MEMBER_ROLES or member.role not in MEMBER_ROLES:
        return (IGNORED, "not a member's role")
    members.set_role(member, role)
    return DONE


def on_invite_unknown(item):
    """An Invite to a group of elsewhere we never saw: it is fetched, then as on_invite_actor."""
    return on_invite_actor(item)


def on_invite_actor(item):
    """A group of elsewhere invites one of our identities: the invitation waits on its invitations page
    (its account emailed), and its answer goes back to the group."""
    body = item.body
    identity = Actor.get_or_none((Actor.ap_id == get_id(body.get("target"))) & Actor.domain.is_null()
                                 & (Actor.type == TYPE_PERSON) & Actor.deleted_at.is_null())
    if identity is None:
        return (IGNORED, "the invited person is not an identity of this instance")
    group_id = get_id(body.get("object"))
    if host_of(group_id) != host_of(item.actor.ap_id):
        return (IGNORED, "only someone of the group's server invites to it")
    group = Actor.get_or_none(Actor.ap_id == group_id) or actor_from_ap(signed_get(group_id))
    if group.is_local or group.type != TYPE_GROUP:
        return (IGNORED, "not a group of another server")
    with database.atomic("IMMEDIATE"):
        member = membership(group, identity)
        if member is not None and member.role != Role.REJECTED:
            return (DONE, "already invited or a member")
        if member is None:
            member_uuid = str(uuid.uuid4())
            member = Member.create(uuid=member_uuid, ap_id=item.activity_id, group=group, actor=identity,
                                   role=Role.INVITED, invited_by=item.actor)
        else:
            member.ap_id, member.invited_by = item.activity_id, item.actor
            members.set_role(member, Role.INVITED)
    members.tell_invited(member, item.actor)
    return DONE


def forget(actor):
    """A deleted account of elsewhere is in no group of ours any more (nor asks or is invited to one)."""
    Member.delete().where(Member.actor == actor).execute()
