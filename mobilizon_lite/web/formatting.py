"""Template helpers of pages and emails: map links, calendar subscription links, a repeated event's rule,
public URLs, the size of cards' pictures."""
from urllib.parse import urlencode

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


def shown(value):
    """Every value a page or email writes, without control or bidi override characters: rows stored
    before such characters were refused are shown safely too."""
    return clean_text(value, multiline=True)


def init_app(app):
    """Register the helpers."""
    app.jinja_env.finalize = shown
    app.add_template_filter(osm_url)
    app.add_template_filter(webcal)
    app.add_template_filter(repetition)
    app.add_template_global(public_url)
    app.jinja_env.globals["thumbnail_size"] = (thumbnails.WIDTH, thumbnails.HEIGHT)
