"""Who takes part in an event, who is invited, and anonymous participants' email tokens."""
from peewee import BooleanField, CharField, ForeignKeyField, ModelIndex, TextField

from ..db import BaseModel, UTCDateTimeField, utcnow
from .actors import Actor
from .events import Event

CREATOR = "creator"
MODERATOR = "moderator"
PARTICIPANT = "participant"
NOT_APPROVED = "not_approved"
NOT_CONFIRMED = "not_confirmed"  # anonymous participant whose email is not confirmed yet
REJECTED = "rejected"
WAITLISTED = "waitlisted"  # in line for a seat of a full event with a waiting list
ROLES = (CREATOR, MODERATOR, PARTICIPANT, NOT_APPROVED, NOT_CONFIRMED, REJECTED, WAITLISTED)
ORGANIZER_ROLES = (CREATOR, MODERATOR)
GOING_ROLES = (CREATOR, MODERATOR, PARTICIPANT)
# As in Mobilizon, capacity and participant counts concern participants, not organisers.
SEAT_ROLES = (PARTICIPANT,)


class Participation(BaseModel):
    event = ForeignKeyField(Event, backref="participations", on_delete="CASCADE")
    # NULL for anonymous participants, who are known by their email only.
    actor = ForeignKeyField(Actor, backref="participations", null=True, on_delete="CASCADE")
    role = CharField(max_length=16, index=True)
    message = TextField(default="")
    email = CharField(max_length=254, null=True)
    # What an anonymous participant chose to show the organisers (the participants page only): a name,
    # and whether they may see the email address.
    name = CharField(max_length=100, default="")
    email_shown = BooleanField(default=False)
    locale = CharField(max_length=8, null=True)
    # The Join's id, for participations that crossed servers (either way): answers name it.
    ap_id = CharField(max_length=2048, null=True, unique=True)
    # Set by the unsubscribe link of an organisers' message: no more of them for this participation.
    messages_off = BooleanField(default=False)
    # Set by "No reminders for this event" (the page's button or the reminder email's link).
    reminders_off = BooleanField(default=False)
    confirm_token_hash = CharField(max_length=64, null=True, unique=True)
    confirm_expires_at = UTCDateTimeField(null=True)
    # Since when a WAITLISTED participation is in line: the order seats are given in.
    waiting_since = UTCDateTimeField(null=True)
    # NULL: every date of the event (a single event's only one); else the one date of a series taken
    # part in, by its RECURRENCE-ID (its UTC start as the rule gives it, kept when the date moves).
    recurrence_id = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("event", "actor", "recurrence_id"), True),
            (("event", "email", "recurrence_id"), True),
        )

    @property
    def is_anonymous(self):
        return self.actor_id is None


# SQLite tells NULLs apart in unique indexes: one whole-series participation per person needs its own.
for _column in (Participation.actor, Participation.email):
    Participation.add_index(ModelIndex(Participation, (Participation.event, _column), unique=True,
                                       name=f"participation_whole_{_column.name}",
                                       where=Participation.recurrence_id.is_null()))


class EventInvitation(BaseModel):
    event = ForeignKeyField(Event, backref="invitations", on_delete="CASCADE")
    actor = ForeignKeyField(Actor, on_delete="CASCADE")
    invited_by = ForeignKeyField(Actor, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("event", "actor"), True),)
