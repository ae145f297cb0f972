"""Search: events by their words, and events, people or groups of other servers by their address."""
import logging
import re

from flask_babel import gettext as _
from peewee import fn

from ..activitypub import blocklist, client
from ..activitypub.parse import ParseError
from ..activitypub.vocab import get_id
from ..models import Actor, Event
from ..models.actors import TYPE_GROUP
from ..models.groups import GroupVisibility
from ..urls import host_of, is_ours
from .actors import ACTOR_TYPES, actor_from_ap, live_local, signed_get
from .errors import Invalid, NotFound
from .events import by_time, listing_query, visible
from .follows import find_remote_actor
from .remote_events import is_event, store
from .rows import EventRow, with_actors

log = logging.getLogger(__name__)

QUERY_MAX = 300
WORDS_MAX = 8
RESULTS_MAX = 50


# @name@server (or name@server), as people and groups are named across servers.
HANDLE = re.compile(r"@?[^@\s/]+@[^@\s/]+")


def is_address(query):
    """True when the search is a link or an @name@server handle (to look up) rather than words."""
    return (query.startswith(("https://", "http://")) and " " not in query) or HANDLE.fullmatch(query) is not None


def find_events(query, viewer_ids=()):
    """Upcoming events the viewer may see in listings whose title, place or tags hold every word (EventRows);
    none of a silenced server."""
    words = query.split()[:WORDS_MAX]
    if not words:
        return []
    condition = visible(viewer_ids)
    if blocklist.any_silenced():
        condition &= blocklist.not_silenced(Actor.domain)
    for word in words:
        condition &= (Event.title.contains(word) | Event.place_name.contains(word) | Event.locality.contains(word)
                      # A function of the column: the JSON field's converter must not turn the word into JSON.
                      | fn.LOWER(Event.tags).contains(word.casefold().lstrip("#")))
    return with_actors(by_time(listing_query().where(condition)).limit(RESULTS_MAX), EventRow)


def find_groups(query):
    """Public groups of this instance whose name, username or description holds every word (unlisted
    ones are reached by their link only)."""
    words = query.split()[:WORDS_MAX]
    if not words:
        return []
    condition = live_local() & (Actor.type == TYPE_GROUP) & (Actor.visibility == GroupVisibility.PUBLIC)
    for word in words:
        condition &= (Actor.name.contains(word) | Actor.preferred_username.contains(word)
                      | Actor.summary_source.contains(word))
    return list(Actor.select().where(condition).order_by(Actor.name, Actor.preferred_username).limit(RESULTS_MAX))


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
