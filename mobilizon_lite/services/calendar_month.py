"""A month of events as the calendar shows it: the weeks of a month in the instance's time zone, each day
with the events it covers, found by the same filters and privacy rules as a search."""
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from ..dates import YEARS
from ..models import Event
from . import occurrences, search, search_query
from .errors import NotFound
from .events import listing_query
from .rows import EventRow, with_actors

# A month reads the times of at most this many events (the first ones by start), and whole rows of those
# its days show only: a busy instance's month stays bounded, and the page says when some were left out.
EVENTS_MAX = 3000
# The events a day's cell lists; the others are counted, and a link searches that day.
SHOWN_PER_DAY = 4
# The filters a calendar keeps: its dates are the month's.
FILTERS = tuple(name for name in search_query.FILTERS if name not in ("starts", "ends"))


# Where a single event is placed, as a series' stored dates are (EventOccurrence rows).
Occurrence = namedtuple("Occurrence", "begins_on ends_on")


@dataclass
class DayEvent:
    """An event on one day: starts (its local start) when it starts that day, ends (its local end) when it
    ends that day having started earlier; neither for a day in the middle of a longer event."""

    event: EventRow  # its id while the month is read, then the row
    starts: datetime | None = None
    ends: datetime | None = None


@dataclass
class Day:
    """A day of the grid: the events shown, how many more it has, whether it belongs to the month."""

    day: date
    in_month: bool
    events: list = field(default_factory=list)
    more: int = 0
    # Some of the day's events may be missing: the month had more than EVENTS_MAX from this day on.
    incomplete: bool = False

    @property
    def busy(self):
        return bool(self.events) or self.incomplete


@dataclass
class Month:
    """The weeks (lists of seven Days) of a month, with where the month is, its neighbours and today."""

    first: date
    weeks: list
    today: date
    truncated: bool
    previous: date | None
    next: date | None

    @property
    def days(self):
        """The days of the month itself, in order."""
        return [day for week in self.weeks for day in week if day.in_month]


def month_start(year, month):
    """The first day of that month; NotFound when there is no calendar for it (outside dates.YEARS)."""
    if not (YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12):
        raise NotFound(_("There is no calendar for this month: choose a year from %(first)d to %(last)d "
                         "and a month from 1 to 12.", first=YEARS[0], last=YEARS[1]))
    return date(year, month, 1)


def this_month():
    """The first day of the month it is now in the instance's time zone."""
    return datetime.now(search_query.SearchQuery().zone()).date().replace(day=1)


def _next_month(first):
    return (first + timedelta(days=31)).replace(day=1)


def read(args, first):
    """The SearchQuery of a calendar link's filters (its own starts and ends are ignored), narrowed to the
    month beginning on first."""
    query = search_query.read({name: args.get(name, "") for name in FILTERS})
    query.starts, query.ends = first, _next_month(first) - timedelta(days=1)
    return query


def _days_of(begins_on, ends_on, zone):
    """(local start, local end or None, first and last local days) of an event (or one date of a series):
    one ending at midnight is over before that day."""
    starts = begins_on.astimezone(zone)
    ends = ends_on.astimezone(zone) if ends_on and ends_on > begins_on else None
    last = (ends - timedelta(microseconds=1)).date() if ends else starts.date()
    return starts, ends, starts.date(), max(last, starts.date())


def _weeks(first, first_weekday):
    """Lists of seven days from the first_weekday (0: Monday) on or before first to the week's end after
    the month's last day."""
    last = _next_month(first) - timedelta(days=1)
    start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    end = last + timedelta(days=(first_weekday + 6 - last.weekday()) % 7)
    days = [Day(start + timedelta(days=number), first.month == (start + timedelta(days=number)).month)
            for number in range((end - start).days + 1)]
    return [days[index:index + 7] for index in range(0, len(days), 7)]


def month_of_events(query, viewer_ids, first_weekday, now=None):
    """The Month of query's month (query.starts is its first day): each day with the events the viewer may
    see in listings that match query's words and filters, soonest first."""
    zone = query.zone()
    now = now or datetime.now(zone)
    first = query.starts
    weeks = _weeks(first, first_weekday)
    month = Month(first, weeks, now.astimezone(zone).date(), False,
                  None if first <= date(YEARS[0], 1, 1) else (first - timedelta(days=1)).replace(day=1),
                  None if first >= date(YEARS[1], 12, 1) else _next_month(first))
    if query.errors:
        return month
    # Words rank a search's results; a calendar lists by time whatever was asked. Only the times of
    # the month's events are read first; whole rows, for the few each day shows.
    found = search.matching_events(listing_query(), query, viewer_ids, by_time=True)
    spans = list(found.select(Event.id, Event.begins_on, Event.ends_on, Event.rrule).limit(EVENTS_MAX + 1).tuples())
    month.truncated = len(spans) > EVENTS_MAX
    spans = spans[:EVENTS_MAX]
    # A repeated event is on each of its dates within the month (the date it shows is one of them).
    dates = occurrences.occurrences_between([span[0] for span in spans if span[3]], query.starts_at(),
                                            query.ends_before(), now.astimezone(UTC))
    placed = {}
    for event_id, begins_on, ends_on, _rule in spans:
        for moment in dates.get(event_id) or [Occurrence(begins_on, ends_on)]:
            starts, ends, first_day, last_day = _days_of(moment.begins_on, moment.ends_on, zone)
            day = max(first_day, first)
            while day <= last_day and day.month == first.month:
                placed.setdefault(day, []).append((moment.begins_on, event_id, DayEvent(
                    event_id, starts if day == first_day else None,
                    ends if day == last_day and day != first_day else None)))
                day += timedelta(days=1)
    by_day = {day.day: day for day in month.days}
    for day, items in placed.items():
        items.sort(key=lambda item: item[:2])
        by_day[day].events = [item[2] for item in items[:SHOWN_PER_DAY]]
        by_day[day].more = max(len(items) - SHOWN_PER_DAY, 0)
    rows = {row.id: row for row in with_actors(listing_query().where(Event.id.in_(
        {item.event for cell in by_day.values() for item in cell.events})), EventRow)}
    for cell in by_day.values():
        # An event deleted between the two reads is left out.
        cell.events = [item for item in cell.events if item.event in rows]
        for item in cell.events:
            item.event = rows[item.event]
    if month.truncated:
        # Events are read by the start they show: those left out start on or after the last one read,
        # save series, which may have earlier dates in the month.
        cutoff = min(spans[-1][1], occurrences.first_left_out({span[0] for span in spans}, query.starts_at(),
                                                              query.ends_before(), now.astimezone(UTC)))
        cutoff = max(cutoff.astimezone(zone).date(), first)
        for cell in month.days:
            cell.incomplete = cell.day >= cutoff
    return month
