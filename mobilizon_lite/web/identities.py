"""Managing the identities of the logged-in account: list, create, edit, switch, delete."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import identities
from ..services.errors import Invalid
from .context import act_as, chosen_identity, identity_choices, redirect_local
from .forms import IdentityForm, NewIdentityForm, SwitchIdentityForm, add_error, render_form

bp = Blueprint("identities", __name__, url_prefix="/identities")


@bp.before_request
@login_required
def require_login():
    """Every page here belongs to a logged-in account."""


@bp.route("/")
def index():
    return render_form("identities/index.html", switch_form())


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = NewIdentityForm()
    if form.validate_on_submit():
        try:
            identity = identities.create_identity(
                current_user, form.username.data, form.name.data or "", form.summary.data or ""
            )
        except Invalid as error:
            add_error(form, error)
        else:
            act_as(identity)
            flash(_("The identity @%(username)s is created; you now act as it.",
                    username=identity.preferred_username), "success")
            return redirect(url_for("identities.index"))
    return render_form("identities/form.html", form, identity=None)


@bp.route("/<username>/edit", methods=["GET", "POST"])
def edit(username):
    identity = identities.owned_identity(current_user, username)
    form = IdentityForm(name=identity.name, summary=identity.summary_source)
    if form.validate_on_submit():
        try:
            identities.update_identity(identity, form.name.data or "", form.summary.data or "")
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The identity @%(username)s is saved.", username=username), "success")
            return redirect(url_for("identities.index"))
    return render_form("identities/form.html", form, identity=identity)


@bp.route("/<username>/delete", methods=["GET", "POST"])
def delete(username):
    identity = identities.owned_identity(current_user, username)
    error = None
    if request.method == "POST":
        try:
            identities.delete_identity(current_user, identity)
        except Invalid as refusal:
            error = refusal.message
        else:
            flash(_("The identity @%(username)s is deleted. Its username will not be given to anyone else.",
                    username=username), "success")
            return redirect(url_for("identities.index"))
    return render_template("identities/delete.html", identity=identity, error=error), 400 if error else 200


def switch_form():
    """The form that picks which of the account's identities to act as."""
    form = SwitchIdentityForm()
    identity_choices(form.identity)
    return form


@bp.route("/switch", methods=["POST"])
def switch():
    form = switch_form()
    if not form.validate():
        # A forged id is not among the choices: nothing changes.
        return render_form("identities/index.html", form)
    identity = chosen_identity(form.identity)
    act_as(identity)
    flash(_("You now act as @%(username)s.", username=identity.preferred_username), "success")
    return redirect_local(form.next.data, "identities.index")
