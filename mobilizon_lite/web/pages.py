"""Public pages: home, identity profiles, and the visitor's language choice."""
from flask import Blueprint, render_template, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..services import accounts, identities, instance
from .account import locale_choices
from .context import redirect_local
from .forms import LocaleForm

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html", registrations=instance.registrations_mode())


@bp.route("/@<username>")
def profile(username):
    identity = identities.public_identity(username)
    return render_template("pages/profile.html", identity=identity)


def language_form():
    """The footer's language picker."""
    form = LocaleForm()
    form.locale.choices = locale_choices(_l("Automatic"))
    return form


@bp.app_context_processor
def inject_language_form():
    return {"language_form": language_form}


@bp.route("/language", methods=["POST"])
def set_language():
    form = language_form()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data)
    return redirect_local(form.next.data, "pages.home")
