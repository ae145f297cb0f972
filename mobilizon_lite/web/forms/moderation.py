"""The forms of moderators' actions: the reason kept in the moderation log, an account's role."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from ...models.accounts import ROLE_ADMIN, ROLE_MODERATOR, ROLE_USER
from ...models.limits import REASON_MAX
from .base import SiteForm

ROLE_LABELS = {ROLE_USER: _l("User"), ROLE_MODERATOR: _l("Moderator"), ROLE_ADMIN: _l("Administrator")}


class ReasonForm(SiteForm):
    reason = TextAreaField(_l("Reason (kept in the moderation log)"),
                           validators=[Length(max=REASON_MAX, message=_l("The reason is too long."))])


class RoleForm(SiteForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role, label) for role, label in ROLE_LABELS.items()])
