"""An account's own page of events: those its identities organise, take part in, or wait to join (for the
organisers' approval, or in line for a seat)."""
from typing import NamedTuple

from peewee import JOIN, fn

from ..db import utcnow
from ..models import Actor, Event, Participation
from ..models.participation import NOT_APPROVED, ORGANIZER_ROLES, SEAT_ROLES, WAITLISTED
from .events import by_time, stored_moment
from .participation import in_line_before
from .prepared import prepared, shaped
from .rows import EventRow


class Involvement(NamedTuple):
    """One of the account's events on its own page: the event (an EventRow: of one date of a series, at
    that date's times), as whom, that date's RECURRENCE-ID (None: every date) and (on a waiting list) the
    place in line."""
    event: EventRow
    username: str
    date: object = None
    position: int | None = None


# The groups of the account's own page, and the roles in each.
MY_GROUPS = {"organised": ORGANIZER_ROLES, "going": SEAT_ROLES, "pending": (NOT_APPROVED,),
             "waitlisted": (WAITLISTED,)}


@shaped(lambda shape: shape[2] + 3)
def _my_group(shape, now, limit, offset, *identity_ids):
    past, roles, _count, dense = shape
    columns = (Actor.preferred_username, Participation.recurrence_id, *EventRow.COLUMNS)
    if dense:
        # From the events' side in time order (index event_begins_on_ends_on), each looked up among the
        # identities' participations, stopping at the page: for an account that takes part in much of
        # what the instance holds, reading the event of each of its participations cost more.
        # CROSS JOIN: SQLite keeps the tables in this order.
        query = (Event.select(*columns).join(Participation, JOIN.CROSS).join(Actor, JOIN.CROSS)
                 .where((Participation.event == Event.id) & (Participation.actor == Actor.id)))
        if past:
            query = query.where(Event.begins_on < now)  # an event that is over has begun: the scan starts there
    else:
        query = (Participation.select(*columns).join(Event).switch(Participation)
                 .join(Actor, on=(Participation.actor == Actor.id)))
    query = query.where(Participation.actor.in_(list(identity_ids)) & Participation.role.in_(roles))
    # Events starting together keep one order from page to page (the index's own).
    ties = (Event.ends_on.desc(), Event.id.desc()) if past else (Event.ends_on, Event.id)
    return by_time(query, past, now).order_by_extend(*ties).limit(limit).offset(offset).tuples()


@shaped(lambda count: count)
def _role_counts(_count, *identity_ids):
    return (Participation.select(Participation.role, fn.COUNT(Participation.id))
            .where(Participation.actor.in_(list(identity_ids))).group_by(Participation.role).tuples())


@prepared(0)
def _last_event_id():
    return Event.select(fn.MAX(Event.id)).tuples()


def _dense(count, events):
    # Reading each participation's event costs about count lookups; walking the events until a page is
    # found, about events / count of them for each row: the second wins once count² passes ~13 × events.
    return count * count > 13 * events


def my_events(identity_ids, past=False, page=1, per_group=25):
    """One page of the account's events in each of MY_GROUPS: those not over yet, soonest first, or
    (past) those over, latest first; each a list of Involvements, one more than per_group when it goes on."""
    ids, now = sorted(identity_ids), stored_moment(utcnow())
    counts = dict(_role_counts(len(ids)).rows(*ids)) if ids else {}
    events = (_last_event_id.first() or (0,))[0] or 0
    found = {}
    for group, roles in MY_GROUPS.items():
        dense = _dense(sum(counts.get(role, 0) for role in roles), events)
        rows = _my_group((past, roles, len(ids), dense)).rows(now, per_group + 1, (page - 1) * per_group, *ids)
        found[group] = [_involvement(username, Participation.recurrence_id.python_value(date), event)
                        for username, date, *event in rows]
    if found["waitlisted"]:
        places = _places_in_line(ids, [row.event.id for row in found["waitlisted"]])
        found["waitlisted"] = [row._replace(position=places.get((row.event.id, row.username, row.date)))
                               for row in found["waitlisted"]]
    return found


def _involvement(username, date, values):
    """The Involvement of a row of _my_group: for one date of a series, the event at that date, as long as
    the series' shown date."""
    event = EventRow(values)
    if date is not None:
        length = event.ends_on - event.begins_on if event.ends_on else None
        event.begins_on, event.ends_on = date, date + length if length is not None else None
    return Involvement(event, username, date)


def _places_in_line(identity_ids, event_ids):
    """{(event id, username, RECURRENCE-ID or None): place in line} of the identities' waitlisted participations
    in these events."""
    ahead = Participation.alias()
    query = (Participation.select(Participation.event_id, Actor.preferred_username, Participation.recurrence_id,
                                  fn.COUNT(ahead.id))
             .join(Actor, on=(Participation.actor == Actor.id))
             .join(ahead, on=in_line_before(ahead, Participation))
             .where(Participation.actor.in_(identity_ids) & (Participation.role == WAITLISTED)
                    & Participation.event.in_(event_ids))
             .group_by(Participation.id, Actor.preferred_username).tuples())
    return {(event_id, username, date): place for event_id, username, date, place in query}
