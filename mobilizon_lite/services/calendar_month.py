"""A month of events as the calendar shows it: the weeks of a month in the instance's time zone, each day
with the events it covers, found by the same filters and privacy rules as a search."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from ..dates import YEARS
from ..models import Event
from . import occurrences, search, search_query
from .errors import NotFound
from .events import listing_query
from .rows import EventRow, with_actors

# A month read at most this many events (the first ones by start): a busy instance's month stays one
# bounded query, and the page says when some were left out.
EVENTS_MAX = 600
# The events a day's cell lists; the others are counted, and a link searches that day.
SHOWN_PER_DAY = 4
# The filters a calendar keeps: its dates are the month's.
FILTERS = tuple(name for name in search_query.FILTERS if name not in ("starts", "ends"))


@dataclass
class DayEvent:
    """An event on one day: starts (its local start) when it starts that day, ends (its local end) when it
    ends that day having started earlier; neither for a day in the middle of a longer event."""

    event: EventRow
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
    """(first, last) local days an event (or one date of a series) covers: one ending at midnight is over
    before that day."""
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
    # Words rank a search's results; a calendar lists by time whatever was asked.
    found = search.matching_events(listing_query(), query, viewer_ids).order_by(Event.begins_on, Event.id)
    rows = with_actors(found.limit(EVENTS_MAX + 1), EventRow)
    month.truncated = len(rows) > EVENTS_MAX
    by_day = {day.day: day for day in month.days}
    # A repeated event is on each of its dates in the month (stored occurrences), else at the date it shows.
    dates = occurrences.occurrences_between([row.id for row in rows[:EVENTS_MAX]], query.starts_at(),
                                            query.ends_before())
    spans = sorted([(occurrence.begins_on, occurrence.ends_on, row) for row in rows[:EVENTS_MAX]
                    for occurrence in dates.get(row.id, [row])], key=lambda span: (span[0], span[2].id))
    for begins_on, ends_on, row in spans:
        starts, ends, first_day, last_day = _days_of(begins_on, ends_on, zone)
        day = max(first_day, first)
        while day <= last_day and day in by_day:
            cell = by_day[day]
            shown = DayEvent(row, starts if day == first_day else None,
                             ends if day == last_day and day != first_day else None)
            if len(cell.events) < SHOWN_PER_DAY:
                cell.events.append(shown)
            else:
                cell.more += 1
            day += timedelta(days=1)
    if month.truncated:
        # Events are read by start: those left out start on or after the last one read.
        cutoff = rows[EVENTS_MAX - 1].begins_on.astimezone(zone).date()
        for cell in month.days:
            cell.incomplete = cell.day >= cutoff
    return month
