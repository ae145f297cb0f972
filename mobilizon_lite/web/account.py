"""Account settings: language and password."""
from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from wtforms import SelectChoice

from ..services import accounts
from ..services.errors import Invalid
from .context import LANGUAGE_NAMES
from .forms import ChangePasswordForm, LocaleForm, add_error, render_form

bp = Blueprint("account", __name__, url_prefix="/settings")


def locale_choices(auto_label):
    """Language choices for a select: '' (automatic) then each shipped language."""
    return [SelectChoice("", auto_label)] + [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
    ]


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
