"""The forms of group discussions: a new one, a message, a new title."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...models.limits import COMMENT_MAX, TITLE_MAX
from .base import SiteForm


def _title():
    return StringField(_l("Title"), validators=[DataRequired(_l("Give the discussion a title.")),
                                                Length(max=TITLE_MAX)])


class MessageForm(SiteForm):
    text = TextAreaField(_l("Message"), description=_l("Markdown is allowed."),
                         validators=[DataRequired(_l("Write something first.")), Length(max=COMMENT_MAX)])


class DiscussionForm(MessageForm):
    title = _title()


class RenameForm(SiteForm):
    title = _title()
