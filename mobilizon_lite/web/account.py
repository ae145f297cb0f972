"""Account settings: language, password, calendar feeds and notifications (reminders)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from ..services import accounts, reminders, subscriptions
from ..services.errors import Invalid
from ..services.identities import owned_identity
from ..urls import public_url
from .context import account_identities
from .forms.accounts import ChangePasswordForm, LocaleForm, ReminderSettingsForm, locale_choices
from .forms.base import add_error, render_form

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


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    chosen = reminders.account_offsets(current_user)
    form = ReminderSettingsForm(data={f"remind_{offset}": True for offset in chosen})
    if form.validate_on_submit():
        reminders.set_account_offsets(current_user, form.offsets())
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("account.notifications"))
    return render_form("account/notifications.html", form)


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
