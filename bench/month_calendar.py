"""What the month calendar costs on a large instance: the page of a busy month, a filtered one, and
months before and after every event.

The script makes a temporary instance and bulk-inserts --events public events (100,000 by default,
spread over 2027, as bench/search.py makes them: some 8,000 a month, far more than a calendar reads).
It then times, --repeat times each, GET /calendar/<year>/<month> through app.test_client() (the page
written in full) and the service alone (calendar_month.month_of_events):

  busy         March 2027, no filter: the month is cut at calendar_month.EVENTS_MAX events
  filtered     March 2027, a category and a tag
  words        March 2027, q=jazz concert
  near         March 2027, near Lyon within 25 km
  before       June 2026, before every event
  after        March 2028, after every event

It prints the median and 95th percentile of each, with the events the month read.

    .venv/bin/python bench/month_calendar.py                    # 100000 events, 20 repeats
    .venv/bin/python bench/month_calendar.py --events 10000 --repeat 50
"""
import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from common import check_ranges, fmt, print_table, timed
from search import COLUMNS, rows, town_points

from mobilizon_lite import create_app
from mobilizon_lite.db import database
from mobilizon_lite.models import Actor
from mobilizon_lite.services import accounts, calendar_month

MONTHS = {
    "busy": (date(2027, 3, 1), {}),
    "filtered": (date(2027, 3, 1), {"category": "MUSIC", "tags": "cinéma"}),
    "words": (date(2027, 3, 1), {"q": "jazz concert"}),
    "near": (date(2027, 3, 1), {"near": "Lyon", "radius": "25"}),
    "before": (date(2026, 6, 1), {}),
    "after": (date(2028, 3, 1), {}),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, metavar="N", help="events (default 100000)")
    parser.add_argument("--repeat", type=int, default=20, metavar="R", help="runs of each month (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    check_ranges(parser, args, events=(100, 1_000_000), repeat=(1, 1000))
    return args


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "BASE_URL": "http://bench.test", "TIMEZONE": "Europe/Paris",
                          "DATABASE": str(Path(folder) / "bench.sqlite3")}, instance_path=folder)
        with app.app_context():
            accounts.register("bench@example.org", "a long bench password", "bench", admin=True, by_admin=True)
            organizer = Actor.get(Actor.preferred_username == "bench").id
            points = town_points()
            insert = f"INSERT INTO event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            started = time.perf_counter()
            with database.atomic():
                database.cursor().executemany(insert, rows(args.events, organizer, points, rng))
            print(f"{args.events} events inserted in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        lines = []
        for name, (first, params) in MONTHS.items():
            path = f"/calendar/{first.year}/{first.month:02d}"
            client.get(path, query_string=params)  # the gazetteer, for "near", is filled once
            page = timed(lambda path=path, params=params: client.get(path, query_string=params), args.repeat)
            assert page[2].status_code == 200, (name, page[2].status_code)
            with app.test_request_context():
                query = calendar_month.read(params, first)
                service = timed(lambda query=query: calendar_month.month_of_events(query, (), 0), args.repeat)
            month = service[2]
            read = len({shown.event.id for day in month.days for shown in day.events})
            lines.append([name, f"{path} " + " ".join(f"{key}={value}" for key, value in params.items()),
                          f"{read}{'+' if month.truncated else ''}", fmt(service[0]), fmt(service[1]),
                          fmt(page[0]), fmt(page[1])])
        print()
        print_table(["month", "link", "events shown", "service ms", "p95", "page ms", "p95"], lines, left=(0, 1))
        print(f"\nat most {calendar_month.EVENTS_MAX} events read a month, {calendar_month.SHOWN_PER_DAY} shown a day")


if __name__ == "__main__":
    main()
