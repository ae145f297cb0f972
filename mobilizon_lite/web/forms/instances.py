"""The form blocking another server."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...models.moderation import SILENCE, SUSPEND
from ...services.domain_blocks import REASON_MAX
from .base import SiteForm, strip


class DomainBlockForm(SiteForm):
    domain = StringField(_l("Server"), filters=[strip], validators=[DataRequired(), Length(max=300)],
                         description=_l("A domain such as example.org: its subdomains are blocked too."))
    severity = RadioField(_l("Block"), default=SUSPEND, choices=[
        SelectChoice(SUSPEND, _l("Suspend: take nothing from it, send nothing to it, remove its content here")),
        SelectChoice(SILENCE, _l("Silence: keep its content off the home page and search")),
    ])
    reject_media = BooleanField(_l("Show no pictures from it"))
    reason = TextAreaField(_l("Reason (for the moderation log)"), validators=[Length(max=REASON_MAX)])
