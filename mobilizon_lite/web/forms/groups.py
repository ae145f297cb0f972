"""The forms of groups: create, change settings, follow."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...models.groups import GroupVisibility, Openness
from ...models.limits import ADDRESS_MAX
from ...services.groups import ADDRESS_FIELDS
from ...services.identities import SUMMARY_MAX
from .accounts import display_name_field, username_field
from .base import SiteForm, strip
from .events import labelled
from .pictures import PictureField

VISIBILITY_LABELS = {
    GroupVisibility.PUBLIC: _l("Public: listed on this instance and found by search"),
    GroupVisibility.UNLISTED: _l("Unlisted: reached by its link only"),
}
OPENNESS_LABELS = {
    Openness.OPEN: _l("Open: anyone joins at once"),
    Openness.MODERATED: _l("Moderated: moderators approve each request to join"),
    Openness.INVITE_ONLY: _l("Invitation only: people join when invited"),
}


def address_field(label, name, **kwargs):
    limit = ADDRESS_MAX[name]
    return StringField(label, filters=[strip], **kwargs, validators=[
        Optional(), Length(max=limit, message=_l("At most %(max)d characters.", max=limit))])


class GroupSettingsForm(SiteForm):
    name = display_name_field()
    summary = TextAreaField(
        _l("Description"), description=_l("What the group is about. Markdown is allowed."),
        validators=[Optional(), Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters.", max=SUMMARY_MAX))],
    )
    avatar = PictureField(_l("Avatar"))
    remove_avatar = BooleanField(_l("Remove the current avatar"))
    banner = PictureField(_l("Banner picture"))
    remove_banner = BooleanField(_l("Remove the current banner"))
    place_name = address_field(_l("Place"), "place_name", description=_l("For example: Maison des associations"))
    street = address_field(_l("Street"), "street")
    postal_code = address_field(_l("Postal code"), "postal_code")
    locality = address_field(_l("Town or city"), "locality")
    region = address_field(_l("Region"), "region")
    country = address_field(_l("Country"), "country")
    visibility = RadioField(_l("Who can find the group"), choices=labelled(VISIBILITY_LABELS),
                            default=GroupVisibility.PUBLIC)
    openness = RadioField(_l("How people join the group"), choices=labelled(OPENNESS_LABELS),
                          default=Openness.MODERATED)
    manually_approves_followers = BooleanField(_l("Approve each new follower myself"))
    show_event_creator = BooleanField(
        _l("Show which member created each group event"), default=True,
        description=_l("Otherwise the event's page names the group only; its moderators still see who created it."))

    def settings(self):
        """The fields as the groups service reads them."""
        return dict(name=self.name.data or "", summary_source=self.summary.data or "",
                    visibility=self.visibility.data, openness=self.openness.data,
                    manually_approves_followers=self.manually_approves_followers.data,
                    hide_event_creator=not self.show_event_creator.data,
                    address={name: getattr(self, name).data or "" for name in ADDRESS_FIELDS},
                    avatar=self.avatar.data or None, banner=self.banner.data or None)


class NewGroupForm(GroupSettingsForm):
    identity = SelectField(_l("Created by"), coerce=int, choices=[],
                           description=_l("This identity becomes the group's administrator."))
    username = username_field()


class IdentityChoiceForm(SiteForm):
    """Which of the account's identities follows a group, or stops following it."""
    identity = SelectField(_l("As"), coerce=int, choices=[])
