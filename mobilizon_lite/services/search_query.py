"""What a search asks, read from its link's parameters (q, starts, ends, category, tags, mode, scope,
near, radius) and checked: links and feeds of searches can be shared, so the names stay as they are."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..dates import YEARS, home_zone
from ..models.events import CATEGORIES
from ..models.limits import TAG_MAX_LENGTH, TAGS_MAX
from ..text import clean_text
from . import places
from .event_input import normal_tag

QUERY_MAX = 300
MODES = ("online", "in_person")
SCOPES = ("local", "all")
RADIUS_KM = (5, 100)
DEFAULT_RADIUS_KM = 25
# The distances the form offers (a link may ask any whole number in RADIUS_KM).
RADII_SHOWN = (5, 10, 25, 50, 100)
TABS = ("events", "groups", "people")
PAGES_MAX = 1000
FILTERS = ("q", "starts", "ends", "category", "tags", "mode", "scope", "near", "radius")


@dataclass
class SearchQuery:
    """A checked search; errors lists what could not be read (the search then finds nothing)."""

    words: str = ""
    starts: date | None = None
    ends: date | None = None
    category: str = ""
    tags: tuple = ()
    mode: str = ""
    scope: str = "all"
    near: str = ""
    radius: int = DEFAULT_RADIUS_KM
    place: object = None  # the town near gives, when it is known
    other_places: list = field(default_factory=list)  # other towns of that name
    page: int = 1
    tab: str = "events"
    errors: list = field(default_factory=list)

    @property
    def asked(self):
        """Whether anything was asked (words or a filter) rather than the empty page."""
        return any((self.words, self.starts, self.ends, self.category, self.tags, self.mode, self.near,
                    self.scope == "local"))

    def args(self, **changes):
        """The link parameters of this search (only those set), with changes: for feeds, tabs, pages."""
        values = {"q": self.words, "starts": self.starts.isoformat() if self.starts else "",
                  "ends": self.ends.isoformat() if self.ends else "", "category": self.category,
                  "tags": ",".join(self.tags), "mode": self.mode, "scope": "" if self.scope == "all" else self.scope,
                  "near": self.near, "radius": str(self.radius) if self.near else ""}
        values.update(changes)
        return {name: value for name, value in values.items() if value not in ("", None)}

    def zone(self):
        return home_zone()

    def starts_at(self):
        """The first moment of the starts day in the instance's time zone (UTC), or None."""
        return None if self.starts is None else datetime.combine(self.starts, time(), self.zone())

    def ends_before(self):
        """The moment after the ends day in the instance's time zone, or None."""
        return None if self.ends is None else datetime.combine(self.ends + timedelta(days=1), time(), self.zone())


def _date(text, errors, message):
    if not text:
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or not YEARS[0] <= value.year <= YEARS[1]:
        errors.append(message)
        return None
    return value


def _choice(text, choices, errors, message):
    if text and text not in choices:
        errors.append(message)
        return ""
    return text


def _tags(text, errors):
    tags = []
    for part in text.split(","):
        tag = normal_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX or any(len(tag) > TAG_MAX_LENGTH for tag in tags):
        errors.append(_("At most %(max)d tags, each at most %(length)d characters long.", max=TAGS_MAX,
                        length=TAG_MAX_LENGTH))
        return ()
    return tuple(tags)


def _whole(text, low, high):
    return int(text) if text.isascii() and text.isdigit() and low <= int(text) <= high else None


def read(args):
    """The SearchQuery of a link's parameters (a MultiDict or dict); never raises on bad values."""
    errors = []
    # Control characters (a NUL ends SQLite's reading of the MATCH text) are never part of a search.
    text = {name: " ".join(clean_text(str(args.get(name, ""))).split()) for name in (*FILTERS, "page", "tab")}
    query = SearchQuery(words=text["q"][:QUERY_MAX], errors=errors)
    query.starts = _date(text["starts"], errors, _("The first day is not a date (YYYY-MM-DD)."))
    query.ends = _date(text["ends"], errors, _("The last day is not a date (YYYY-MM-DD)."))
    if query.starts and query.ends and query.ends < query.starts:
        errors.append(_("The last day comes before the first."))
    query.category = _choice(text["category"].upper(), CATEGORIES, errors, _("This category does not exist."))
    query.tags = _tags(text["tags"], errors)
    query.mode = _choice(text["mode"], MODES, errors, _("Choose online or in person."))
    query.scope = _choice(text["scope"], SCOPES, errors, _("Choose this instance or all instances.")) or "all"
    query.tab = text["tab"] if text["tab"] in TABS else "events"
    query.page = _whole(text["page"], 1, PAGES_MAX) or 1
    if text["radius"]:
        radius = _whole(text["radius"], *RADIUS_KM)
        if radius is None:
            errors.append(_("The distance is a whole number of kilometres from %(low)d to %(high)d.",
                            low=RADIUS_KM[0], high=RADIUS_KM[1]))
        query.radius = radius or DEFAULT_RADIUS_KM
    query.near = text["near"][:200]
    # The gazetteer is read only for a search that will run.
    if query.near and not errors:
        found = places.resolve(query.near)
        if found:
            query.place, query.other_places = found[0], found[1:]
        else:
            errors.append(_("No town of this name is known: %(name)s.", name=query.near))
    return query


def week_end(today):
    """The Sunday ending today's week (today itself on a Sunday): weeks run Monday to Sunday."""
    return today + timedelta(days=6 - today.weekday())


def presets(today):
    """(label, starts, ends) of the usual date ranges from today on: today, this weekend, this week,
    this month."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() != 6 else today
    sunday = week_end(today)
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [(_l("Today"), today, today), (_l("This weekend"), saturday, sunday),
            (_l("This week"), today, sunday), (_l("This month"), today, next_month - timedelta(days=1))]
