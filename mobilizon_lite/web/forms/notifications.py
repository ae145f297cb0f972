"""The form of an account's notification emails."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice

from ...models.notifications import GROUP_EVENTS_DAILY, GROUP_EVENTS_NOW, GROUP_EVENTS_OFF
from .accounts import ReminderSettingsForm


class NotificationsForm(ReminderSettingsForm):
    """The notification kinds, and (from ReminderSettingsForm) the reminders before events."""

    comments = BooleanField(_l("A comment on an event I organise, or an answer in a thread I wrote in"))
    participation_requests = BooleanField(
        _l("Someone asks to take part in an event I organise, or to join a group I moderate"))
    participation_decisions = BooleanField(
        _l("Organisers or moderators decide on my participation in an event or my membership of a group"))
    invitations = BooleanField(_l("I am invited to an event or a group"))
    group_events = RadioField(_l("New events of the groups I follow or belong to"), default=GROUP_EVENTS_DAILY,
                              choices=[SelectChoice(GROUP_EVENTS_DAILY, _l("One email a day listing them")),
                                       SelectChoice(GROUP_EVENTS_NOW, _l("One email for each, at once")),
                                       SelectChoice(GROUP_EVENTS_OFF, _l("No email"))])
