"""Template helpers of pages and emails: map links, calendar subscription links, a repeated event's rule,
public URLs, the size of cards' pictures and their participants' phrase."""
import functools
from urllib.parse import urlencode

from flask_babel import get_locale, ngettext
from flask_babel.speaklater import LazyString

from ..services import occurrences, thumbnails
from ..text import clean_text
from ..urls import public_url


def osm_url(event):
    """An OpenStreetMap link to the event's place: its coordinates, else a search of its address."""
    if event.has_coordinates:
        lat, lon = event.latitude, event.longitude
        return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"
    return "https://www.openstreetmap.org/search?" + urlencode({"query": event.address_line})


def webcal(url):
    """The webcal:// form of a feed address, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]


def repetition(event):
    """A repeated event's rule in the reader's language ("Every week on Tuesday"); "" for other events."""
    return occurrences.summary(event) if event.repeats else ""


# A list's cards repeat few counts: each phrase is translated once per (count, capacity, language),
# where a plural phrase translated in the template cost a card as much as the rest of its text.
@functools.lru_cache(maxsize=1024)
def _participants(going, capacity, _locale):
    if capacity is None:
        return ngettext("%(num)d participant", "%(num)d participants", going)
    return ngettext("%(going)d/%(num)d participant", "%(going)d/%(num)d participants", capacity, going=going)


def participants(event):
    """A card's "12 participants", or "12/30 participants" with the capacity unless the organisers hide
    the seats left; "" when its participants were not counted (see event_cards)."""
    if event.going is None:
        return ""
    capacity = event.capacity if event.show_remaining_seats else None
    return _participants(event.going, capacity, get_locale())


def shown(value):
    """Every value a page or email writes, without control or bidi override characters: rows stored
    before such characters were refused are shown safely too. A lazily translated string is text to
    escape ("Food & drink"), though it answers to __html__ as markup does."""
    if isinstance(value, LazyString):
        value = str(value)
    return clean_text(value, multiline=True)


def init_app(app):
    """Register the helpers."""
    app.jinja_env.finalize = shown
    app.add_template_filter(osm_url)
    app.add_template_filter(webcal)
    app.add_template_filter(repetition)
    app.add_template_filter(participants)
    app.add_template_global(public_url)
    app.jinja_env.globals["thumbnail_size"] = (thumbnails.WIDTH, thumbnails.HEIGHT)
