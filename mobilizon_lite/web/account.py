"""Account settings: language, password, email address, notification emails (reminders among them), the
export of the account's data, and deleting the account."""
import tempfile

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.utils import secure_filename

from ..db import utcnow
from ..services import account_deletion, accounts, email_change, notifications, reminders, subscriptions
from ..services.errors import Invalid, TooMany
from ..services.identities import owned_identity
from ..urls import public_url
from .context import account_identities, private_page
from .errors import retry_after
from .forms.accounts import (
    ChangeEmailForm,
    ChangePasswordForm,
    LocaleForm,
    PasswordCheckForm,
    deletion_form,
    locale_choices,
)
from .forms.base import add_error, refusals_on, render_form
from .forms.notifications import NotificationsForm

bp = Blueprint("account", __name__, url_prefix="/settings")

EXPORT_IN_MEMORY = 4 * 1024 * 1024  # bytes of an export kept in memory before it goes to a temporary file
EXPORT_CHUNK = 64 * 1024


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


@bp.route("/notifications", methods=["GET", "POST"], endpoint="notifications")
@login_required
def notifications_page():
    chosen = reminders.account_offsets(current_user)
    form = NotificationsForm(data=notifications.settings_of(current_user)
                             | {f"remind_{offset}": True for offset in chosen})
    if form.validate_on_submit():
        notifications.save_settings(current_user, {name: form[name].data for name in
                                                   (*notifications.SWITCHES, "group_events")})
        reminders.set_account_offsets(current_user, form.offsets())
        flash(_("Your notification settings are saved."), "success")
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


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            new_email = email_change.request_change(current_user, form.current_password.data, form.email.data,
                                                    request.remote_addr)
        except TooMany as error:
            form.form_errors.append(error.message)
            return render_form("account/email.html", form)[0], 429, retry_after(error)
        except Invalid as error:
            add_error(form, error)
        else:
            # The same answer when another account has the address: its owner learns of it by email.
            flash(_("We sent a link to %(email)s. Your address changes when you open it (within %(hours)d hours).",
                    email=new_email, hours=email_change.LINK_HOURS), "info")
            return redirect(url_for("account.settings"))
    return render_form("account/email.html", form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@private_page
def confirm_email(token):
    new_email = email_change.check_link(token)
    # Mail scanners open links: the change takes a click (POST), not just a visit.
    if request.method == "GET":
        return render_template("confirm.html", heading=_("Use %(email)s for your account", email=new_email),
                               button=_("Change my email address"))
    email_change.confirm_change(token)
    flash(_("Your account's email address is now %(email)s.", email=new_email), "success")
    return redirect(url_for("account.settings" if current_user.is_authenticated else "auth.login"))


@bp.route("/export", methods=["GET", "POST"])
@login_required
def export():
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            accounts.check_current_password(current_user, form.current_password.data)
        except Invalid as error:
            add_error(form, error)
        else:
            # In memory up to a few megabytes, on disk beyond: thousands of rows do not fill a small machine.
            spool = tempfile.SpooledTemporaryFile(EXPORT_IN_MEMORY)
            current_app.extensions["account_export"](current_user, spool)
            size = spool.tell()
            spool.seek(0)
            # Headers are Latin-1: an address's other letters are left out of the file's name.
            name = f"{secure_filename(current_user.email.partition('@')[0]) or 'account'}-{utcnow():%Y-%m-%d}.zip"
            return Response(_chunks(spool), mimetype="application/zip", headers={
                "Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store"})
    return render_form("account/export.html", form)


def _chunks(spool):
    """The spooled file's bytes, a piece at a time; the file is closed once sent."""
    with spool:
        while chunk := spool.read(EXPORT_CHUNK):
            yield chunk


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
