"""Managing the identities of the logged-in account: list, create, edit, switch, delete."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import Actor
from ..services import follows, identities
from ..services.errors import Invalid, NotFound
from .context import account_identities, act_as, chosen_identity, identity_choices, redirect_local
from .forms.accounts import FollowForm, IdentityForm, NewIdentityForm, SwitchIdentityForm
from .forms.base import add_error, confirmed_deletion, render_form

bp = Blueprint("identities", __name__, url_prefix="/identities")


@bp.before_request
@login_required
def require_login():
    """Every page here belongs to a logged-in account."""


def index_page(switch=None, follow_form=None, status=200):
    """The identities page, showing a refused switch or follow form when there is one."""
    if follow_form is None:
        follow_form = FollowForm(formdata=None, handle=request.args.get("follow", "")[:320])
        identity_choices(follow_form.identity)
    return render_template("identities/index.html", form=switch or switch_form(), follow_form=follow_form,
                           follows=follows.overview(account_identities())), status


@bp.route("/")
def index():
    return index_page()


@bp.route("/follow", methods=["POST"])
def follow():
    form = FollowForm()
    identity_choices(form.identity)
    status = 400
    if form.validate():
        try:
            follows.follow(chosen_identity(form.identity), form.handle.data)
        except (Invalid, NotFound) as error:
            add_error(form, error)
            status = error.status_code
        else:
            flash(_("Follow request sent to %(handle)s. It counts once their server accepts it.",
                    handle=form.handle.data), "success")
            return redirect(url_for("identities.index"))
    return index_page(follow_form=form, status=status)


@bp.route("/<username>/followers/<id:follow_id>/<decision>", methods=["POST"])
def decide_follower(username, follow_id, decision):
    identity = identities.owned_identity(current_user, username)
    if decision not in ("accept", "reject"):
        raise Invalid(_("Unknown action."))
    follows.decide_follower(identity, follow_id, decision == "accept")
    flash(_("Done: the other server is told."), "success")
    return redirect(url_for("identities.index"))


@bp.route("/<username>/unfollow/<id:actor_id>", methods=["POST"])
def unfollow(username, actor_id):
    identity = identities.owned_identity(current_user, username)
    target = Actor.get_or_none((Actor.id == actor_id) & Actor.domain.is_null(False))
    if target is None:
        raise NotFound(_("You do not follow this account."))
    follows.unfollow(identity, target)
    flash(_("You no longer follow %(name)s.", name=target.display_name), "success")
    return redirect(url_for("identities.index"))


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
    form = IdentityForm(name=identity.name, summary=identity.summary_source,
                        manually_approves_followers=identity.manually_approves_followers)
    if form.validate_on_submit():
        try:
            identities.update_identity(identity, form.name.data or "", form.summary.data or "",
                                       form.manually_approves_followers.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("The identity @%(username)s is saved.", username=username), "success")
            return redirect(url_for("identities.index"))
    return render_form("identities/form.html", form, identity=identity)


@bp.route("/<username>/delete", methods=["GET", "POST"])
def delete(username):
    identity = identities.owned_identity(current_user, username)
    name = identity.preferred_username
    return confirmed_deletion(
        lambda: identities.delete_identity(current_user, identity),
        _("The identity @%(username)s is deleted. Its username will not be given to anyone else.", username=username),
        url_for("identities.index"), title=_("Delete @%(username)s", username=name),
        heading=_("Delete @%(username)s?", username=name), button=_("Delete this identity"),
        lines=[_("Its profile disappears. The username @%(username)s will never be given to anyone else. This "
                 "cannot be undone.", username=name)],
        cancel=url_for("identities.index"))


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
        return index_page(switch=form, status=400)
    identity = chosen_identity(form.identity)
    act_as(identity)
    flash(_("You now act as @%(username)s.", username=identity.preferred_username), "success")
    return redirect_local(form.next.data, "identities.index")
