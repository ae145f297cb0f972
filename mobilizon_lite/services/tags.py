"""Tags as their pages name them: a tag read from a link, the spelling events carry under other accents
or case, and the tags the upcoming public events carry most."""
from peewee import fn

from ..dialect import json_elements
from ..models import Event
from ..models.limits import TAG_MAX_LENGTH
from ..text import clean_text, tag_has_a_page
from . import search
from .event_input import normal_tag
from .events import listing_query
from .places import fold
from .search_query import SearchQuery

SHOWN_MAX = 100


def from_link(text):
    """The tag a link's text names, as events store it; None when no tag can be written so (empty, too
    long, no page of its own, a control character in it)."""
    tag = normal_tag(text)
    if not tag or len(tag) > TAG_MAX_LENGTH or not tag_has_a_page(tag) or clean_text(tag) != tag:
        return None
    return tag


def counted(limit=SHOWN_MAX):
    """[(tag, number of events)] of the upcoming events listed to everyone, the most carried first (then
    by name); limit None for all of them."""
    # The events a search without words or filters lists: public, not over, of no silenced server.
    listed = search.matching_events(listing_query(), SearchQuery()).select(Event.id).order_by()
    count = fn.COUNT(Event.id)
    tag = json_elements(Event.tags, "tag")
    query = (Event.select(tag.value, count).from_(Event, tag.source)
             .where(Event.id.in_(listed)).group_by(tag.value).order_by(count.desc(), tag.value))
    return list((query if limit is None else query.limit(limit)).tuples())


def spelling(tag):
    """The tag events carry that tag names: itself when upcoming public events carry it, else the most
    carried one written with other accents, hyphens or apostrophes; None when there is none."""
    # Most links name the tag as stored: one lookup; the count of every tag only for the others.
    if search.matching_events(listing_query(), SearchQuery(tags=(tag,))).exists():
        return tag
    folded = fold(tag)
    return next((name for name, _count in counted(limit=None) if fold(name) == folded), None)
