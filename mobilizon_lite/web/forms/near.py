"""The home page's choice of a town, for its list of events near it."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ...services.search_query import DEFAULT_RADIUS_KM, RADII_SHOWN
from .base import VisitorForm, strip

TOWN_MAX = 200


class NearForm(VisitorForm):
    """A town's name (a country after a comma chooses among towns of one name) and a distance."""

    town = StringField(_l("Town"), filters=[strip], validators=[
        DataRequired(_l("Type the name of a town.")), Length(max=TOWN_MAX, message=_l("This name is too long."))])
    radius = SelectField(_l("Within"), coerce=int, default=DEFAULT_RADIUS_KM,
                         choices=[SelectChoice(km, _l("%(km)d km", km=km)) for km in RADII_SHOWN])
