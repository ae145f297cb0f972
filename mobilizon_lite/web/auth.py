"""Sign-up, log-in, log-out and password reset pages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..services import accounts, instance, instance_settings
from ..services.errors import Invalid, PermissionDenied, TooMany
from .context import private_page, redirect_local
from .errors import retry_after
from .forms.accounts import ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from .forms.base import add_error, render_form

bp = Blueprint("auth", __name__)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    mode = instance.registrations_mode()
    form = SignupForm()
    if request.method == "GET":
        form.invite.data = request.args.get("invite", "")
    invite_ok = mode != instance.REGISTRATIONS_INVITE or instance.usable_invite(form.invite.data)
    if mode == instance.REGISTRATIONS_CLOSED or not invite_ok:
        return render_form("auth/signup.html", form, mode=mode, closed=True)[0], 403
    if form.validate_on_submit():
        try:
            accounts.register(
                form.email.data, form.password.data, form.username.data,
                name=form.name.data or "", invite_token=form.invite.data,
                locale=_request_locale(),
            )
        except (Invalid, PermissionDenied) as error:
            add_error(form, error)
        else:
            # The same page whether the address is new or has an account already: its owner
            # learns which by email, nobody else does.
            return render_template("auth/signup_sent.html", email=accounts.normalize_email(form.email.data),
                                   hours=accounts.CONFIRMATION_HOURS)
    return render_form("auth/signup.html", form, mode=mode, closed=False, rules=instance_settings.text_html("rules"),
                       allowed_domains=instance.allowed_domains())


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@private_page
def confirm_signup(token):
    # Mail scanners open links: confirming takes a click (POST), not just a visit.
    if request.method == "GET":
        return render_template("confirm.html", heading=_("Confirm your email address"),
                               button=_("Confirm my account"))
    accounts.confirm_signup(token)
    flash(_("Your email address is confirmed. You can log in."), "success")
    return redirect(url_for("auth.login"))


def _request_locale():
    locale = get_locale()
    return str(locale) if locale else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect_local(form.next.data, "pages.home")
    if form.validate_on_submit():
        try:
            account = accounts.authenticate(form.email.data, form.password.data, request.remote_addr)
        except TooMany as error:
            form.form_errors.append(error.message)
            return render_form("auth/login.html", form)[0], 429, retry_after(error)
        if account is not None and account.confirmed_at is None:
            accounts.resend_confirmation(account, _request_locale())
            form.form_errors.append(
                _("Confirm your email address first: follow the link in the message we sent to it. "
                  "A new link is on its way (one every few minutes at most; look in the spam folder too)."))
        elif account is not None and account.suspended_at is not None:
            form.form_errors.append(_("This account is suspended: contact this instance's administrators."))
        elif account is not None:
            login_user(account, remember=form.remember.data)
            accounts.note_login(account)
            return redirect_local(form.next.data, "pages.home")
        else:
            form.form_errors.append(_("This email and password do not match an account."))
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # A copied session cookie or the remember-me cookie must not outlive the log-out.
        accounts.end_sessions(current_user)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.request_password_reset(form.email.data, request.remote_addr)
        except TooMany as error:
            form.form_errors.append(error.message)
            return render_form("auth/forgot_password.html", form)[0], 429, retry_after(error)
        # The same answer whether or not the address is known, so it reveals no account.
        flash(_("If an account uses this address, we have sent it a link to choose a new password. "
                "The link works once, for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_form("auth/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@private_page
def reset_password(token):
    form = ResetPasswordForm()
    try:
        accounts.reset_token_account(token)
    except Invalid as error:
        return render_form("auth/reset_password.html", form, invalid=error.message)[0], 404
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except Invalid as error:
            add_error(form, error)
        else:
            # No log-in here: whoever holds a mailed link must still know the new password.
            logout_user()
            flash(_("Your password is changed and every session has been logged out. "
                    "Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_form("auth/reset_password.html", form, invalid=None)
