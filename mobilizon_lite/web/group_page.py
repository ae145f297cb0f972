"""A group's page at /@<group> (served by the pages blueprint, which owns that address) and the context
of the members' menu every group page shows."""
from flask import render_template

from ..models.groups import MEMBER_ROLES, Role
from ..negotiation import activity_response, wants_activity_json
from ..services import group_pages, group_roles, groups, remote_groups
from .context import account_identities, acting_in, identity_choices
from .forms.groups import IdentityChoiceForm
from .forms.members import ROLE_LABELS, GroupJoinForm


def nav_context(group):
    """What groups/_nav.html (the members' menu) reads: the group, the identity acting in it and its
    Member row, whether it is a member, and may(action) for that identity."""
    acting, membership = acting_in(group)
    role = group_roles.member_role(membership)
    return dict(group=group, acting=acting, membership=membership, is_member=role in MEMBER_ROLES,
                may=lambda action: group_roles.allows(role, action))


def identity_form(identities):
    """A form choosing one of these identities (whom to follow or stop following as)."""
    form = IdentityChoiceForm()
    identity_choices(form.identity, identities)
    return form


def group_page(username):
    """/@<group>: the Group actor document for ActivityStreams clients, the group's page for people."""
    if wants_activity_json():
        return activity_response(*groups.group_document(username))
    group = groups.local_group(username)
    nav = nav_context(group)
    identities = account_identities()
    upcoming, past = group_pages.group_events(group, {identity.id for identity in identities}, nav["is_member"])
    follow = groups.follow_of(group, identities)
    return render_template(
        "groups/show.html", upcoming=upcoming, past=past, posts=group_pages.public_posts(group),
        members=groups.member_count(group), follow=follow,
        follower=next((identity for identity in identities if follow and identity.id == follow.follower_id), None),
        identity_form=identity_form(identities) if identities else None, roles=Role,
        pending_followers=groups.pending_followers(group) if nav["may"]("decide_requests") else [], **nav)


def remote_group_page(handle):
    """/@<group>@<server>: what we hold of a group of elsewhere (its events and posts received by
    Announce, its member count from its document), and the account's membership and follow buttons,
    naming the one identity acting in it; to a member, what the group shared with its members too
    (members-only events and posts, its latest discussions, the menu of its discussions, resources and
    todo lists). Its document is at its own server only."""
    if wants_activity_json():
        raise group_roles.hidden()
    group = remote_groups.remote_group(handle)
    identities = account_identities()
    nav = nav_context(group)
    role = group_roles.member_role(nav["membership"])
    upcoming, past = group_pages.group_events(group, {identity.id for identity in identities}, nav["is_member"])
    follow = groups.follow_of(group, identities)
    join_form = None
    if identities and nav["membership"] is None and remote_groups.joinable(group):
        join_form = GroupJoinForm()
        identity_choices(join_form.identity, identities)
    return render_template(
        "groups/remote.html", roles=Role, role_labels=ROLE_LABELS, upcoming=upcoming, past=past,
        posts=remote_groups.received_posts(group, role), follow=follow,
        discussions=remote_groups.latest_discussions(group, nav["acting"]) if nav["is_member"] else [],
        follower=next((identity for identity in identities if follow and identity.id == follow.follower_id), None),
        join_form=join_form, identity_form=identity_form(identities) if identities else None, **nav)
