"""Groups' membership pages: join, leave, the members page (requests, invitations, roles, removal) and
the account's invitations."""
from flask import Blueprint, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from ..models.groups import MEMBER_ROLES, Openness, Role
from ..negotiation import collection_page, negotiated, personal_document, wants_activity_json
from ..page_cache import hole, shared_holed
from ..services import groups, members
from ..services.errors import Invalid, NotFound, refusal
from ..services.group_roles import allows, require, require_member_view
from ..services.groups import local_group
from ..urls import page_number
from .context import account_identities, acting_in, chosen_identity, current_identity, group_requester, identity_choices
from .forms.base import add_error, render_form, require_valid
from .forms.members import ROLE_LABELS, GroupIdentityForm, GroupInviteForm, GroupJoinForm, RoleForm

bp = Blueprint("members", __name__)

# Every row of a moderator's page carries its buttons and an administrator's its role select too.
MEMBERS_PER_PAGE = 50
CONTROLS = "members/_controls.html"
UUID = "__uuid__"  # in a viewer's controls rendered once, where each member's uuid goes


def group_page(group):
    return redirect(url_for("pages.profile", username=group.preferred_username))


def back_to_members(group):
    return redirect(url_for("members.index", username=group.preferred_username))


@bp.route("/@<username>/join", methods=["GET", "POST"])
@login_required
def join(username):
    group = local_group(username)
    form = GroupJoinForm()
    identity_choices(form.identity)
    if form.validate_on_submit():
        try:
            member = members.join_group(group, chosen_identity(form.identity), form.message.data)
        except Invalid as error:
            add_error(form, error)
        else:
            if member.role == Role.NOT_APPROVED:
                flash(_("Your request is sent. The moderators will approve it or not; you will get an email."),
                      "success")
            else:
                flash(_("You are a member of %(group)s.", group=group.display_name), "success")
            return group_page(group)
    # A posted join to an invite-only group is refused by join_group (403 with its reason).
    return render_form("members/join.html", form, group=group, invite_only=group.openness == Openness.INVITE_ONLY,
                       moderated=group.openness == Openness.MODERATED)


# A person's own step out of a group (endpoint: service(group, identity), what they are told).
STEPS_OUT = {
    "leave": (members.leave_group, _l("You left %(group)s.")),
    "withdraw": (members.withdraw_request, _l("Your request to join %(group)s is withdrawn.")),
}


@bp.route("/@<username>/leave", methods=["POST"], endpoint="leave", defaults={"step": "leave"})
@bp.route("/@<username>/withdraw", methods=["POST"], endpoint="withdraw", defaults={"step": "withdraw"})
@login_required
def step_out(username, step):
    """Leave the group, or withdraw a pending request to join it, as the identity the button posts."""
    group = local_group(username)
    form = GroupIdentityForm()
    identity_choices(form.identity)
    require_valid(form)
    service, message = STEPS_OUT[step]
    service(group, chosen_identity(form.identity))
    flash(message % {"group": group.display_name}, "success")
    return group_page(group)


def members_json(group):
    """The members collection: whole for a member's signed fetch (or a member's logged-in browser)."""
    return personal_document(members.members_collection(group, group_requester(group), collection_page()))


def _members_part(group, page):
    """The members list as every member sees it, with holes for each viewer's controls; its data:
    (whether the group's sole administrator is listed, each row's (uuid, role, actor id), members count)."""
    rows = members.members_page(group, page, MEMBERS_PER_PAGE)
    shown = rows[:MEMBERS_PER_PAGE]
    # The last administrator's row offers nothing the services would refuse (administrators come first).
    sole_administrator = page == 1 and sum(1 for row in shown if row.role == Role.ADMINISTRATOR) == 1
    text = render_template("members/_members.html", group=group, members=shown, page=page,
                           has_next=len(rows) > MEMBERS_PER_PAGE, hole=hole)
    return text, (sole_administrator, [(row.uuid, row.role, row.actor_id) for row in shown],
                  groups.member_count(group))


def _controls(group, identity, viewer, rows, sole_administrator, role_labels):
    """The viewer's role cell and buttons on each row (see _members_part), each kind rendered once."""
    role_cell = get_template_attribute(CONTROLS, "role_cell")
    remove_button = get_template_attribute(CONTROLS, "remove_button")
    member_path = f"{url_for('members.index', username=group.preferred_username)}/{UUID}"
    changes_roles = allows(viewer.role, "change_roles")
    removable = {role for role in MEMBER_ROLES
                 if allows(viewer.role, "remove_member" if role == Role.MEMBER else "remove_moderator")}
    kinds, given = {}, {}
    for uuid, role, actor_id in rows:
        fixed = sole_administrator and role == Role.ADMINISTRATOR
        kind = (role, changes_roles and not fixed, role in removable and not fixed and actor_id != identity.id)
        if kind not in kinds:
            kinds[kind] = (str(role_cell(member_path, UUID, role, role_labels, kind[1])),
                           str(remove_button(member_path)) if kind[2] else "")
        given[f"role-{uuid}"], given[f"actions-{uuid}"] = (html.replace(UUID, uuid) for html in kinds[kind])
    return given


def render_members(group, invite_form=None):
    """The members page for a member (404 for anyone else), with the actions the viewer's role allows."""
    identity, viewer = require_member_view(group, account_identities(), current_identity())
    page = page_number(request.args.get("page"))
    # Every member sees the same list: it is rendered once per change, each viewer's controls apart.
    part = shared_holed(lambda: _members_part(group, page))
    sole_administrator, rows, member_count = part.data
    role_labels = {value: str(label) for value, label in ROLE_LABELS.items()}
    given = _controls(group, identity, viewer, rows, sole_administrator, role_labels)
    given["csrf"] = generate_csrf()
    pending, invited = members.waiting(group) if allows(viewer.role, "decide_requests") else ([], [])
    if invite_form is None and allows(viewer.role, "invite"):
        invite_form = GroupInviteForm()
    return render_template(
        "members/index.html", group=group, identity=identity, viewer=viewer, listing=part.fill(given),
        pending=pending, invited=invited, invite_form=invite_form, role_labels=role_labels,
        sole_administrator=sole_administrator, member_count=member_count,
    ), 400 if invite_form is not None and invite_form.errors else 200


@bp.route("/@<username>/members")
@negotiated
def index(username):
    group = local_group(username)
    if wants_activity_json():
        return members_json(group)
    return render_members(group)


@bp.route("/@<username>/members/invite", methods=["POST"])
@login_required
def invite(username):
    group = local_group(username)
    inviter = acting_in(group)[0]
    require(group, inviter, "invite")  # before the form: only those who may invite see its errors
    form = GroupInviteForm()
    if form.validate_on_submit():
        try:
            member = members.invite(group, inviter, form.username.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("@%(username)s is invited and told by email.", username=member.actor.handle)
                  if member.actor.is_local else
                  _("@%(username)s is invited; their server tells them.", username=member.actor.handle), "success")
            return back_to_members(group)
    return render_members(group, form)


@bp.route("/@<username>/members/<uuid>/<action>", methods=["POST"])
@login_required
def decide(username, uuid, action):
    group = local_group(username)
    actor = acting_in(group)[0]
    if action in ("approve", "reject"):
        members.decide_request(group, actor, uuid, approve=action == "approve")
        flash(_("The request is approved and the person told by email.") if action == "approve"
              else _("The request is rejected and the person told by email."), "success")
    elif action == "remove":
        member = members.remove_member(group, actor, uuid)
        flash(_("@%(username)s is removed from the group.", username=member.actor.handle), "success")
    elif action == "role":
        form = RoleForm(prefix=uuid)
        require_valid(form)
        member = members.change_role(group, actor, uuid, form.role.data)
        flash(_("@%(username)s is now %(role)s.", username=member.actor.handle,
                role=ROLE_LABELS[member.role]), "success")
    else:
        raise NotFound(_("Unknown action."))
    if refusal(require_member_view, group, account_identities(), current_identity()):
        return group_page(group)  # an administrator who made themselves a member still sees it; no one else
    return back_to_members(group)


@bp.route("/invitations")
@login_required
def invitations():
    return render_template("members/invitations.html", invitations=members.invitations_for(account_identities()))


@bp.route("/invitations/<uuid>/<answer>", methods=["POST"])
@login_required
def answer(uuid, answer):
    if answer not in ("accept", "decline"):
        raise NotFound(_("Unknown action."))
    member = members.answer_invitation(account_identities(), uuid, answer == "accept")
    if answer == "accept":
        flash(_("@%(username)s is a member of %(group)s.", username=member.actor.preferred_username,
                group=member.group.display_name), "success")
        if member.group.is_local:
            return back_to_members(member.group)
        return redirect(url_for("pages.profile", username=member.group.handle))  # what it shares shows there
    flash(_("The invitation is declined."), "success")
    return redirect(url_for("members.invitations"))
