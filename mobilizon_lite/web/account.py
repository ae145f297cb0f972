"""Account settings: language, password, feed links, and deleting the account."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..services import account_deletion, accounts, subscriptions
from ..services.errors import Invalid
from ..services.identities import owned_identity
from ..urls import public_url
from .context import account_identities
from .forms.accounts import ChangePasswordForm, LocaleForm, deletion_form, locale_choices
from .forms.base import add_error, refusals_on, render_form

bp = Blueprint("account", __name__, url_prefix="/settings")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings():
    form = LocaleForm(locale=current_user.locale or "")
    form.locale.choices = locale_choices(_l("Automatic (from the browser)"))
    if form.validate_on_submit():
        try:
            accounts.set_locale(current_user, form.locale.data)
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("account.settings"))
    return render_form("account/settings.html", form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            account = accounts.change_password(
                current_user, form.current_password.data, form.password.data
            )
        except Invalid as error:
            add_error(form, error)
        else:
            # The session id carries the new version, so this session stays while others end.
            login_user(account)
            flash(_("Your password is changed. Every other session has been logged out."), "success")
            return redirect(url_for("account.settings"))
    return render_form("account/password.html", form)


@bp.route("/feeds")
@login_required
def feed_links():
    tokens = subscriptions.feed_tokens(current_user)
    scopes = [(None, None)] + [(identity, identity.id) for identity in account_identities()]
    rows = []
    for identity, key in scopes:
        token = tokens.get(key)
        text = subscriptions.token_text(token) if token else None
        rows.append({
            "identity": identity,
            "scope": identity.preferred_username if identity else "all",
            "ics": public_url("feeds.private_ics", token=text) if text else None,
            "atom": public_url("feeds.private_atom", token=text) if text else None,
        })
    return render_template("account/feeds.html", rows=rows)


@bp.route("/feeds/<scope>/<action>", methods=["POST"])
@login_required
def change_feed_link(scope, action):
    identity = None if scope == "all" else owned_identity(current_user, scope)
    if action == "issue":
        subscriptions.issue_token(current_user, identity)
        flash(_("A new private feed link is ready. Any older link for it no longer works."), "success")
    elif action == "revoke":
        subscriptions.revoke_token(current_user, identity)
        flash(_("The private feed link is revoked: it stopped working."), "success")
    else:
        raise Invalid(_("Unknown action."))
    return redirect(url_for("account.feed_links"))


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    plan = account_deletion.plan(current_user)
    form = deletion_form(plan.alone, _("Delete it (its participants are told)"), _("Choose for each event below"),
                         _l("Hand it to the group @%(name)s"))
    if not plan.blocked and form.validate_on_submit():
        choices = {event.id: field.data for event, field in form.event_fields}
        with refusals_on(form):
            account_deletion.delete_own_account(current_user, form.password.data, choices,
                                                form.all_events.data or account_deletion.DELETE)
            logout_user()
            flash(_("Your account is deleted. Goodbye!"), "success")
            return redirect(url_for("pages.home"))
    return render_form("account/delete.html", form, plan=plan)
