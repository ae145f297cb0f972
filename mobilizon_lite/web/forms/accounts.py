"""The forms of accounts, identities and instance settings."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from ...models.reminders import OFFSETS
from ...services.accounts import EMAIL_MAX
from ...services.identities import NAME_MAX, SUMMARY_MAX, USERNAME_RE
from ...services.passwords import PASSWORD_MIN, password_problem
from .base import SiteForm, VisitorForm, strip


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("This email address is too long.")),
            Email(_l("This is not a valid email address."), check_deliverability=False),
        ],
    )


def strong_password(_form, field):
    """The password rules of services.passwords, said beside the field."""
    problem = password_problem(field.data)
    if problem:
        raise ValidationError(problem)


def new_password_fields():
    """A new password and its confirmation."""
    password = PasswordField(
        _l("New password"),
        description=_l("At least %(min)d characters, and not a common password: a few unrelated words "
                       "make a good one.", min=PASSWORD_MIN),
        validators=[DataRequired(_l("Choose a password.")), strong_password],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )
    return password, confirm


def current_password_field():
    """The account's password, asked again before a change that matters."""
    return PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])


def username_field():
    return StringField(
        _l("Username"),
        description=_l("Shown as @username. Lowercase letters, digits and _; it cannot be changed later."),
        validators=[
            DataRequired(_l("Choose a username.")),
            Regexp(f"^{USERNAME_RE.pattern}$",
                   message=_l("Use 1 to 30 lowercase letters, digits or underscores (_).")),
        ],
    )


def display_name_field():
    return StringField(
        _l("Display name"),
        filters=[strip],
        validators=[Optional(), Length(max=NAME_MAX, message=_l("At most %(max)d characters.", max=NAME_MAX))],
    )


class SignupForm(SiteForm):
    email = email_field()
    password, confirm = new_password_fields()
    username = username_field()
    name = display_name_field()
    invite = HiddenField()
    accept = BooleanField(_l("I accept the rules and the terms of service of this instance"),
                          validators=[DataRequired(_l("Accept the rules and the terms of service to sign up."))])


class LoginForm(SiteForm):
    email = EmailField(_l("Email address"), filters=[strip],
                       validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(SiteForm):
    email = email_field()


class ResetPasswordForm(SiteForm):
    password, confirm = new_password_fields()


class ChangePasswordForm(SiteForm):
    current_password = current_password_field()
    password, confirm = new_password_fields()


class ChangeEmailForm(SiteForm):
    email = email_field(_l("New email address"))
    current_password = current_password_field()


class PasswordCheckForm(SiteForm):
    current_password = current_password_field()


class LocaleForm(VisitorForm):
    locale = SelectField(_l("Language"), choices=[])
    next = HiddenField()


class ReminderSettingsForm(SiteForm):
    """Which reminders the account gets before the events it takes part in (fields remind_<minutes>)."""

    remind_1440 = BooleanField(_l("1 day before"))
    remind_120 = BooleanField(_l("2 hours before"))
    remind_60 = BooleanField(_l("1 hour before"))
    remind_15 = BooleanField(_l("15 minutes before"))

    def offsets(self):
        """The offsets (minutes) ticked."""
        return [offset for offset in OFFSETS if self[f"remind_{offset}"].data]


class IdentityForm(SiteForm):
    name = display_name_field()
    manually_approves_followers = BooleanField(_l("Approve each new follower myself"))
    summary = TextAreaField(
        _l("Bio"),
        description=_l("A few words about this identity. Markdown is allowed."),
        validators=[Optional(), Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters.", max=SUMMARY_MAX))],
    )


class FollowForm(SiteForm):
    identity = SelectField(_l("Follow as"), coerce=int, choices=[])
    handle = StringField(_l("Account to follow"), filters=[strip],
                         description=_l("An address such as @name@example.org, or the link to a profile."),
                         validators=[DataRequired(_l("Enter an address to follow.")), Length(max=320)])


class NewIdentityForm(IdentityForm):
    username = username_field()


class SwitchIdentityForm(SiteForm):
    identity = SelectField(_l("Act as"), coerce=int, choices=[])
    next = HiddenField()


class RelayFollowForm(SiteForm):
    address = StringField(
        _l("Instance to follow"), filters=[strip], validators=[DataRequired(_l("Enter the domain of an instance.")),
                                                               Length(max=2048)],
        description=_l("Its domain, such as mobilizon.example.org, or the link to its instance actor."))


class RelayApprovalForm(SiteForm):
    manual = BooleanField(_l("Other instances that ask to follow this one wait for an administrator's approval"))


LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def locale_choices(auto_label):
    """Language choices for a select: '' (automatic) then each shipped language."""
    return [SelectChoice("", auto_label)] + [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]
    ]


class DeleteAccountForm(SiteForm):
    """Deleting one's account: the password again, and the fate of the events only it organises (one
    select for all, and one per event added by deletion_form)."""
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))])
    all_events = SelectField(_l("All the events only you organise"), choices=[])


def deletion_form(alone, delete_label, each_label, group_label):
    """A DeleteAccountForm with one select per event of alone ([(event, [group, …])]), named event_<id>:
    as chosen for all, delete it, or hand it to one of its groups (group_label % {"name": …})."""
    fields = {}
    all_groups = {}
    for event, groups in alone:
        # Left at "as above", an event follows the choice for all: a browser posts every select.
        fields[f"event_{event.id}"] = SelectField(event.title, default="", choices=[
            SelectChoice("", _l("As chosen above")), SelectChoice("delete", delete_label)] + [
            SelectChoice(str(group.id), group_label % {"name": group.preferred_username}) for group in groups])
        all_groups.update({group.id: group for group in groups})
    form = type("DeletionForm", (DeleteAccountForm,), fields)()
    form.all_events.choices = [SelectChoice("", each_label), SelectChoice("delete", delete_label)] + [
        SelectChoice(str(group.id), group_label % {"name": group.preferred_username})
        for group in all_groups.values()]
    form.event_fields = [(event, form[f"event_{event.id}"]) for event, _groups in alone]
    return form
