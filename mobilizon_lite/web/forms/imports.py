"""The forms of importing a calendar: where from and into whom, then the confirmation."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...models.limits import URL_MAX
from .base import SiteForm, strip


class CalendarImportForm(SiteForm):
    owner = SelectField(_l("Import into"), validators=[DataRequired()])
    calendar = FileField(_l("Calendar file (.ics)"), description=_l("At most 2 MB and 500 events."))
    url = StringField(_l("Or the calendar's web address"), filters=[strip],
                      validators=[Optional(), Length(max=URL_MAX)],
                      description=_l("An https:// address of an .ics calendar, fetched once, now."))
    link = StringField(_l("Or an event's link"), filters=[strip], validators=[Optional(), Length(max=URL_MAX)],
                       description=_l("A link to an event on Mobilizon, Gancio or another ActivityPub server, or "
                                      "to a web page that describes its events (schema.org or h-event), as "
                                      "search engines read them: at most 50 events."))


class ConfirmImportForm(SiteForm):
    """Only its CSRF token: the calendar is the one kept for the preview."""
