"""The instance settings form of the administration."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, TextAreaField

from ...services import instance
from ...services.instance_settings import NAME_MAX, SHORT_DESCRIPTION_MAX
from .accounts import locale_choices
from .base import SiteForm, strip
from .events import ZoneField, timezone_choices

MARKDOWN = _l("Markdown is allowed.")


class AdminSettingsForm(SiteForm):
    """Every instance setting; services.instance_settings checks them all."""

    name = StringField(_l("Name"), filters=[strip], render_kw={"maxlength": NAME_MAX},
                       description=_l("Shown in every page's title and to other servers."))
    short_description = StringField(_l("Short description"), filters=[strip],
                                    render_kw={"maxlength": SHORT_DESCRIPTION_MAX},
                                    description=_l("One sentence: what this instance is for, and for whom."))
    long_description = TextAreaField(_l("Long description"), description=MARKDOWN)
    rules = TextAreaField(_l("Rules"), description=_l("What people agree to when they sign up. Markdown is allowed."))
    contact_email = EmailField(_l("Contact email address"), filters=[strip],
                               description=_l("Shown on the About page."))
    terms = TextAreaField(_l("Terms of service"),
                          description=_l("Markdown is allowed. Left empty, a general text is shown."))
    privacy = TextAreaField(_l("Privacy policy"),
                            description=_l("Markdown is allowed. Left empty, a general text is shown."))
    default_language = SelectField(_l("Default language"), choices=[], validate_choice=False,
                                   description=_l("For visitors whose browser asks for none of this instance's."))
    default_timezone = ZoneField(
        _l("Time zone"), choices=[], validate_choice=False,
        description=_l("The instance's: comments, messages and the calendar show their dates in it. Proposed for "
                       "an organiser's first event; the next ones propose the zone of their latest."))
    mode = SelectField(
        _l("Registrations"),
        choices=[
            SelectChoice(instance.REGISTRATIONS_OPEN, _l("Open: anyone can sign up")),
            SelectChoice(instance.REGISTRATIONS_CLOSED, _l("Closed: only admins create accounts")),
            SelectChoice(instance.REGISTRATIONS_INVITE, _l("By invitation: a sign-up link from an admin is needed")),
            SelectChoice(instance.REGISTRATIONS_ALLOWLIST,
                         _l("Some email domains: addresses at the domains listed below")),
        ],
    )
    allowed_domains = StringField(_l("Email domains that may sign up"), filters=[strip],
                                  description=_l("Separated by commas, such as: my-association.org, example.org. "
                                                 "Used when registrations are limited to some email domains."))
    anonymous_participation = BooleanField(_l("People without an account can join public events with their email "
                                              "(where the organisers allow it)"))
    instance_feeds = BooleanField(_l("Publish the calendar and Atom feeds of this instance's public events"))

    def offer_choices(self, common_zones):
        """Fill in the languages and time zones offered (common_zones first)."""
        self.default_language.choices = locale_choices("")[1:]
        self.default_timezone.choices = timezone_choices(common_zones)
