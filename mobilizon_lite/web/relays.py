"""Instance followings (/admin/relays): the instances this one follows, and those asking to follow it."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services import relays
from ..services.errors import Invalid, NotFound
from .forms.accounts import RelayApprovalForm, RelayFollowForm
from .forms.base import add_error, render_form, require_valid
from .staff import admin_only, staff_blueprint

bp = staff_blueprint("relays", __name__, "/admin/relays")


def _page(follow_form=None, status=200):
    approval = RelayApprovalForm(manual=relays.manual_approval())
    body, _status = render_form("admin/relays.html", follow_form or RelayFollowForm(), approval=approval,
                                followings=relays.followings(), **relays.followers())
    return body, status


@bp.route("/")
@admin_only
def index():
    return _page()


@bp.route("/follow", methods=["POST"])
@admin_only
def follow():
    form = RelayFollowForm()
    if not form.validate():
        return _page(form, 400)
    try:
        relays.follow(current_user, form.address.data)
    except (Invalid, NotFound) as error:
        add_error(form, error)
        return _page(form, error.status_code)
    flash(_("Follow request sent to %(address)s. It counts once its administrators accept it.",
            address=form.address.data), "success")
    return redirect(url_for("relays.index"))


@bp.route("/following/<id:actor_id>/unfollow", methods=["POST"])
@admin_only
def unfollow(actor_id):
    relays.unfollow(current_user, actor_id)
    flash(_("This instance no longer follows it; the other instance is told."), "success")
    return redirect(url_for("relays.index"))


@bp.route("/followers/<id:follow_id>/<decision>", methods=["POST"])
@admin_only
def decide(follow_id, decision):
    if decision not in ("accept", "reject"):
        raise Invalid(_("Unknown action."))
    relays.decide(current_user, follow_id, decision == "accept")
    flash(_("Done: the other instance is told."), "success")
    return redirect(url_for("relays.index"))


@bp.route("/approval", methods=["POST"])
@admin_only
def approval():
    form = RelayApprovalForm()
    require_valid(form)
    relays.set_manual_approval(current_user, form.manual.data)
    flash(_("The settings are saved."), "success")
    return redirect(url_for("relays.index"))
