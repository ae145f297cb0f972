"""How many seats of an event are taken, and how many are left."""
from peewee import fn

from ..models import Participation
from ..models.participation import SEAT_ROLES
from .prepared import prepared


def going_count(event):
    """How many participants hold a seat (organisers not counted, as in Mobilizon); for an event of
    another server, the figure that server last sent (None if it sent none)."""
    if not event.is_local:
        return event.remote_participant_count
    return _seats_taken.first(event.id)[0]


@prepared(1)
def _seats_taken(event_id):
    return Participation.select(fn.COUNT(Participation.id)).where(
        (Participation.event == event_id) & Participation.role.in_(SEAT_ROLES)).tuples()


def remaining_seats(event, count):
    """Seats left given count participants, or None when there is no limit or no known count."""
    if event.capacity is None or count is None:
        return None
    return max(event.capacity - count, 0)
