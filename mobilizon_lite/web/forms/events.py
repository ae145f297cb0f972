"""The forms of events, participation and comments."""
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...dates import utc_offset
from ...models.event_messages import ACCEPTED, ALL, WAITING
from ...models.events import CATEGORIES, LINK_TYPES, CommentMode, JoinMode, Status, Visibility
from ...models.limits import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    EVENT_MESSAGE_MAX,
    EVENT_MESSAGE_SUBJECT_MAX,
    LINK_LABEL_MAX,
    LINKS_MAX,
    MESSAGE_MAX,
    TAGS_MAX,
    TITLE_MAX,
    URL_MAX,
)
from ...services import recurrence
from ...services.event_input import LANGUAGES, all_timezones, repeated_offsets
from .base import CleanText, OnceForm, SiteForm, VisitorForm
from .pictures import PictureField

# Cancelling is the event page's own button, with its confirmation page (participants are told): the form
# does not offer it. A cancelled event's form keeps it cancelled, as restoring it is a button too.
STATUS_LABELS = {Status.CONFIRMED: _l("Confirmed"), Status.TENTATIVE: _l("Tentative")}
CANCELLED_LABELS = {Status.CANCELLED: _l("Cancelled: restore it with the button of its page")}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: listed on this instance and shared with others"),
    Visibility.UNLISTED: _l("Unlisted: only people with the link can see it"),
    Visibility.PRIVATE: _l("Private: only the organisers and participants can see it"),
}
JOIN_MODE_LABELS = {
    JoinMode.FREE: _l("Free: anyone can join at once"),
    JoinMode.RESTRICTED: _l("Restricted: organisers approve each participant"),
    JoinMode.INVITE: _l("Invite only: organisers invite people by @username"),
    JoinMode.EXTERNAL: _l("External: people register on another website"),
}
COMMENT_MODE_LABELS = {CommentMode.ALLOW_ALL: _l("Open to everyone"), CommentMode.CLOSED: _l("Closed")}
LINK_TYPE_LABELS = {
    "visio": _l("Video call"), "live": _l("Livestream"), "chat": _l("Chat"), "poll": _l("Poll"),
    "pad": _l("Shared notes (pad)"), "tickets": _l("Tickets"), "website": _l("Website"),
}
CATEGORY_LABELS = {
    "ARTS": _l("Arts"), "BOOK_CLUBS": _l("Book clubs"), "BUSINESS": _l("Business"),
    "CAUSES": _l("Causes"), "COMEDY": _l("Comedy"), "CRAFTS": _l("Crafts"),
    "FOOD_DRINK": _l("Food & drink"), "HEALTH": _l("Health"), "MUSIC": _l("Music"),
    "AUTO_BOAT_AIR": _l("Auto, boat & air"), "COMMUNITY": _l("Community"),
    "FAMILY_EDUCATION": _l("Family & education"), "FASHION_BEAUTY": _l("Fashion & beauty"),
    "FILM_MEDIA": _l("Film & media"), "GAMES": _l("Games"), "LANGUAGE_CULTURE": _l("Language & culture"),
    "LEARNING": _l("Learning"), "LGBTQ": _l("LGBTQ"), "MOVEMENTS_POLITICS": _l("Movements & politics"),
    "NETWORKING": _l("Networking"), "PARTY": _l("Party"),
    "PERFORMING_VISUAL_ARTS": _l("Performing & visual arts"), "PETS": _l("Pets"),
    "PHOTOGRAPHY": _l("Photography"), "OUTDOORS_ADVENTURE": _l("Outdoors & adventure"),
    "SPIRITUALITY_RELIGION_BELIEFS": _l("Spirituality, religion & beliefs"),
    "SCIENCE_TECH": _l("Science & tech"), "SPORTS": _l("Sports"), "THEATRE": _l("Theatre"),
    "MEETING": _l("Meeting"),
}


REPEAT_LABELS = {"": _l("Does not repeat"), "DAILY": _l("Daily"), "WEEKLY": _l("Weekly"),
                 "MONTHLY": _l("Monthly"), "YEARLY": _l("Yearly")}
REPEAT_END_LABELS = {"never": _l("Never"), "until": _l("On a date"), "count": _l("After a number of times")}


def show_times(form, begins_on, ends_on, zone):
    """Fill form's start and end fields (and folds, where it has them) with a span as zone's clocks show
    it; the end date only when the span ends on another day."""
    start = begins_on.astimezone(zone)
    form.start_date.data, form.start_time.data = start.date(), start.time()
    if hasattr(form, "start_fold"):
        form.start_fold.data = start.fold
    if ends_on is not None:
        end = ends_on.astimezone(zone)
        form.end_date.data = end.date() if end.date() != start.date() else None
        form.end_time.data = end.time()
        if hasattr(form, "end_fold"):
            form.end_fold.data = end.fold


def labelled(labels, order=None):
    """Select choices from a value -> label mapping."""
    return [SelectChoice(value, labels[value]) for value in (order or labels)]


class ZoneField(SelectField):
    """A time zone among groups of choices (the common ones, then all): a zone listed in both is selected
    in the first only, where a phone's list opens."""

    def iter_groups(self):
        seen = False
        for optgroup, choices in super().iter_groups():
            shown = []
            for choice in choices:
                shown.append(choice._replace(selected=choice.selected and not seen))
                seen = seen or choice.selected
            yield optgroup, shown


class LinkForm(Form):
    Meta = CleanText

    # Checked by the events service, and only on rows that carry an address.
    type = SelectField(_l("Kind"), choices=labelled(LINK_TYPE_LABELS, LINK_TYPES), validate_choice=False)
    url = StringField(_l("Address (https://…)"), validators=[Optional(), Length(max=URL_MAX)])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=LINK_LABEL_MAX)])


class EventForm(OnceForm):
    identity = SelectField(_l("Organised by"), coerce=int, choices=[])
    # 0: the identity above; else the id of a group one of the account's identities moderates.
    group = SelectField(_l("Organise as"), coerce=int, choices=[], default=0,
                        description=_l("A group's moderators and administrators organise its events together; "
                                        "its members see its private events."))
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the event a title.")),
                                                 Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description"), description=_l("Markdown is allowed."),
                                validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    timezone = ZoneField(_l("Time zone"), choices=[])
    # InputRequired, unlike DataRequired, keeps the parse error of a typed but impossible date.
    start_date = DateField(_l("Start date"), validators=[InputRequired(_l("Give the date the event starts."))])
    start_time = TimeField(_l("Start time"), validators=[InputRequired(_l("Give the time the event starts."))])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Only for another day."))
    end_time = TimeField(_l("End time"), validators=[Optional()])
    # Offered only for a time that happens twice, when clocks go back (see offer_repeated_times).
    start_fold = RadioField(_l("Which start time?"), choices=[], coerce=int, validate_choice=False,
                            validators=[Optional()])
    end_fold = RadioField(_l("Which end time?"), choices=[], coerce=int, validate_choice=False,
                          validators=[Optional()])
    status = SelectField(_l("Status"), choices=labelled(STATUS_LABELS))
    visibility = SelectField(_l("Who can see it"), choices=labelled(VISIBILITY_LABELS))
    join_mode = SelectField(_l("How people join"), choices=labelled(JOIN_MODE_LABELS))
    external_participation_url = StringField(_l("Registration address (for external registration)"),
                                             validators=[Optional(), Length(max=URL_MAX)])
    capacity = IntegerField(_l("Number of seats"), validators=[Optional()],
                            description=_l("Leave empty for no limit."))
    show_remaining_seats = BooleanField(_l("Show how many seats are left"), default=True)
    waiting_list = BooleanField(_l("Waiting list when full"), description=_l(
        "Once every seat is taken, people can join a waiting list; when a seat frees up, the first in line "
        "gets it and an email."))
    anonymous_participation = BooleanField(_l("People without an account can join with their email"))
    comment_mode = SelectField(_l("Comments"), choices=labelled(COMMENT_MODE_LABELS))
    place_name = StringField(_l("Place"), description=_l("For example: Maison des associations"))
    street = StringField(_l("Street"))
    postal_code = StringField(_l("Postal code"))
    locality = StringField(_l("Town or city, or the whole address"), description=_l(
        "Searches near a town find the event at the centre of this one."))
    region = StringField(_l("Region"))
    country = StringField(_l("Country"))
    # Offered only when the town typed is the name of several (see offer_towns): a GeoNames id.
    town_choice = RadioField(_l("Which town?"), choices=[], coerce=int, validate_choice=False,
                             validators=[Optional()])
    online_url = StringField(_l("Online address"), validators=[Optional(), Length(max=URL_MAX)],
                             description=_l("Where people join online, if they can."))
    links = FieldList(FormField(LinkForm), min_entries=3, max_entries=LINKS_MAX)
    tags = StringField(_l("Tags"), description=_l("Separated by commas, at most %(max)d.", max=TAGS_MAX))
    category = SelectField(_l("Category"), choices=labelled(CATEGORY_LABELS, CATEGORIES), default="MEETING")
    language = SelectField(_l("Language"), choices=[])
    # The "Repeats" part (services/event_input.py clean_repetition reads it).
    repeat = RadioField(_l("Repeats"), choices=labelled(REPEAT_LABELS), default="", validate_choice=False)
    repeat_interval = IntegerField(_l("Every"), default=1, validators=[
        Optional(), NumberRange(1, recurrence.INTERVAL_MAX, _l("Repeat every 1 to %(max)d times."))],
        description=_l("1 for every day, week, month or year; 2 for every other one…"))
    repeat_weekdays = SelectMultipleField(_l("On (weekly)"), choices=[], validate_choice=False,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    repeat_monthly = RadioField(_l("On (monthly)"), choices=[], default="date", validate_choice=False)
    repeat_ends = RadioField(_l("Ends"), choices=labelled(REPEAT_END_LABELS), default="never", validate_choice=False)
    repeat_until = DateField(_l("Last date"), validators=[Optional()])
    repeat_count = IntegerField(_l("Number of times"), validators=[Optional()])
    repeat_exdates = StringField(_l("Excluded dates"), validators=[Optional(), Length(max=2000)],
                                 description=_l("Dates the event does not take place, as 2027-12-25, separated "
                                                "by commas."))
    picture = PictureField(_l("Banner picture"))
    remove_picture = BooleanField(_l("Remove the current picture"))

    def offer_repeated_times(self):
        """Let the organiser say which one is meant of a start or end time that happens twice."""
        try:
            zone = ZoneInfo(self.timezone.data or "")
        except (ZoneInfoNotFoundError, ValueError):
            return
        for day, time, fold in ((self.start_date.data, self.start_time.data, self.start_fold),
                                (self.end_date.data or self.start_date.data, self.end_time.data, self.end_fold)):
            readings = repeated_offsets(day, time, zone)
            fold.choices = [] if readings is None else [
                SelectChoice(0, _("The first one (%(offset)s, before the clocks go back)",
                                  offset=utc_offset(readings[0]))),
                SelectChoice(1, _("The second one (%(offset)s, after the clocks go back)",
                                  offset=utc_offset(readings[1]))),
            ]

    def keep_cancelled(self):
        """The form of a cancelled event: its status stays cancelled, whatever is sent."""
        self.status.choices = labelled(CANCELLED_LABELS)
        self.status.validate_choice = False
        self.status.keep = Status.CANCELLED

    def offer_repetitions(self):
        """The weekdays to tick, and the monthly choices as the start date names them ("the 2nd Tuesday")."""
        self.repeat_weekdays.choices = [SelectChoice(day, recurrence.day_name(index))
                                        for index, day in enumerate(recurrence.WEEKDAYS)]
        start = self.start_date.data
        choices = [SelectChoice("date", _("On the same day of the month") if start is None else
                                _("On day %(day)d of the month", day=start.day))]
        named = recurrence.monthly_weekday(start) if start is not None else [(2, None), (-1, None)]
        for ordinal, day in named:
            value = "last" if ordinal == -1 else "nth"
            if day is None:
                label = (_("On the same weekday, counted from the month's end (the last Friday…)") if value == "last"
                         else _("On the same weekday of the month (the 2nd Tuesday…)"))
            else:
                label = recurrence.describe_monthly_day(ordinal, day)
            choices.append(SelectChoice(value, label))
        self.repeat_monthly.choices = choices

    def offer_towns(self, towns):
        """Let the organiser say which of towns (places.Town, all of the name typed) is meant: the
        most populous is checked until another one is."""
        self.town_choice.label.text = _("Several towns are called “%(name)s”: which one?", name=self.locality.data)
        self.town_choice.choices = [
            SelectChoice(town.id, _("%(town)s (%(count)s inhabitants)", town=town.label,
                                    count=format_decimal(town.population)))
            for town in towns]
        if self.town_choice.data not in {town.id for town in towns}:
            self.town_choice.data = towns[0].id

    def offer_groups(self, groups):
        """Offer to organise as one of groups ([(group, the identity that acts there)]); with none, the
        page shows no choice and any group posted is refused."""
        self.offered_groups = {group.id: (identity, group) for group, identity in groups}
        self.group.choices = [SelectChoice(0, _("Myself (the identity above)"))] + [
            SelectChoice(group.id, _("The group %(name)s (@%(username)s), as @%(identity)s", name=group.display_name,
                                     username=group.preferred_username, identity=identity.preferred_username))
            for group, identity in groups]

    def event_data(self):
        """The fields as the events service reads them."""
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("identity", "group", "picture", "remove_picture", "links", "town_choice",
                                "csrf_token")}
        data["links"] = [dict(entry.data) for entry in self.links]
        data["status"] = getattr(self.status, "keep", None) or data["status"]
        return data


class JoinForm(SiteForm):
    identity = SelectField(_l("Join as"), coerce=int, choices=[])
    message = TextAreaField(_l("Message to the organisers (optional)"),
                            validators=[Optional(), Length(max=MESSAGE_MAX)])


class AnonymousJoinForm(VisitorForm):
    email = StringField(_l("Your email address"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254),
        Email(_l("This is not a valid email address."), check_deliverability=False)])
    message = TextAreaField(_l("Message to the organisers (optional)"),
                            validators=[Optional(), Length(max=MESSAGE_MAX)])
    name = StringField(_l("Your name, as the organisers will see it (optional)"),
                       validators=[Optional(), Length(max=100)])
    email_shown = BooleanField(_l("Let the organiser see my email address"))


class InviteForm(SiteForm):
    username = StringField(_l("Invite by @username"), validators=[DataRequired(), Length(max=40)])


AUDIENCE_LABELS = {ALL: _l("Everyone taking part or waiting (for approval or a seat)"),
                   ACCEPTED: _l("Accepted participants"), WAITING: _l("People waiting for approval or a seat")}


class EventMessageForm(SiteForm):
    audience = SelectField(_l("To"), choices=labelled(AUDIENCE_LABELS), default=ALL)
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")),
                                                     Length(max=EVENT_MESSAGE_SUBJECT_MAX)])
    text = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write something first.")),
                                                    Length(max=EVENT_MESSAGE_MAX)])


class CommentForm(SiteForm):
    text = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write something first.")),
                                                    Length(max=COMMENT_MAX)])
    in_reply_to = HiddenField()


class NewCommentForm(CommentForm):
    identity = SelectField(_l("Post as"), coerce=int, choices=[])


@functools.cache
def _language_names(reader):
    # Made once per reader's language: CLDR lookups for every language on every form cost more than the form.
    return tuple(SelectChoice(code, Locale.parse(code).get_display_name(reader).capitalize()) for code in LANGUAGES)


def language_choices():
    """Languages an event can be in, named in the reader's language."""
    return [SelectChoice("", _l("Not specified")), *_language_names(str(get_locale()))]


@functools.cache
def _timezone_names():
    return tuple(all_timezones())


def timezone_choices(common):
    """The zones of common (names) first, then every IANA zone: two groups of the select."""
    first, every = _("Common time zones"), _("All time zones")
    return ([SelectChoice(zone, zone, optgroup=first) for zone in common]
            + [SelectChoice(zone, zone, optgroup=every) for zone in _timezone_names()])
