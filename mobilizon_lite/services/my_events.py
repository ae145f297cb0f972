"""An account's own page of events: those its identities organise, take part in, or wait to join (for the
organisers' approval, or in line for a seat)."""
from typing import NamedTuple

from peewee import JOIN, fn

from ..db import utcnow
from ..models import Actor, Event, EventOccurrence, OccurrenceOverride, Participation
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


# A participation in one date of a series is listed by that date: its own times once moved (its override),
# its end from its stored row. A date beyond the stored window ends, as far as lists care, when it begins:
# long over, or far ahead.
_Moved = OccurrenceOverride.alias()
_Stored = EventOccurrence.alias()
_DATE_START = fn.COALESCE(_Moved.begins_on, Participation.recurrence_id)
_DATE_END = fn.COALESCE(_Stored.ends_on, _Moved.ends_on, _DATE_START)


@shaped(lambda shape: shape[2] + 3)
def _my_group(shape, now, limit, offset, *identity_ids):
    """The participations in every date (of events, series by the date they show) of one group."""
    past, roles, _count, dense = shape
    columns = (Actor.preferred_username, *EventRow.COLUMNS)
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
    query = query.where(Participation.actor.in_(list(identity_ids)) & Participation.role.in_(roles)
                        & Participation.recurrence_id.is_null())
    # Events starting together keep one order from page to page (the index's own).
    ties = (Event.ends_on.desc(), Event.id.desc()) if past else (Event.ends_on, Event.id)
    return by_time(query, past, now).order_by_extend(*ties).limit(limit).offset(offset).tuples()


@shaped(lambda shape: shape[2] + 2)
def _my_dates(shape, now, limit, *identity_ids):
    """The participations in one date of a series of one group, by that date: over once it is, whatever the
    series does next (a few rows: sorted apart from the events' index)."""
    past, roles, _count = shape
    query = (Participation.select(Actor.preferred_username, Participation.recurrence_id, _Moved.begins_on,
                                  _Moved.ends_on, *EventRow.COLUMNS)
             .join(Event).switch(Participation).join(Actor, on=(Participation.actor == Actor.id))
             .switch(Participation)
             .join(_Moved, JOIN.LEFT_OUTER, on=((_Moved.event == Participation.event)
                                                & (_Moved.recurrence_id == Participation.recurrence_id)))
             .join(_Stored, JOIN.LEFT_OUTER, on=((_Stored.event == Participation.event)
                                                 & (_Stored.begins_on == _DATE_START)))
             .where(Participation.actor.in_(list(identity_ids)) & Participation.role.in_(roles)
                    & Participation.recurrence_id.is_null(False)))
    if past:
        query = query.where(_DATE_END < now).order_by(_DATE_START.desc(), Participation.id.desc())
    else:
        query = query.where(_DATE_END >= now).order_by(_DATE_START, Participation.id)
    return query.limit(limit).tuples()


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
        # The page among the events and the dates alike: the first rows of each up to its end, merged.
        wanted = page * per_group + 1
        rows = [_involvement(username, None, None, None, event) for username, *event in
                _my_group((past, roles, len(ids), dense)).rows(now, wanted, 0, *ids)]
        rows += [_involvement(username, *(Participation.recurrence_id.python_value(value)
                                          for value in (date, moved_start, moved_end)), event)
                 for username, date, moved_start, moved_end, *event in
                 _my_dates((past, roles, len(ids))).rows(now, wanted, *ids)]
        rows.sort(key=_time_order, reverse=past)
        found[group] = rows[(page - 1) * per_group:wanted]
    if found["waitlisted"]:
        places = _places_in_line(ids, [row.event.id for row in found["waitlisted"]])
        found["waitlisted"] = [row._replace(position=places.get((row.event.id, row.username, row.date)))
                               for row in found["waitlisted"]]
    return found


def _time_order(row):
    """The order of My events' rows: by start, then end (none first, as SQL sorts them), then event, as
    _my_group reads them."""
    event = row.event
    return (event.begins_on, event.ends_on is not None, event.ends_on or event.begins_on, event.id,
            row.date is not None, row.username)


def _involvement(username, date, moved_start, moved_end, values):
    """The Involvement of a row of _my_group: for one date of a series, the event at that date (at its own
    times once moved, else as long as the series' shown date)."""
    event = EventRow(values)
    if moved_start is not None:
        event.begins_on, event.ends_on = moved_start, moved_end
    elif date is not None:
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
