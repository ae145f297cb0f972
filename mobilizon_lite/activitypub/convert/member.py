"""Group members as ActivityStreams Member objects, and the membership activities (Invite, Accept,
Reject, Remove, Update), in Mobilizon's shape."""
from ..vocab import CONTEXT, get_id


def member_to_ap(member, group):
    """A Member row as the object Mobilizon puts in a members collection (no @context)."""
    return {"type": "Member", "id": member.ap_id, "actor": member.actor.ap_id, "object": group.ap_id,
            "role": member.role}


def member_document(member, group):
    """A Member row as a document of its own, at its id (/member/<uuid>)."""
    return {"@context": CONTEXT, **member_to_ap(member, group)}


def members_url_of(group):
    """The members collection of a group, local or not: Mobilizon and this software both serve it at
    <group>/members (a remote group's document is not kept, so the address is derived)."""
    return f"{group.ap_id}/members"


def decision_to_ap(activity_id, verb, group, member):
    """The group's Accept or Reject of a person's Join, the Member embedded as Mobilizon sends it (the
    person's server finds its membership by the Member's id, the id of the Join it sent)."""
    return {"@context": CONTEXT, "id": activity_id, "type": verb, "actor": group.ap_id, "attributedTo": group.ap_id,
            "object": member_to_ap(member, group), "to": [member.actor.ap_id, members_url_of(group)],
            "cc": [group.ap_id]}


def join_to_ap(member, group, message=""):
    """A person's Join of a group of elsewhere: its id is the Member's, as Mobilizon's is, so that the
    group's Accept or Reject (the Member embedded) names the membership by it."""
    document = {"@context": CONTEXT, "id": member.ap_id, "type": "Join", "actor": member.actor.ap_id,
                "object": group.ap_id, "to": [group.ap_id, members_url_of(group)], "cc": []}
    if message:
        document["participationMessage"] = message
    return document


def leave_to_ap(activity_id, member, group):
    """A person's Leave of a group (withdrawing a request to join too), as Mobilizon sends it."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Leave", "actor": member.actor.ap_id,
            "object": group.ap_id, "to": [members_url_of(group)], "cc": [group.ap_id]}


def invite_to_ap(member, group, inviter):
    """Invite of a person by a moderator: its id is the Member's, as Mobilizon's is."""
    return {"@context": CONTEXT, "id": member.ap_id, "type": "Invite", "actor": inviter.ap_id,
            "attributedTo": group.ap_id, "object": group.ap_id, "target": member.actor.ap_id,
            "to": [member.actor.ap_id, members_url_of(group)], "cc": [group.ap_id]}


def invite_answer_to_ap(activity_id, verb, member, group):
    """The invited person's Accept (the Member embedded) or Reject (the Member's id) of an Invite, as
    Mobilizon's accept_invite and reject_invite send them."""
    inviter = [member.invited_by.ap_id] if member.invited_by_id else []
    return {"@context": CONTEXT, "id": activity_id, "type": verb, "actor": member.actor.ap_id,
            "attributedTo": group.ap_id, "object": member_to_ap(member, group) if verb == "Accept" else member.ap_id,
            "to": inviter + [members_url_of(group)], "cc": [group.ap_id]}


def remove_to_ap(activity_id, member, group, moderator):
    """A moderator's exclusion of a member; the person excluded is told too."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Remove", "actor": moderator.ap_id,
            "object": member.ap_id, "origin": group.ap_id, "to": [members_url_of(group)],
            "cc": [member.actor.ap_id]}


def role_update_to_ap(activity_id, member, group, administrator):
    """An administrator's change of a member's role: Update of the Member."""
    return {"@context": CONTEXT, "id": activity_id, "type": "Update", "actor": administrator.ap_id,
            "attributedTo": group.ap_id, "object": member_to_ap(member, group),
            "to": [members_url_of(group)], "cc": [group.ap_id, member.actor.ap_id]}


def member_from_ap(document):
    """(member id, group id, actor id, role) read from an embedded Member or a bare member id; the
    parts a bare id does not give are None."""
    if isinstance(document, dict) and document.get("type") == "Member":
        role = document.get("role")
        return (get_id(document), get_id(document.get("object")), get_id(document.get("actor")),
                role if isinstance(role, str) else None)
    return get_id(document), None, None, None
