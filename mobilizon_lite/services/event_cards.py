"""What event cards show beyond their rows: the participants of a whole listing, counted in one query."""
import json

from peewee import Cast, Select, fn

from ..dialect import json_elements
from ..models import Participation
from ..models.participation import SEAT_ROLES
from .prepared import prepared


def count_participants(*listings):
    """Set going on every EventRow of the listings: the seats taken (organisers not counted, as on the
    event's page), for this instance's events in one query for them all; for another server's events, the
    figure that server last sent (None if it sent none)."""
    rows = [row for listing in listings for row in listing]
    local = [row.id for row in rows if row.is_local]
    counts = dict(_seats_taken.rows(json.dumps(local))) if local else {}
    for row in rows:
        row.going = counts.get(row.id, 0) if row.is_local else row.remote_participant_count


# The ids come as one JSON array: one statement, written once, for lists of any length (an IN list of
# parameters would be a statement per length, and bounded by SQLite's number of variables).
@prepared(1)
def _seats_taken(ids_json):
    ids = json_elements(ids_json, "ids")
    listed = Select(from_list=[ids.source], columns=[Cast(ids.value, "INTEGER")])
    return (Participation.select(Participation.event, fn.COUNT(Participation.id))
            .where(Participation.event.in_(listed) & Participation.role.in_(SEAT_ROLES))
            .group_by(Participation.event).tuples())
