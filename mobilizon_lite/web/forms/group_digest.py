"""The form of an identity's daily email about its groups' new events."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from .base import SiteForm


class GroupDigestForm(SiteForm):
    enabled = BooleanField(_l("Email me once a day about new events of the groups I follow or belong to"))
