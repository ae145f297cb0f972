"""The base of every form of the site, and the helpers views use to show and check them."""
import secrets
from contextlib import contextmanager

from babel.support import Translations
from flask import flash, redirect, render_template, request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.i18n import messages_path

from ...services.errors import Invalid
from ...text import clean_text


def _multiline(value):
    return clean_text(value, multiline=True)


class WTFormsMessages:
    """WTForms' own messages (a field required, too long) in the request's language: each language's
    catalogue read once per process, where flask_wtf reads it again on every request."""

    def __init__(self):
        self._catalogues = {}

    def _catalogue(self):
        locale = str(get_locale())
        catalogue = self._catalogues.get(locale)
        if catalogue is None:
            catalogue = self._catalogues[locale] = Translations.load(messages_path(), [locale], domain="wtforms")
        return catalogue

    def gettext(self, string):
        return self._catalogue().ugettext(string)

    def ngettext(self, singular, plural, n):
        return self._catalogue().ungettext(singular, plural, n)


WTFORMS_MESSAGES = WTFormsMessages()


class CleanText:
    """Form options (a WTForms Meta) giving every text field of a form a first filter that removes
    control and bidi override characters: text areas keep tabs and line breaks, other fields turn
    them into spaces. Passwords are left exactly as typed. WTForms' messages come from WTFORMS_MESSAGES."""

    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        filters = list(unbound_field.kwargs.get("filters") or ())
        if issubclass(field_class, TextAreaField):
            filters.insert(0, _multiline)
        elif issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            filters.insert(0, clean_text)
        return unbound_field.bind(form=form, filters=filters, **options)

    def get_translations(self, form):
        return WTFORMS_MESSAGES


class SiteForm(FlaskForm):
    """The base of every form of the site: CSRF-protected, its text cleaned (see CleanText)."""

    Meta = CleanText


SUBMISSION_FIELD = "submission"


class OnceForm(SiteForm):
    """A create form: its token (made at its first display, kept when shown again) tells its POSTs apart
    from the same form posted again (see web/once.py)."""

    submission = HiddenField(default=lambda: secrets.token_urlsafe(16))


class VisitorForm(FlaskForm):
    """A form that people who are not logged in post from pages kept whole for every visitor (see
    page_cache), which can hold no token of their own: nothing it does acts for a session, so a forged
    post gains nothing its author could not do directly. Its view exempts it from CSRF."""

    class Meta(CleanText):
        csrf = False


def strip(value):
    """A filter removing the spaces around a value typed in a field."""
    return value.strip() if isinstance(value, str) else value


def add_error(form, error):
    """Show a service's refusals beside their fields, or above the form when they name none."""
    for name, message in getattr(error, "errors", {error.field: error.message}).items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


@contextmanager
def refusals_on(form):
    """Run the block acting on a valid form; a service's refusal (Invalid) goes on the form (see add_error)
    and the view goes on to show it again."""
    try:
        yield
    except Invalid as error:
        add_error(form, error)


def require_valid(form):
    """Validate a form posted from another page; Invalid (a 400 page) lists what is wrong."""
    if not form.validate():
        messages = [str(m) for msgs in form.errors.values() for m in msgs if not isinstance(m, dict)]
        raise Invalid(" ".join(messages))


def render_form(template, form, **context):
    """Render a page holding form: 400 when it was submitted with errors, 200 otherwise."""
    failed = form.is_submitted() and (form.errors or form.form_errors)
    if form.is_submitted():
        for field in form:
            if hasattr(field, "keep"):  # a PictureField: not chosen again
                field.keep()
    return render_template(template, form=form, **context), 400 if failed else 200


def confirmed_deletion(delete, done_message, done_url, **page):
    """The page confirming a deletion (confirm_delete.html with page's names) and, posted, delete():
    done_message is flashed on the way to done_url once done; a refusal (Invalid) shows on the page (400)."""
    error = None
    if request.method == "POST":
        try:
            delete()
        except Invalid as refusal:
            error = refusal.message
        else:
            flash(done_message, "success")
            return redirect(done_url)
    return render_template("confirm_delete.html", error=error, **page), 400 if error else 200
