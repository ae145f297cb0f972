"""The forms of groups' membership: join, leave, invite, change a member's role."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...models.groups import Role
from ...models.limits import MESSAGE_MAX
from .base import CleanText, SiteForm

ROLE_LABELS = {
    Role.ADMINISTRATOR: _l("administrator"), Role.MODERATOR: _l("moderator"), Role.MEMBER: _l("member"),
    Role.NOT_APPROVED: _l("awaiting approval"), Role.INVITED: _l("invited"), Role.REJECTED: _l("rejected"),
}


class GroupJoinForm(SiteForm):
    identity = SelectField(_l("Join as"), coerce=int, choices=[])
    message = TextAreaField(_l("Message to the moderators (optional)"),
                            validators=[Optional(), Length(max=MESSAGE_MAX)])


class GroupIdentityForm(SiteForm):
    """Which of the account's identities leaves (the members page posts the one acting there)."""
    identity = SelectField(coerce=int, choices=[])


class GroupInviteForm(SiteForm):
    username = StringField(_l("Invite by @username, or @username@server for someone of another server"),
                           validators=[DataRequired(_l("Enter the @username of the person to invite.")),
                                       Length(max=300)])


class RoleForm(FlaskForm):
    """One member's new role. Every row of the members page has one, named after the member (the form's
    prefix) within the page's single form; the app-wide CSRF check covers that form's one token."""

    class Meta(CleanText):
        csrf = False

    role = SelectField(_l("Role"), choices=[
        SelectChoice(role, ROLE_LABELS[role]) for role in (Role.MEMBER, Role.MODERATOR, Role.ADMINISTRATOR)])
