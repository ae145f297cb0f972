"""An identity's setting for the daily email about its groups' new events."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import group_digest, identities
from .forms.base import render_form
from .forms.group_digest import GroupDigestForm

bp = Blueprint("group_digests", __name__, url_prefix="/identities")


@bp.route("/<username>/group-digest", methods=["GET", "POST"])
@login_required
def setting(username):
    identity = identities.owned_identity(current_user, username)
    form = GroupDigestForm(enabled=group_digest.digest_enabled(identity))
    if form.validate_on_submit():
        group_digest.set_digest(identity, form.enabled.data)
        flash(_("Saved: @%(username)s gets the daily summary of its groups' new events.", username=username)
              if form.enabled.data else
              _("Saved: @%(username)s no longer gets the daily summary of its groups' new events.",
                username=username), "success")
        return redirect(url_for("group_digests.setting", username=username))
    return render_form("identities/group_digest.html", form, identity=identity)
