"""Events, local or received from another instance."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import (BooleanField, CharField, FloatField, ForeignKeyField, IntegerField, TextField)

from ..db import BaseModel, JSONField, UTCDateTimeField, utcnow
from .actors import Actor

STATUSES = ("tentative", "confirmed", "cancelled")
VISIBILITIES = ("public", "unlisted", "private")
JOIN_MODES = ("free", "restricted", "invite", "external")
COMMENT_MODES = ("allow_all", "closed")
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
    ap_id = CharField(max_length=2048, unique=True)
    organizer = ForeignKeyField(Actor, backref="organized_events", on_delete="CASCADE", index=False)
    # Group the event belongs to, when a group organises it.
    attributed_to = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    title = CharField(max_length=200)
    description = TextField(default="")
    description_source = TextField(default="")
    begins_on = UTCDateTimeField()
    ends_on = UTCDateTimeField(null=True)
    timezone = CharField(max_length=64)
    status = CharField(max_length=16, default="confirmed")
    visibility = CharField(max_length=16, default="public")
    join_mode = CharField(max_length=16, default="free")
    external_participation_url = CharField(max_length=2048, default="")
    capacity = IntegerField(null=True)
    show_remaining_seats = BooleanField(default=True)
    anonymous_participation = BooleanField(default=False)
    comment_mode = CharField(max_length=16, default="allow_all")
    place_name = CharField(max_length=200, default="")
    street = CharField(max_length=200, default="")
    postal_code = CharField(max_length=20, default="")
    locality = CharField(max_length=100, default="")
    region = CharField(max_length=100, default="")
    country = CharField(max_length=100, default="")
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    online_url = CharField(max_length=2048, default="")
    # [{"type": one of LINK_TYPES, "url": "https://…", "label": "…"}]
    links = JSONField(default=list)
    tags = JSONField(default=list)
    category = CharField(max_length=40, default="MEETING")
    language = CharField(max_length=8, default="")
    picture = CharField(max_length=100, null=True)
    # For events of another server: how many take part there, as that server last told.
    remote_participant_count = IntegerField(null=True)
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
        return self.status == "cancelled"
