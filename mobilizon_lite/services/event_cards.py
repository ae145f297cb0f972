"""What event cards show beyond their rows: the participants of a whole listing, counted in one query."""
from peewee import fn

from ..models import Participation
from ..models.participation import SEAT_ROLES

# Event ids per query: well under the fewest variables an SQLite statement may hold (999 before 3.32).
IDS_PER_QUERY = 500


def count_participants(*listings):
    """Set going on every EventRow of the listings: the seats taken (organisers not counted, as on the
    event's page), for this instance's events in one query for them all; for another server's events, the
    figure that server last sent (None if it sent none)."""
    rows = [row for listing in listings for row in listing]
    local = [row.id for row in rows if row.is_local]
    counts = {}
    for start in range(0, len(local), IDS_PER_QUERY):
        counts.update(Participation.select(Participation.event, fn.COUNT(Participation.id))
                      .where(Participation.event.in_(local[start:start + IDS_PER_QUERY])
                             & Participation.role.in_(SEAT_ROLES))
                      .group_by(Participation.event).tuples())
    for row in rows:
        row.going = counts.get(row.id, 0) if row.is_local else row.remote_participant_count
