"""Groups of other servers, from here: join, leave, withdraw a request, follow and stop following (their
page, /@<group>@<server>, is in group_page.py); and "My groups", the account's groups here and elsewhere."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..models.groups import Role
from ..services import remote_groups
from ..services.errors import NotFound
from .context import account_identities, chosen_identity, identity_choices
from .forms.base import require_valid
from .forms.members import ROLE_LABELS, GroupIdentityForm, GroupJoinForm

bp = Blueprint("groups_elsewhere", __name__)

# A person's own steps about a group of elsewhere: (service(group, identity), what they are told).
STEPS = {
    "leave": (remote_groups.leave, _l("You left %(group)s.")),
    "withdraw": (remote_groups.withdraw, _l("Your request to join %(group)s is withdrawn.")),
    "follow": (remote_groups.follow,
               _l("Your request to follow %(group)s is sent; you follow it once its server accepts.")),
    "unfollow": (remote_groups.unfollow, _l("You no longer follow %(group)s.")),
}


def _page(group):
    return redirect(url_for("pages.profile", username=group.handle))


def _posted_identity(form):
    identity_choices(form.identity, account_identities())
    require_valid(form)
    return chosen_identity(form.identity)


@bp.route("/elsewhere/@<handle>/join", methods=["POST"])
@login_required
def join(handle):
    group = remote_groups.remote_group(handle)
    form = GroupJoinForm()
    remote_groups.join(group, _posted_identity(form), form.message.data)
    flash(_("Your request is sent to %(group)s; its server answers.", group=group.display_name), "success")
    return _page(group)


@bp.route("/elsewhere/@<handle>/<step>", methods=["POST"])
@login_required
def step(handle, step):
    """Leave, withdraw a request, follow or stop following, as the identity the button posts."""
    if step not in STEPS:
        raise NotFound(_("Unknown action."))
    group = remote_groups.remote_group(handle)
    service, message = STEPS[step]
    service(group, _posted_identity(GroupIdentityForm()))
    flash(message % {"group": group.display_name}, "success")
    return _page(group)


@bp.route("/groups/mine")
@login_required
def mine():
    """The account's groups, here and elsewhere, each with the identity that is in it and its role."""
    return render_template("groups/mine.html", memberships=remote_groups.my_groups(account_identities()),
                           role_labels=ROLE_LABELS, roles=Role)
