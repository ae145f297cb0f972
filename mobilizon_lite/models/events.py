"""Events, local or received from another instance, and the values their fields take."""
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import BooleanField, CharField, FloatField, ForeignKeyField, IntegerField, TextField

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow
from .actors import Actor
from .limits import ADDRESS_MAX, RRULE_MAX, TIMEZONE_MAX, TITLE_MAX, URL_MAX


# Each value is the stored text and Mobilizon's own word; a member equals its text, so rows read
# back as plain strings compare equal to these.
class Status(StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Visibility(StrEnum):
    PUBLIC = "public"  # listed here and addressed to the Public
    UNLISTED = "unlisted"  # reachable by its link, never listed
    PRIVATE = "private"  # organisers, participants and invitees only; never federated to followers


class JoinMode(StrEnum):
    FREE = "free"
    RESTRICTED = "restricted"  # organisers approve each participant
    INVITE = "invite"  # only invited identities may join
    EXTERNAL = "external"  # people register on another website


class CommentMode(StrEnum):
    ALLOW_ALL = "allow_all"
    CLOSED = "closed"


STATUSES = tuple(Status)
VISIBILITIES = tuple(Visibility)
JOIN_MODES = tuple(JoinMode)
COMMENT_MODES = tuple(CommentMode)
# iCalendar's STATUS of an event (RFC 5545 3.8.1.11), also ActivityPub's `ical:status`.
ICAL_STATUS = {Status.CONFIRMED: "CONFIRMED", Status.TENTATIVE: "TENTATIVE", Status.CANCELLED: "CANCELLED"}
# Mobilizon's fixed list; MEETING is its default and the fallback for unknown values.
CATEGORIES = (
    "ARTS", "BOOK_CLUBS", "BUSINESS", "CAUSES", "COMEDY", "CRAFTS", "FOOD_DRINK", "HEALTH",
    "MUSIC", "AUTO_BOAT_AIR", "COMMUNITY", "FAMILY_EDUCATION", "FASHION_BEAUTY", "FILM_MEDIA",
    "GAMES", "LANGUAGE_CULTURE", "LEARNING", "LGBTQ", "MOVEMENTS_POLITICS", "NETWORKING",
    "PARTY", "PERFORMING_VISUAL_ARTS", "PETS", "PHOTOGRAPHY", "OUTDOORS_ADVENTURE",
    "SPIRITUALITY_RELIGION_BELIEFS", "SCIENCE_TECH", "SPORTS", "THEATRE", "MEETING",
)
LINK_TYPES = ("visio", "live", "chat", "poll", "pad", "tickets", "website")


class Event(BaseModel):
    uuid = CharField(max_length=36, unique=True)
    ap_id = CharField(max_length=URL_MAX, unique=True)
    organizer = ForeignKeyField(Actor, backref="organized_events", on_delete="CASCADE", index=False)
    # Group the event belongs to, when a group organises it.
    attributed_to = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    title = CharField(max_length=TITLE_MAX)
    description = TextField(default="")
    description_source = TextField(default="")
    begins_on = UTCDateTimeField()
    ends_on = UTCDateTimeField(null=True)
    timezone = CharField(max_length=TIMEZONE_MAX)
    status = CharField(max_length=16, default=Status.CONFIRMED)
    visibility = CharField(max_length=16, default=Visibility.PUBLIC)
    join_mode = CharField(max_length=16, default=JoinMode.FREE)
    external_participation_url = CharField(max_length=URL_MAX, default="")
    capacity = IntegerField(null=True)
    show_remaining_seats = BooleanField(default=True)
    # When full, joining puts people in line (WAITLISTED); a freed seat goes to the first of them.
    waiting_list = BooleanField(default=False)
    anonymous_participation = BooleanField(default=False)
    comment_mode = CharField(max_length=16, default=CommentMode.ALLOW_ALL)
    place_name = CharField(max_length=ADDRESS_MAX["place_name"], default="")
    street = CharField(max_length=ADDRESS_MAX["street"], default="")
    postal_code = CharField(max_length=ADDRESS_MAX["postal_code"], default="")
    locality = CharField(max_length=ADDRESS_MAX["locality"], default="")
    region = CharField(max_length=ADDRESS_MAX["region"], default="")
    country = CharField(max_length=ADDRESS_MAX["country"], default="")
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    online_url = CharField(max_length=URL_MAX, default="")
    # [{"type": one of LINK_TYPES, "url": "https://…", "label": "…"}]
    links = JSONField(default=list)
    tags = JSONField(default=list)
    category = CharField(max_length=40, default="MEETING")
    language = CharField(max_length=8, default="")
    picture = CharField(max_length=100, null=True)
    # For events of another server: how many take part there, as that server last told.
    remote_participant_count = IntegerField(null=True)
    # A repeated event (a series): its RFC 5545 RRULE value (services/recurrence.py), its excluded local
    # dates ["2026-12-25"], and its first start and end (DTSTART, DTEND). begins_on and ends_on then hold
    # the occurrence listings show: the next one not over, or the last once the series is over.
    rrule = CharField(max_length=RRULE_MAX, default="")
    exdates = JSONField(default=list)
    series_begins_on = UTCDateTimeField(null=True)
    series_ends_on = UTCDateTimeField(null=True)
    # Bumped on every change, so calendar apps notice updates.
    sequence = IntegerField(default=0)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        # Listings filter on visibility or organiser and sort by start.
        indexes = (
            (("visibility", "begins_on"), False),
            (("organizer", "begins_on"), False),
        )

    @property
    def zone(self):
        """The event's time zone; UTC if this machine does not know the stored name, or if a stored
        date cannot be written in it (a year 1 or 9999 moved past the calendar's ends)."""
        try:
            zone = ZoneInfo(self.timezone)
            for moment in (self.begins_on, self.ends_on):
                if moment is not None:
                    moment.astimezone(zone)
        except (ZoneInfoNotFoundError, ValueError, OverflowError):
            return ZoneInfo("UTC")
        return zone

    @property
    def repeats(self):
        return bool(self.rrule)

    @property
    def first_span(self):
        """(start, end or None) of the event's first date: a series' first (its DTSTART), else its own."""
        return (self.series_begins_on, self.series_ends_on) if self.repeats else (self.begins_on, self.ends_on)

    @property
    def is_local(self):
        return self.organizer.domain is None

    @property
    def has_address(self):
        return any((self.place_name, self.street, self.postal_code, self.locality, self.region, self.country))

    @property
    def address_line(self):
        """The place on one line: name, street, postal code and town, region, country."""
        town = " ".join(part for part in (self.postal_code, self.locality) if part)
        return ", ".join(part for part in (self.place_name, self.street, town, self.region, self.country) if part)

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def is_cancelled(self):
        return self.status == Status.CANCELLED

    @property
    def is_tentative(self):
        return self.status == Status.TENTATIVE

    @property
    def ical_status(self):
        """The event's iCalendar STATUS (CONFIRMED for a value this version does not know)."""
        return ICAL_STATUS.get(self.status, "CONFIRMED")

    @property
    def is_public(self):
        return self.visibility == Visibility.PUBLIC

    @property
    def is_unlisted(self):
        return self.visibility == Visibility.UNLISTED

    @property
    def is_private(self):
        return self.visibility == Visibility.PRIVATE

    @property
    def anyone_may_ask(self):
        """Anyone may ask to take part: freely or awaiting approval."""
        return self.join_mode in (JoinMode.FREE, JoinMode.RESTRICTED)

    @property
    def needs_approval(self):
        """Organisers approve each participant."""
        return self.join_mode == JoinMode.RESTRICTED

    @property
    def invite_only(self):
        return self.join_mode == JoinMode.INVITE

    @property
    def chooses_participants(self):
        """Organisers choose who takes part: by approval or by invitation."""
        return self.join_mode in (JoinMode.RESTRICTED, JoinMode.INVITE)

    @property
    def registers_elsewhere(self):
        """People register on the organisers' website, not here."""
        return self.join_mode == JoinMode.EXTERNAL

    @property
    def comments_closed(self):
        return self.comment_mode == CommentMode.CLOSED


def status_from_ical(value):
    """The event status of an iCalendar STATUS (any case); None for one that is not an event's."""
    text = str(value).upper()
    return next((status for status, ical in ICAL_STATUS.items() if ical == text), None)


class EventOccurrence(BaseModel):
    """One date of a repeated event, expanded within a window around now (services/occurrences.py).

    A row keeps its id while its date stays in the rule, so later per-date changes and participations
    can point at it; begins_on, in UTC, is the occurrence's RECURRENCE-ID."""

    event = ForeignKeyField(Event, backref="occurrences", on_delete="CASCADE")
    begins_on = UTCDateTimeField()
    ends_on = UTCDateTimeField(null=True)
    # The start as a wall-clock time in the event's zone ("2026-03-17T19:00"), as the rule wrote it.
    local_start = CharField(max_length=19)

    class Meta:
        indexes = (
            (("event", "begins_on"), True),
            (("begins_on",), False),
        )


class OccurrenceOverride(BaseModel):
    """One date of a series changed or cancelled without touching the others (services/occurrence_changes.py).

    recurrence_id is the date's UTC start as the rule gives it (its RECURRENCE-ID); begins_on and ends_on
    are its own times when moved (None: the rule's); sequence counts the changes to this date. ap_id is
    the id of the Event another server sent it as (None for the dates of our own series: theirs is
    built from the series' id)."""

    event = ForeignKeyField(Event, backref="overrides", on_delete="CASCADE")
    recurrence_id = UTCDateTimeField()
    ap_id = CharField(max_length=URL_MAX, null=True, index=True)
    begins_on = UTCDateTimeField(null=True)
    ends_on = UTCDateTimeField(null=True)
    place_name = CharField(max_length=ADDRESS_MAX["place_name"], default="")
    address = CharField(max_length=ADDRESS_MAX["street"], default="")
    description = TextField(default="")
    cancelled = BooleanField(default=False)
    sequence = IntegerField(default=0)

    class Meta:
        indexes = ((("event", "recurrence_id"), True),)
