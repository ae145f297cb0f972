"""What search costs on a large instance: query times and the index's size, on SQLite or PostgreSQL.

The script makes a temporary instance (SQLite in a temporary folder, or the empty PostgreSQL database
--database-url names) and bulk-inserts --events public events (100,000 by default) in one transaction, each
with a title, a description of some thirty words, two tags, a category, a town with coordinates near one
of 40 towns of the gazetteer, and one in ten online: the index's triggers index each row as it is inserted
(FTS5 tables on SQLite, the tsvector column on PostgreSQL), so the insert time includes indexing.
It then times `run.py reindex`'s work (the index built again) and, --repeat times each, these searches
as the search page runs them (GET /search through app.test_client(), the page written in full) and as
the service alone runs them (search.find_events, the first page of 20):

  words        two common words           q=jazz concert
  rare         a word of one event in 1,000
  prefix       q=conc (a prefix of many words)
  accents      q=montreal fete (stored as "Montréal", "Fête")
  filters      a category, a tag and a month
  words+near   q=jazz near Lyon within 25 km
  near         near Paris within 100 km, no words
  all          words, category, tag, dates, online/in person and near together

It prints the median and 95th percentile of each, the index's size (the FTS5 tables' pages; the GIN
indexes and the tsvector column) and the database's. The first search near a town fills the gazetteer; it
is timed apart.

    .venv/bin/python bench/search.py                    # 100000 events, 20 repeats
    .venv/bin/python bench/search.py --events 10000 --repeat 50
    createdb search_bench && .venv/bin/python bench/search.py --database-url postgresql:///search_bench
"""
import argparse
import itertools
import json
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import check_ranges, fmt, print_table, timed

from mobilizon_lite import create_app
from mobilizon_lite.db import EXTENSION_KEY, database, on_postgres
from mobilizon_lite.models import Actor, search_index
from mobilizon_lite.models.events import CATEGORIES
from mobilizon_lite.services import accounts, places, search, search_query

WORDS = ("atelier", "rencontre", "soirée", "jeux", "lecture", "balade", "vélo", "réparation", "cuisine",
         "théâtre", "danse", "chorale", "marché", "conférence", "débat", "cinéma", "photo", "jardin",
         "échecs", "tricot", "yoga", "randonnée", "poésie", "quartier", "fête", "musique", "jazz", "concert",
         "repair", "café", "workshop", "meeting", "garden", "walk", "party", "talk", "night", "club")
TOWNS = ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Strasbourg", "Rennes",
         "Grenoble", "Montréal", "Québec", "Bruxelles", "Liège", "Genève", "Lausanne", "Berlin", "München",
         "Hamburg", "Köln", "Madrid", "Barcelona", "Sevilla", "Lisboa", "Porto", "Roma", "Milano", "Napoli",
         "Torino", "London", "Manchester", "Dublin", "Amsterdam", "Rotterdam", "Wien", "Zürich", "Praha",
         "Warszawa", "Kraków", "Budapest")
TAGS = ("cinéma", "musique", "vélo", "jardin", "jeux", "lecture", "danse", "cuisine", "photo", "nature",
        "enfants", "numérique", "logiciel libre", "climat", "santé", "sport", "histoire", "art", "théâtre", "fête")
RARE = "xylophone"
COLUMNS = ("uuid", "ap_id", "organizer_id", "title", "description", "description_source", "begins_on", "ends_on",
           "timezone", "status", "visibility", "join_mode", "external_participation_url", "show_remaining_seats",
           "waiting_list", "anonymous_participation", "comment_mode", "place_name", "street", "postal_code", "locality",
           "region", "country", "latitude", "longitude", "online_url", "links", "tags", "category", "language",
           "sequence", "created_at", "updated_at", "rrule", "exdates")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, metavar="N", help="events (default 100000)")
    parser.add_argument("--repeat", type=int, default=20, metavar="R", help="runs of each search (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--database-url", default="", metavar="URL",
                        help="an empty PostgreSQL database to fill (postgresql://…) rather than an SQLite file")
    args = parser.parse_args(argv)
    check_ranges(parser, args, events=(100, 1_000_000), repeat=(1, 1000))
    return args


def town_points():
    """{town: (latitude, longitude)} of the gazetteer's largest town of each name."""
    return {town: (found[0].latitude, found[0].longitude) for town in TOWNS if (found := places.resolve(town))}


def rows(count, organizer_id, points, rng):
    """count event rows as the events table stores them (the columns of COLUMNS)."""
    base = datetime(2027, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    towns = list(points)
    for number in range(count):
        town = towns[number % len(towns)]
        lat, lon = points[town]
        begins = base + timedelta(hours=number * 8760 // count + rng.randrange(2))
        words = rng.sample(WORDS, 3) + ([RARE] if number % 1000 == 0 else [])
        title = " ".join(words).capitalize() + f" à {town}"
        description = " ".join(rng.choice(WORDS) for _ in range(30))
        online = number % 10 == 0
        identifier = str(uuid.UUID(int=rng.getrandbits(128)))
        yield (identifier, f"http://bench.test/events/{identifier}", organizer_id, title, f"<p>{description}</p>",
               description, begins.replace(tzinfo=None).isoformat(" ", "microseconds"),
               (begins + timedelta(hours=2)).replace(tzinfo=None).isoformat(" ", "microseconds"),
               "Europe/Paris", "confirmed", "public", "free", "", True, False, False, "allow_all",
               f"Salle {number % 97}", "", "", town, "", "", lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3),
               "https://visio.example/room" if online else "", "[]",
               json.dumps(rng.sample(TAGS, 2), ensure_ascii=False, separators=(",", ":")),
               rng.choice(CATEGORIES), "fr", 0, now, now, "", "[]")


def insert_events(events, batch=500):
    """Insert the event rows, many to a statement, in one transaction."""
    values = "(" + ", ".join([database.param] * len(COLUMNS)) + ")"
    with database.atomic():
        for rows_of_batch in iter(lambda: list(itertools.islice(events, batch)), []):
            database.execute_sql(f"INSERT INTO event ({', '.join(COLUMNS)}) VALUES "
                                 f"{', '.join([values] * len(rows_of_batch))}",
                                 [value for row in rows_of_batch for value in row])


def database_bytes(app):
    """The size of the app's database: its file, or PostgreSQL's count."""
    if on_postgres(app.extensions[EXTENSION_KEY]):
        return database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
    return Path(app.config["DATABASE"]).stat().st_size


SEARCHES = {
    "words": {"q": "jazz concert"},
    "rare": {"q": RARE},
    "prefix": {"q": "conc"},
    "accents": {"q": "montreal fete"},
    "filters": {"category": "MUSIC", "tags": "cinéma", "starts": "2027-03-01", "ends": "2027-03-31"},
    "words+near": {"q": "jazz", "near": "Lyon", "radius": "25"},
    "near": {"near": "Paris", "radius": "100"},
    "all": {"q": "jazz", "category": "MUSIC", "tags": "cinéma", "starts": "2027-01-01", "ends": "2027-12-31",
            "mode": "in_person", "near": "Lyon", "radius": "50"},
}


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "BASE_URL": "http://bench.test", "DATABASE_URL": args.database_url,
                          "DATABASE": str(Path(folder) / "bench.sqlite3")}, instance_path=folder)
        with app.app_context():
            accounts.register("bench@example.org", "a long bench password", "bench", admin=True, by_admin=True)
            organizer = Actor.get(Actor.preferred_username == "bench").id
            started = time.perf_counter()
            points = town_points()
            print(f"gazetteer filled (first search near a town) in {time.perf_counter() - started:.1f} s; "
                  f"{len(points)} towns placed")
            started = time.perf_counter()
            insert_events(rows(args.events, organizer, points, rng))
            inserted = time.perf_counter() - started
            print(f"{args.events} events inserted and indexed in {inserted:.1f} s "
                  f"({args.events / inserted:,.0f} a second)")
            started = time.perf_counter()
            search_index.rebuild(search_index.EVENTS)
            print(f"index built again (run.py reindex, events) in {time.perf_counter() - started:.1f} s")
            index_bytes = search_index.size_bytes()
            database_mb = database_bytes(app) / 1e6
        client = app.test_client()
        lines = []
        for name, params in SEARCHES.items():
            page = timed(lambda params=params: client.get("/search", query_string=params), args.repeat)
            assert page[2].status_code == 200, (name, page[2].status_code)
            with app.test_request_context():
                query = search_query.read(params)
                service = timed(lambda query=query: search.find_events(query), args.repeat)
            found, more = service[2]
            lines.append([name, " ".join(f"{key}={value}" for key, value in params.items()),
                          f"{len(found)}{'+' if more else ''}", fmt(service[0]), fmt(service[1]), fmt(page[0]),
                          fmt(page[1])])
        print()
        print_table(["search", "parameters", "found", "service ms", "p95", "page ms", "p95"], lines, left=(0, 1))
        print()
        index = "unknown (no dbstat)" if index_bytes is None else f"{index_bytes / 1e6:.1f} MB"
        kind = "GIN indexes and tsvector column" if on_postgres(app.extensions[EXTENSION_KEY]) else "FTS5 tables"
        print(f"index size: {index} ({kind} of events and actors); database: {database_mb:.1f} MB "
              f"for {args.events} events")


if __name__ == "__main__":
    main()
