"""Cost of the calendar (iCalendar) and Atom feeds: a build, a cached answer and a 304.

For each size in --sizes, the script seeds a fresh temporary instance with `run.py seed-demo
--events N`, then (in this process, through the services) adds one identity, @feed_bench, that
organises --identity-events public upcoming events (500 by default). It serves the instance with
`run.py` (waitress, as in production) on a loopback port and, for each of

    /feed/instance/ics   /feed/instance/atom   /@feed_bench/feed/ics   /@feed_bench/feed/atom

measures, one request at a time over a keep-alive connection:

  cold       the first request after the server started (the feed is built, and the first feed
             request also pays for whatever the server had not loaded yet);
  changed    the median of --changes requests each made right after one event of that feed was
             touched in the SQLite file (updated_at set to now, sequence bumped), so the content
             fingerprint changes and the feed is rebuilt;
  warm 200   median and 95th percentile of --requests plain requests (the built feed comes from
             the in-memory cache; the server still runs the fingerprint query);
  warm 304   the same with If-None-Match set to the feed's ETag (fingerprint query, no body).

It also prints each feed's body size and item count (VEVENTs or Atom entries), and the server's
resident memory (VmRSS now, VmHWM its peak) from /proc/<pid>/status after the cold builds and
after the whole run, then a table of everything. --profile also builds each feed once in this
process with cProfile (through app.test_client(), after one unprofiled build so imports and
caches are warm) and prints the functions that took the most time.

    .venv/bin/python bench/feeds.py                        # sizes 1000 and 10000
    .venv/bin/python bench/feeds.py --sizes 1000 --profile

waitress closes the connection after each 304 (it has no
Content-Length), so warm 304 figures include a new TCP connection, as a real client's would.

The instance feed holds at most FEED_MAX_ITEMS (1000) events, so it stops growing with the size
of the instance; the identity feed holds the identity's 500 events at every size. The client
shares the machine with the server, so figures are for comparing versions of the code on one
machine. Linux only for memory.
"""
import argparse
import cProfile
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import requests
from common import (
    HOST,
    RunningInstance,
    check_ranges,
    fmt,
    memory_mb,
    parse_sizes,
    print_profile,
    print_table,
    run_py,
    summary,
)

USERNAME = "feed_bench"
EMAIL = "feed_bench@example.org"
PASSWORD = "feed bench password"
BATCH_SIZE = 250
REQUEST_TIMEOUT = 120
SEED_TIMEOUT = 3600
# No measuring loop runs longer than this, whatever --requests says.
PHASE_SECONDS = 300
PROFILE_TOP = 15
DESCRIPTION = """\
Monthly meeting of the **feed benchmark** club: we read calendars aloud and count the events.

- 18:30 – doors open, tea and biscuits
- 19:00 – talks, then questions

Step-free access. See the [notes](https://pad.example.org/p/feed-bench) for the agenda.
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of demo events (default 1000,10000)")
    parser.add_argument("--identity-events", type=int, default=500, metavar="N",
                        help="public upcoming events organised by @feed_bench (default 500)")
    parser.add_argument("--requests", type=int, default=30, metavar="N",
                        help="requests per warm measurement (default 30)")
    parser.add_argument("--changes", type=int, default=5, metavar="N",
                        help="rebuilds measured after touching an event, per feed (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one build of each feed in this process (cProfile)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folders (their paths are printed)")
    args = parser.parse_args(argv)
    args.sizes = parse_sizes(parser, args.sizes)
    check_ranges(parser, args, identity_events=(1, 5000), requests=(1, 10_000), changes=(1, 100))
    return args


def feed_paths():
    """(label, path) of the measured feeds, in the order they are first requested."""
    return (("instance ics", "/feed/instance/ics"), ("instance atom", "/feed/instance/atom"),
            ("identity ics", f"/@{USERNAME}/feed/ics"), ("identity atom", f"/@{USERNAME}/feed/atom"))


# Instance set-up --------------------------------------------------------------------------

def seed(instance_path, events):
    """Seed the demo content with run.py seed-demo; returns (seconds, error text or None)."""
    started = time.monotonic()
    result = run_py("seed-demo", "--events", str(events), "--instance-path", str(instance_path), timeout=SEED_TIMEOUT)
    if result.returncode != 0:
        return time.monotonic() - started, result.stderr.strip().splitlines()[-1:] or ["?"]
    return time.monotonic() - started, None


def event_data(number, today):
    """A public upcoming event, one a day or so, at a few times of day (as cli/demo.py does)."""
    start = clock(17 + number % 4, 30 if number % 2 else 0)
    return {
        "title": f"Feed benchmark meeting #{number + 1}",
        "description": DESCRIPTION,
        "timezone": "Europe/Paris",
        "start_date": today + timedelta(days=1 + number % 330),
        "start_time": start,
        "end_date": None,
        "end_time": clock(start.hour + 2, start.minute),
        "capacity": None,
        "show_remaining_seats": True,
        "anonymous_participation": False,
        "status": "confirmed", "visibility": "public", "join_mode": "free",
        "comment_mode": "allow_all",
        "place_name": "Maison des associations du 11e", "street": "8 rue du Général Renault",
        "postal_code": "75011", "locality": "Paris", "region": "Île-de-France", "country": "France",
        "latitude": 48.8637, "longitude": 2.3792,
        "links": [{"type": "pad", "url": "https://pad.example.org/p/feed-bench", "label": "Notes"}],
        "tags": "benchmark, feeds", "category": "COMMUNITY", "language": "en",
    }


def make_app(instance_path):
    from mobilizon_lite import create_app

    return create_app(instance_path=str(instance_path))


def add_organiser(app, count):
    """Create @feed_bench with count public upcoming events; returns the seconds it took."""
    from mobilizon_lite.db import database, utcnow
    from mobilizon_lite.models import Actor
    from mobilizon_lite.services import accounts, events

    started = time.monotonic()
    with app.app_context():
        account = accounts.register(EMAIL, PASSWORD, USERNAME, name="Feed Bench", by_admin=True)
        identity = Actor.get((Actor.account == account) & (Actor.preferred_username == USERNAME))
        today = utcnow().date()
        for batch_start in range(0, count, BATCH_SIZE):
            with database.atomic():
                for number in range(batch_start, min(batch_start + BATCH_SIZE, count)):
                    events.create_event(identity, event_data(number, today))
    return time.monotonic() - started


def touch_targets(app):
    """{feed path: id of the first event it lists}: touching that event changes the feed."""
    from mobilizon_lite.services import subscriptions

    with app.app_context():
        first_of_instance = subscriptions.instance_feed().first()
        _identity, query = subscriptions.identity_feed(USERNAME)
        first_of_identity = query.first()
    ids = {}
    for _label, path in feed_paths():
        row = first_of_instance if path.startswith("/feed/instance/") else first_of_identity
        if row is None:
            sys.exit(f"{path} lists no event: nothing to touch")
        ids[path] = row.id
    return ids


def touch(database_path, event_id):
    """Mark one event changed as an edit would: new updated_at, sequence + 1."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    connection = sqlite3.connect(database_path, timeout=30)
    try:
        with connection:
            changed = connection.execute(
                "UPDATE event SET updated_at = ?, sequence = sequence + 1 WHERE id = ?",
                (now, event_id)).rowcount
    finally:
        connection.close()
    if changed != 1:
        sys.exit(f"could not touch event {event_id}")


# In-process profile -------------------------------------------------------------------------

def profile_builds(app, top):
    """Per feed: time the fingerprint query, then profile one rebuild through the test client.

    One unprofiled request comes first so imports and lazy caches do not count; the cache entry
    is then dropped, so the profiled request rebuilds the feed as after an edit.
    """
    from mobilizon_lite.services import subscriptions

    client = app.test_client()
    cache = app.extensions["feed_cache"]
    with app.app_context():
        fingerprints = {}
        for prefix, make_query in (("/feed/instance/", subscriptions.instance_feed),
                                   (f"/@{USERNAME}/", lambda: subscriptions.identity_feed(USERNAME)[1])):
            timings = []
            for _ in range(10):
                started = time.perf_counter()
                subscriptions.fingerprint(make_query())
                timings.append(time.perf_counter() - started)
            fingerprints[prefix] = statistics.median(timings) * 1000
    for label, path in feed_paths():
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"in-process GET {path} answered {response.status_code}")
        with cache.feeds.lock:
            cache.feeds.entries.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        response = client.get(path)
        profiler.disable()
        elapsed = time.perf_counter() - started
        fingerprint_ms = next(ms for prefix, ms in fingerprints.items() if path.startswith(prefix))
        print_profile(profiler, f"{label} ({path}): fingerprint query {fingerprint_ms:.1f} ms (median of 10, "
                                f"no profiler); one rebuild {elapsed * 1000:.0f} ms under cProfile", top,
                      orders=("tottime",))


# HTTP measurements ----------------------------------------------------------------------------

def count_items(body):
    return body.count(b"BEGIN:VEVENT") + body.count(b"<entry>")


def timed_get(session, port, path, etag=None):
    """(seconds, response) of one GET, body included."""
    headers = {"If-None-Match": etag} if etag else {}
    started = time.perf_counter()
    response = session.get(f"http://{HOST}:{port}{path}", headers=headers, timeout=REQUEST_TIMEOUT)
    _ = response.content
    return time.perf_counter() - started, response


def expect(response, status, path):
    if response.status_code != status:
        sys.exit(f"GET {path} answered {response.status_code}, expected {status}")


def repeat(session, port, path, count, etag=None, expect_etag=None):
    """Latencies (s) of count requests: conditional on etag (answered 304), else answered 200
    with expect_etag (so from the cache: the content did not change meanwhile)."""
    latencies = []
    deadline = time.monotonic() + PHASE_SECONDS
    for _ in range(count):
        if time.monotonic() > deadline:
            print(f"   ({path}: stopped after {len(latencies)} requests, {PHASE_SECONDS} s)")
            break
        seconds, response = timed_get(session, port, path, etag)
        expect(response, 304 if etag else 200, path)
        if expect_etag and response.headers.get("ETag") != expect_etag:
            sys.exit(f"the ETag of {path} changed while nothing was edited")
        latencies.append(seconds)
    return latencies


def measure(port, database_path, targets, args, server_pid):
    """All the HTTP measurements of one running server; returns (rows, memory after cold)."""
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    session.headers["Accept-Language"] = "en"
    rows = {}
    try:
        for label, path in feed_paths():
            seconds, response = timed_get(session, port, path)
            expect(response, 200, path)
            rows[path] = {"feed": label, "cold": seconds * 1000, "kb": len(response.content) / 1024,
                          "items": count_items(response.content)}
            print(f"   {label:<13} cold {seconds * 1000:8.1f} ms  {rows[path]['kb']:8.1f} KB"
                  f"  {rows[path]['items']:5d} items", flush=True)
        after_cold = memory_mb(server_pid)
        print(f"   after the cold builds: RSS {fmt(after_cold[0])} MiB  HWM {fmt(after_cold[1])} MiB")

        for label, path in feed_paths():
            row = rows[path]
            # An earlier feed's rebuilds may have touched an event of this one: one untimed
            # request rebuilds it if so, and gives the current ETag.
            _seconds, response = timed_get(session, port, path)
            expect(response, 200, path)
            etag = response.headers.get("ETag")
            if not etag:
                sys.exit(f"GET {path} sent no ETag")
            row["warm200"] = summary(repeat(session, port, path, args.requests, expect_etag=etag))
            row["warm304"] = summary(repeat(session, port, path, args.requests, etag))
            changed = []
            deadline = time.monotonic() + PHASE_SECONDS
            for _ in range(args.changes):
                if time.monotonic() > deadline:
                    break
                touch(database_path, targets[path])
                seconds, response = timed_get(session, port, path)
                expect(response, 200, path)
                new_etag = response.headers.get("ETag")
                if new_etag == etag:
                    sys.exit(f"touching event {targets[path]} did not change the ETag of {path}")
                etag = new_etag
                changed.append(seconds)
            row["changed"] = statistics.median(changed) * 1000 if changed else float("nan")
            row["changed_n"] = len(changed)
            spread = (f"{min(changed) * 1000:.0f}–{max(changed) * 1000:.0f}" if changed else "n/a")
            print(f"   {label:<13} changed {row['changed']:8.1f} ms (median of {len(changed)}, {spread})"
                  f"  warm 200 {row['warm200'][0]:6.1f} / {row['warm200'][1]:6.1f} ms"
                  f"  warm 304 {row['warm304'][0]:6.1f} / {row['warm304'][1]:6.1f} ms"
                  "  (median / p95)", flush=True)
    finally:
        session.close()
    return [rows[path] for _label, path in feed_paths()], after_cold


def bench_size(events, args):
    """Seed, serve and measure one instance; returns its result rows."""
    folder = Path(tempfile.mkdtemp(prefix=f"mobilizon_feeds_{events}_"))
    instance_path = folder / "instance"
    try:
        print(f"\n== {events} events: seeding {instance_path} …", flush=True)
        seed_seconds, error = seed(instance_path, events)
        if error is not None:
            sys.exit(f"seed-demo failed: {error[-1]}")
        app = make_app(instance_path)
        organiser_seconds = add_organiser(app, args.identity_events)
        targets = touch_targets(app)
        database_path = app.config["DATABASE"]
        database_mb = Path(database_path).stat().st_size / 2**20
        print(f"   seeded in {seed_seconds:.1f} s, @{USERNAME}'s {args.identity_events} events in "
              f"{organiser_seconds:.1f} s; database {database_mb:.1f} MiB", flush=True)
        if args.profile:
            profile_builds(app, PROFILE_TOP)
        server = RunningInstance(instance_path, HOST, log=folder / "server.log")
        port = server.port
        with server:
            rows, after_cold = measure(port, database_path, targets, args, server.process.pid)
            rss, hwm = memory_mb(server.process.pid)
            print(f"   after the run: RSS {fmt(rss)} MiB  HWM {fmt(hwm)} MiB", flush=True)
    finally:
        if args.keep:
            print(f"   kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for row in rows:
        row.update(events=events, seed=seed_seconds, db=database_mb, rss_cold=after_cold[0],
                   rss=rss, hwm=hwm)
    return rows


def report(rows):
    print("\n(latencies in ms; 200/304 are warm requests; RSS/HWM: the server after the size's run)")
    print_table(("events", "db MiB", "feed", "KB", "items", "cold ms", "changed ms", "200 med", "200 p95", "304 med",
                 "304 p95", "RSS MiB", "HWM MiB"),
                [(str(r["events"]), fmt(r["db"]), r["feed"], fmt(r["kb"]), str(r["items"]), fmt(r["cold"]),
                  fmt(r["changed"]), fmt(r["warm200"][0]), fmt(r["warm200"][1]), fmt(r["warm304"][0]),
                  fmt(r["warm304"][1]), fmt(r["rss"]), fmt(r["hwm"])) for r in rows],
                left=(2,))


def main(argv=None):
    args = parse_args(argv)
    print(f"{args.requests} warm requests, {args.changes} rebuilds per feed, "
          f"python {sys.version.split()[0]}")
    rows = []
    for events in args.sizes:
        rows += bench_size(events, args)
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
