"""The form changing one date of a series: its times, place and note."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from ...models.limits import ADDRESS_MAX
from ...services.occurrence_changes import NOTE_MAX
from .base import SiteForm
from .events import show_times


class DateChangeForm(SiteForm):
    # InputRequired, unlike DataRequired, keeps the parse error of a typed but impossible date.
    start_date = DateField(_l("Start date"), validators=[InputRequired(_l("Give the date the event starts."))])
    start_time = TimeField(_l("Start time"), validators=[InputRequired(_l("Give the time the event starts."))])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Leave empty when the event ends on the day it starts."))
    end_time = TimeField(_l("End time"), validators=[Optional()])
    place_name = StringField(_l("Place name for this date"), validators=[Optional(),
                                                                        Length(max=ADDRESS_MAX["place_name"])],
                             description=_l("Leave empty to keep the event's place."))
    address = StringField(_l("Address for this date"), validators=[Optional(), Length(max=ADDRESS_MAX["street"])])
    description = TextAreaField(_l("Note for this date"), validators=[Optional(), Length(max=NOTE_MAX)])

    def fill(self, begins_on, ends_on, zone, override):
        """Show a date's current values (times in the event's zone)."""
        show_times(self, begins_on, ends_on, zone)
        if override is not None:
            self.place_name.data, self.address.data = override.place_name, override.address
            self.description.data = override.description
