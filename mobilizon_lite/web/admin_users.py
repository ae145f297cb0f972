"""/admin/users: accounts found by email or username, and what moderators do to them."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..models.accounts import ROLES
from ..services import account_moderation
from ..services.account_moderation import STATES
from ..urls import page_number
from .forms.base import SiteForm, refusals_on, render_form
from .forms.moderation import ROLE_LABELS, ReasonForm, RoleForm
from .staff import staff_blueprint

bp = staff_blueprint("admin_users", __name__, "/admin/users")

STATE_LABELS = {"active": _l("Active"), "unconfirmed": _l("Unconfirmed"), "suspended": _l("Suspended")}


def _suspend(account, form):
    account_moderation.suspend(account, current_user, form.reason.data)


def _unsuspend(account, form):
    account_moderation.unsuspend(account, current_user, form.reason.data)


def _delete(account, form):
    account_moderation.delete_account(account, current_user, form.reason.data)


def _confirm(account, _form):
    account_moderation.confirm_email(account, current_user)


def _set_role(account, form):
    account_moderation.set_role(account, form.role.data, current_user)


# action -> (form, what it does, its heading, what the page says, what is flashed once done)
ACTIONS = {
    "suspend": (ReasonForm, _suspend, _l("Suspend %(email)s"),
                _l("The account can no longer log in, its identities' pages are gone and other servers are "
                   "told they were deleted; its events leave every list."), _l("The account is suspended.")),
    "unsuspend": (ReasonForm, _unsuspend, _l("Unsuspend %(email)s"),
                  _l("The account can log in again and its identities' pages come back."),
                  _l("The account is no longer suspended.")),
    "delete": (ReasonForm, _delete, _l("Delete %(email)s"),
               _l("Its events go to another organiser of this server where there is one, the others are deleted "
                  "(their participants are told); each identity is deleted (other servers are told), its email "
                  "and password are forgotten. Usernames stay taken. Refused while it is the last administrator "
                  "of a group. This cannot be undone."),
               _l("The account is deleted.")),
    "confirm": (SiteForm, _confirm, _l("Confirm the address %(email)s"),
                _l("The account can log in without following the link emailed at sign-up."),
                _l("The address is confirmed.")),
    "role": (RoleForm, _set_role, _l("Change the role of %(email)s"),
             _l("Moderators handle reports, accounts and content; administrators also the instance's "
                "settings and roles."), _l("The role is changed.")),
}


@bp.route("/")
def index():
    page = page_number(request.args.get("page"))
    search = request.args.get("q", "")
    role, state = request.args.get("role"), request.args.get("state")
    rows, has_next = account_moderation.find_accounts(search, role, state, page)
    return render_template("admin/users.html", rows=rows, has_next=has_next, page=page, search=search,
                           role=role if role in ROLES else "", state=state if state in STATES else "",
                           role_labels=ROLE_LABELS, state_labels=STATE_LABELS, state_of=account_moderation.state_of)


@bp.route("/<id:account_id>")
def show(account_id):
    account = account_moderation.account_by_id(account_id)
    return render_template("admin/user.html", account=account, handles=account_moderation.handles(account),
                           state=account_moderation.state_of(account), role_labels=ROLE_LABELS,
                           state_labels=STATE_LABELS)


@bp.route("/<id:account_id>/<action>", methods=["GET", "POST"])
def act(account_id, action):
    account = account_moderation.account_by_id(account_id)
    if action not in ACTIONS:
        return redirect(url_for("admin_users.show", account_id=account.id))
    if action == "role" and not current_user.is_admin:
        abort(403)  # the service refuses it too: the page does not offer what cannot be done
    form_class, perform, heading, explanation, done = ACTIONS[action]
    form = form_class(role=account.role) if form_class is RoleForm else form_class()
    if form.validate_on_submit():
        with refusals_on(form):
            perform(account, form)
            flash(str(done), "success")
            if action == "delete":
                return redirect(url_for("admin_users.index"))
            return redirect(url_for("admin_users.show", account_id=account.id))
    return render_form("admin/user_action.html", form, account=account, action=action,
                       heading=heading % {"email": account.email}, explanation=explanation)
