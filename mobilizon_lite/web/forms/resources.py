"""The forms of a group's resources: a link or a folder, and where to move it."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...models.limits import TITLE_MAX, URL_MAX
from ...services.resources import DESCRIPTION_MAX
from .base import SiteForm, strip


class ResourceForm(SiteForm):
    """A link (title, address, description) or, without address and description, a folder."""
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Give it a title.")),
                                                                  Length(max=TITLE_MAX)])
    url = StringField(_l("Address (https://…)"), filters=[strip],
                      description=_l("The pad, cloud folder, video room or ticketing page."),
                      validators=[DataRequired(_l("Enter the address of the link, starting with http:// or https://.")),
                                  Length(max=URL_MAX)])
    description = TextAreaField(_l("Description"), filters=[strip],
                                validators=[Optional(), Length(max=DESCRIPTION_MAX)])


def resource_form(kind, resource=None):
    """The form for a link or a folder (kind), filled from resource on first display."""
    form = ResourceForm(obj=resource)
    if kind == "folder":
        del form.url
        del form.description
    return form


class MoveForm(SiteForm):
    # Checked by the resources service against the group's folders at the time of the move.
    target = SelectField(_l("Move to"), choices=[], validate_choice=False)
