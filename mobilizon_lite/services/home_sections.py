"""The home page's lists of public events: this week's (until Sunday night where the instance is), the
next ones after it, and those near the town a visitor chose; each a search's query, so that what they
list is what the search would."""
from ..db import utcnow
from ..models import Event
from . import event_cards, search, search_query
from .events import listing_query
from .rows import EventRow, with_actors
from .search_query import SearchQuery


def _scope(local_only):
    return "local" if local_only else "all"


def week_query(local_only=False, now=None):
    """The search of this week's events not over yet: those beginning before Monday 00:00 in the
    instance's time zone (the next Monday when now is a Sunday)."""
    query = SearchQuery(scope=_scope(local_only))
    today = (utcnow() if now is None else now).astimezone(query.zone()).date()
    query.ends = search_query.week_end(today)
    return query


def _page(found, page, per_page):
    rows = with_actors(found.limit(per_page + 1).offset((page - 1) * per_page), EventRow)
    event_cards.count_participants(rows)
    return rows[:per_page], len(rows) > per_page


def this_week(per_page, local_only=False, now=None):
    """(this week's first per_page events, whether more follow), soonest first."""
    found = search.matching_events(listing_query(), week_query(local_only, now), now=now)
    return _page(found, 1, per_page)


def after_this_week(page, per_page, local_only=False, now=None):
    """(a page of the events beginning after this week, whether more follow), soonest first."""
    week = week_query(local_only, now)
    found = search.matching_events(listing_query(), SearchQuery(scope=week.scope), now=now)
    return _page(found.where(Event.begins_on >= week.ends_before()), page, per_page)


def near_query(town, radius):
    """The search of the events near town (a name the gazetteer knows) within radius km; None when the
    town or the radius cannot be searched."""
    query = search_query.read({"near": town, "radius": str(radius)})
    return None if query.errors or query.place is None else query


def near(query, per_page):
    """(the first per_page events of a near_query, whether more follow), soonest first."""
    return _page(search.matching_events(listing_query(), query), 1, per_page)
