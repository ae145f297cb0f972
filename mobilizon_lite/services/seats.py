"""How many seats of an event are taken, and how many are left: of a series, on each of its dates
(whole-series participants take a seat on every one)."""
from peewee import fn

from ..db import utcnow
from ..models import Participation
from ..models.participation import SEAT_ROLES
from .prepared import prepared

_stored = Participation.recurrence_id.db_value


def going_count(event, date=None, besides=None):
    """How many participants hold a seat (organisers not counted, as in Mobilizon): on the date of a
    series whose RECURRENCE-ID is date, else on its fullest date to come; for an event of another
    server, the figure that server last sent (None if it sent none). besides (others_than): the
    person joining every date, whose seats on single dates that seat takes the place of, not counted."""
    if not event.is_local:
        return event.remote_participant_count
    whole = every_date_seats(event)
    if not event.repeats:
        return whole
    if date is None:
        if besides is not None:
            return whole + (_fullest_date_query(event.id, utcnow()).where(besides).limit(1).scalar() or 0)
        return whole + (_fullest_date.first(event.id, _stored(utcnow())) or (0,))[0]
    return whole + _date_seats.first(event.id, _stored(date))[0]


def others_than(participation):
    """The condition that a participation is not of the same person as participation (the same identity,
    or for a visitor without one, the same address)."""
    if participation.actor_id is not None:
        return Participation.actor.is_null() | (Participation.actor != participation.actor_id)
    return Participation.email.is_null() | (Participation.email != participation.email)


def every_date_seats(event):
    """How many participants of a local event hold a seat on every date (all of a single event's)."""
    return _seats_taken.first(event.id)[0]


def on_date(date):
    """The condition that a participation takes part on the date of a series whose RECURRENCE-ID date is
    (in every date, or in that one)."""
    return Participation.recurrence_id.is_null() | (Participation.recurrence_id == date)


def _seated(event_id):
    return (Participation.event == event_id) & Participation.role.in_(SEAT_ROLES)


@prepared(1)
def _seats_taken(event_id):
    return Participation.select(fn.COUNT(Participation.id)).where(
        _seated(event_id) & Participation.recurrence_id.is_null()).tuples()


@prepared(2)
def _date_seats(event_id, date):
    return Participation.select(fn.COUNT(Participation.id)).where(
        _seated(event_id) & (Participation.recurrence_id == date)).tuples()


def _fullest_date_query(event_id, now):
    return (Participation.select(fn.COUNT(Participation.id)).where(
        _seated(event_id) & (Participation.recurrence_id >= now))
            .group_by(Participation.recurrence_id).order_by(fn.COUNT(Participation.id).desc()))


@prepared(2)
def _fullest_date(event_id, now):
    return _fullest_date_query(event_id, now).limit(1).tuples()


def remaining_seats(event, count):
    """Seats left given count participants, or None when there is no limit or no known count."""
    if event.capacity is None or count is None:
        return None
    return max(event.capacity - count, 0)
