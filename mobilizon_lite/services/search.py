"""Search: events by their words, and events, people or groups of other servers by their address."""
import json
import logging
import operator
import re
from functools import reduce

from flask_babel import gettext as _
from peewee import fn

from .. import geo
from ..activitypub import blocklist, client
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..db import utcnow
from ..dialect import unindexed
from ..models import Actor, Event, search_index
from ..models.actors import TYPE_GROUP
from ..models.groups import GroupVisibility
from ..urls import host_of, is_ours
from . import event_cards, occurrences
from .actors import ACTOR_TYPES, actor_from_ap, live_local, signed_get
from .errors import Invalid, NotFound
from .event_access import visible
from .events import ends_since, listing_query
from .follows import find_remote_actor
from .remote_events import is_event, store
from .rows import EventRow, with_actors

log = logging.getLogger(__name__)

WORDS_MAX = 8
PER_PAGE = 20


# @name@server (or name@server), as people and groups are named across servers.
HANDLE = re.compile(r"@?[^@\s/]+@[^@\s/]+")


def is_address(query):
    """True when the search is a link or an @name@server handle (to look up) rather than words."""
    return (query.startswith(("https://", "http://")) and " " not in query) or HANDLE.fullmatch(query) is not None


def _near(place, radius_km):
    """The condition: the event has coordinates within radius_km of place (the box first, by its index)."""
    south, north, ranges = geo.bounding_box(place.latitude, place.longitude, radius_km)
    longitudes = reduce(operator.or_, (Event.longitude.between(west, east) for west, east in ranges))
    return (Event.latitude.between(south, north) & longitudes
            & (fn.distance_km(Event.latitude, Event.longitude, place.latitude, place.longitude) <= radius_km))


def _has_tag(tag):
    # Tags are stored as a JSON list: a whole element is the tag between its quotes.
    return fn.LOWER(Event.tags).contains(json.dumps(tag, ensure_ascii=False))


def _since(query, now=None):
    """Where the days a query asks begin: its first day, else now (events not over yet)."""
    return query.starts_at() or (utcnow() if now is None else now)


def event_filters(query, now=None):
    """The condition of query's filters (not its words) on events joined to their organiser or group
    (Actor); None when it has none. Without a first day, events not over yet."""
    since = _since(query, now)
    period = ends_since(since)
    if query.ends:
        period &= Event.begins_on < query.ends_before()
    if query.starts or query.ends:
        # A repeated event shows its next date; on the days asked, any of its dates finds it.
        period |= Event.id.in_(occurrences.occurring_within(since, query.ends_before()))
        if not occurrences.stored_covers(since, query.ends_before(), now):
            period |= occurrences.may_occur_within(since, query.ends_before(), now)
    conditions = [period]
    if query.category:
        conditions.append(Event.category == query.category)
    conditions += [_has_tag(tag) for tag in query.tags]
    if query.mode == "online":
        conditions.append(Event.online_url != "")
    elif query.mode == "in_person":
        conditions.append((Event.place_name != "") | (Event.street != "") | (Event.locality != "")
                          | Event.latitude.is_null(False))
    if query.scope == "local":
        conditions.append(Actor.domain.is_null())
    elif blocklist.any_silenced():
        conditions.append(blocklist.not_silenced(Actor.domain))
    if query.place is not None:
        conditions.append(_near(query.place, query.radius))
    return reduce(operator.and_, conditions)


def matching_events(base, query, viewer_ids=(), now=None, by_time=False, series_first=False):
    """base (events joined to Actor) narrowed to query's words and filters, for the viewer: best
    matches first when words were given (unless by_time), else soonest first; series_first: a series
    at its first date within the days asked, if any (a sort that reads every match, for a page)."""
    selected = base.where(visible(viewer_ids) & event_filters(query, now))
    dated = series_first and (query.starts or query.ends)
    when = occurrences.first_within(_since(query, now), query.ends_before()) if dated else None
    text = search_index.match_text(query.words, WORDS_MAX)
    if text is None:
        return selected.order_by(Event.begins_on if when is None else when, Event.id)
    found, score = search_index.narrowed(search_index.EVENTS, selected, text)
    if by_time:
        # Not along the begins_on index, looking the words up event by event (seconds on a large instance on
        # SQLite): the words' matches come first, then a sort.
        return found.order_by(unindexed(Event.begins_on) if when is None else when, Event.id)
    return found.order_by(score, Event.begins_on if when is None else when, Event.id)


def _page(rows):
    """(a page of rows, whether a next page exists) of rows read one more than a page."""
    rows = list(rows)
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def find_events(query, viewer_ids=()):
    """(EventRows of query's page, whether more follow): events the viewer may see in listings that match
    query's words and filters; none of a silenced server unless only this instance's are asked."""
    if query.errors or not query.asked:
        return [], False
    found = matching_events(listing_query(), query, viewer_ids, series_first=True)
    rows = with_actors(found.limit(PER_PAGE + 1).offset((query.page - 1) * PER_PAGE), EventRow)
    rows, more = _page(rows)
    if query.starts or query.ends:
        rows = occurrences.shown_within(rows, _since(query), query.ends_before())
    event_cards.count_participants(rows)
    return rows, more


def find_actors(query, kind):
    """(page of actors, whether more follow): this instance's public groups (kind TYPE_GROUP; unlisted ones
    are reached by their link only) or people (TYPE_PERSON) matching query's words, best first."""
    text = search_index.match_text(query.words, WORDS_MAX)
    if query.errors or text is None:
        return [], False
    condition = live_local() & (Actor.type == kind)
    if kind == TYPE_GROUP:
        condition &= Actor.visibility == GroupVisibility.PUBLIC
    found, score = search_index.narrowed(search_index.ACTORS, Actor.select().where(condition), text)
    return _page(found.order_by(score, Actor.preferred_username).limit(PER_PAGE + 1)
                 .offset((query.page - 1) * PER_PAGE))


def _organizer_of(document):
    """The remote actor that organises an Event document: its actor (Mobilizon) or attributedTo, on its host."""
    organizer_id = get_id(document.get("actor")) or get_id(document.get("attributedTo"))
    if not organizer_id or host_of(organizer_id) != host_of(document["id"]):
        raise ParseError("the event's organiser is not on its server")
    known = Actor.get_or_none(Actor.ap_id == organizer_id)
    if known is not None and known.public_key_pem:
        return known
    organizer = actor_from_ap(signed_get(organizer_id))
    if organizer.ap_id != organizer_id:  # a redirect to someone else proves nothing about this event
        raise ParseError(f"{organizer_id} is not an actor's id")
    return organizer


def look_up(url):
    """The Event or Actor at a link, or the Actor an @name@server handle names: known already, or
    fetched from its server and stored; NotFound else."""
    if HANDLE.fullmatch(url):
        try:
            return find_remote_actor(url)
        except Invalid as error:
            raise NotFound(error.message) from None
    known = Event.get_or_none(Event.ap_id == url)
    if known is not None:
        return known
    if is_ours(url):
        raise NotFound(_("Nothing was found at this address."))
    try:
        document = signed_get(url)
        # A redirect may end on this instance: what is here is found here, never "fetched" over it.
        if is_ours(document["id"]):
            raise ParseError(f"{url} leads back to this instance")
        if is_event(document):
            event = store(document, _organizer_of(document))
            if event is not None:
                return event
        elif document.get("type") in ACTOR_TYPES:
            return actor_from_ap(document)
    except (client.RequestError, ParseError) as error:
        log.info("look-up of %s failed: %s", url, error)
    raise NotFound(_("Nothing was found at this address."))
