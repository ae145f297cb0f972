"""The report form, and the moderators' forms on a report."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # lazy; named so that the extractor finds its phrases
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ...models.reports import CLOSED, OPEN, RESOLVED
from ...services.reports import COMMENT_MAX, NOTE_MAX, REASON_LABELS
from .base import SiteForm
from .events import labelled

# A report's state, apart from the same English words elsewhere ("Closed" comments are "Fermés").
STATE_LABELS = {OPEN: pgettext("report state", "Open"), RESOLVED: pgettext("report state", "Resolved"),
                CLOSED: pgettext("report state", "Closed")}


class ReportForm(SiteForm):
    identity = SelectField(_l("Report as"), coerce=int, choices=[])
    email = StringField(_l("Your email address"), description=_l(
        "We send you a link to confirm the report; the moderators see your address, nobody else."),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254),
                    Email(_l("This is not a valid email address."), check_deliverability=False)])
    reason = RadioField(_l("Why?"), choices=labelled(REASON_LABELS),
                        validators=[DataRequired(_l("Choose a reason."))])
    comment = TextAreaField(_l("What the moderators should know (optional)"),
                            validators=[Optional(), Length(max=COMMENT_MAX)])
    forward = BooleanField(_l("Also tell the moderators of the server it comes from"), description=_l(
        "They get the report from this instance, with your words but without your name or address."))


class NoteForm(SiteForm):
    text = TextAreaField(_l("Note for the other moderators"),
                         validators=[DataRequired(_l("Write the note.")), Length(max=NOTE_MAX)])


class StateForm(SiteForm):
    state = SelectField(_l("State"), choices=labelled(STATE_LABELS))
    reason = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=500)])
