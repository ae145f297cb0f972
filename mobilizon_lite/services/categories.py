"""Categories as their pages name them: the link's lowercase slug of a code, and how many upcoming public
events each holds."""
from peewee import fn

from ..models import Event
from ..models.events import CATEGORIES
from . import search
from .events import listing_query
from .search_query import SearchQuery


def slug(category):
    """The link's name of a category code (MUSIC -> music, FOOD_DRINK -> food_drink)."""
    return category.lower()


def from_slug(text):
    """The category code a link's name gives, whatever its case; None when no category has it."""
    code = text.upper()
    return code if code in CATEGORIES else None


def counted():
    """{category code: number of upcoming events listed to everyone} of the categories that have some."""
    listed = search.matching_events(listing_query(), SearchQuery()).order_by()
    count = fn.COUNT(Event.id)
    return dict(listed.select(Event.category, count).group_by(Event.category).tuples())
