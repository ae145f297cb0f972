"""The forms of importing a calendar (where from and into whom, then the confirmation) and of subscribing
to one (and stopping)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
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


class SubscribeForm(SiteForm):
    """A calendar to subscribe to: whose events, its address, how often it is fetched."""

    owner = SelectField(_l("Events of"), validators=[DataRequired()])
    url = StringField(_l("The calendar's web address"), filters=[strip],
                      validators=[DataRequired(), Length(max=URL_MAX)],
                      description=_l("An https:// address of an .ics calendar: its new events appear here, changed "
                                     "ones change, and those it drops are cancelled (or deleted when nobody takes "
                                     "part)."))
    interval = SelectField(_l("Fetch it"), coerce=int)


class StopSubscriptionForm(SiteForm):
    remove_events = BooleanField(_l("Also remove its events still ahead (cancelled when people take part, "
                                    "else deleted)"))
