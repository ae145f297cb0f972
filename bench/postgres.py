"""Pages, feeds and the inbox of one instance served from SQLite by one process, then from PostgreSQL by
several, the figures side by side.

The script seeds a temporary instance with `run.py seed-demo --events N --benchmark-participants 500
--benchmark-group` (as bench/pages.py does) and stores --senders remote actors with their keys (as
bench/inbox.py does; their inboxes are a small receiving server on 127.0.0.1). Then, twice:

  SQLite       one `run.py` process serves the instance's SQLite file;
  PostgreSQL   `run.py move-to-postgres` copies the instance into a new database (its time and rows per
               second are printed), and `run.py serve --workers N` (N = --processes) serves it: the
               processes share one port, the kernel handing each new connection to one of them. With
               a run.py that has no --workers, N processes serve it on as many ports of 127.0.0.1
               instead (no proxy: each client keeps to one port, the clients spread over them, as a
               reverse proxy would spread its connections).

Each time it measures, with --clients client threads (keep-alive connections, their cookies kept) for
--seconds per page after a warm-up: bench/pages.py's pages (anonymous, If-None-Match, logged in as the
benchmark event's organiser, the heavy lists, the federation documents, the benchmark group's pages),
the instance's iCalendar and Atom feeds; then it POSTs --activities signed Follows and --activities
Creates of Events (new signatures each time, spread over the ports) from --clients threads and waits
until the instance has handled every activity it stored. An ETag taken from one process must give
a 304 from every other: the fingerprints are read from the database.

    .venv/bin/python bench/postgres.py                          # a throwaway PostgreSQL cluster
    .venv/bin/python bench/postgres.py --events 300 --seconds 3 --activities 200
    .venv/bin/python bench/postgres.py --database-url postgresql://bench@/postgres?host=/run/postgresql

Without --database-url, tests/postgres.sh starts a throwaway cluster (Debian's PostgreSQL server
packages; fsync and synchronous commits off, as SQLite's WAL mode with synchronous=normal does not wait
for the disk at each commit either) and stops it at the end. With it, the script creates (and then
drops) a database of its own on that server: the role needs CREATEDB.

The clients, the servers and PostgreSQL share the machine, so figures are for comparing the two set-ups
on one machine, not a capacity promise; on a machine with fewer cores than processes, the processes
compete for them.
"""
import argparse
import functools
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, Client, check_ranges, fmt, print_table, run_py, run_threads, summary
from federation import ALLOWED, Receiver, make_app
from inbox import HANDLE_TIMEOUT, add_senders, event_create, follow_of, generate_keys, poster, sign_activities
from pages import (
    REQUEST_TIMEOUT,
    START_TIMEOUT,
    Page,
    QuietInstance,
    group_pages,
    load,
    log_in,
    pages,
    seed,
)

from tests.databases import INSTANCE_ENV
from tests.harness import free_port

POSTGRES_SH = ROOT / "tests" / "postgres.sh"
MOVE_TIMEOUT = 3600
FEEDS = (Page("instance feed, iCalendar", "/feed/instance/ics", None),
         Page("instance feed, Atom", "/feed/instance/atom", None))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000, help="demo events to seed (default 1000)")
    parser.add_argument("--processes", type=int, default=4, help="server processes on PostgreSQL (default 4)")
    parser.add_argument("--clients", type=int, default=8,
                        help="client threads, each with its own keep-alive connection (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each page is requested (default 10)")
    parser.add_argument("--activities", type=int, default=500,
                        help="Follows, and as many Creates of Events, POSTed to the inbox per run (default 500)")
    parser.add_argument("--senders", type=int, default=100, help="remote actors signing them (default 100)")
    parser.add_argument("--database-url", metavar="URL",
                        help="a PostgreSQL server to create the benchmark's database on (default: a throwaway "
                             "cluster started with tests/postgres.sh)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    check_ranges(parser, args, events=(0, 100_000), processes=(1, 16), clients=(1, 64),
                 activities=(0, 100_000), senders=(1, 10_000))
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be above 0 and at most 600")
    return args


class Cluster:
    """The PostgreSQL server: a database of the benchmark's own on the given server, or on a throwaway
    cluster started for the run."""

    def __init__(self, server_url=None):
        self.started = server_url is None
        if self.started:
            # In the temporary folder, not in the run's own (mode 700): started by root, tests/postgres.sh gives
            # the cluster to another user, who must reach its folder.
            self.folder = Path(tempfile.mkdtemp(prefix="mobilizon_bench_cluster_"))
            result = subprocess.run(["bash", str(POSTGRES_SH), "start", str(self.folder)], capture_output=True,
                                    text=True, check=False)
            if result.returncode:
                sys.exit(f"tests/postgres.sh could not start a cluster:\n{result.stderr}")
            server_url = result.stdout.strip().splitlines()[-1]
        self.server_url = server_url
        self.name = f"mobilizon_bench_{int(time.time())}"
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.url = urlunsplit(urlsplit(server_url)._replace(path="/" + self.name))

    def _admin(self, statement):
        import psycopg2

        connection = psycopg2.connect(self.server_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def close(self):
        if self.started:
            subprocess.run(["bash", str(POSTGRES_SH), "stop", str(self.folder)], check=False)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def waiting_items(instance_path, url):
    """Received activities not handled yet, read from the instance's database (SQLite file, or PostgreSQL)."""
    query = "SELECT COUNT(*) FROM inbox_item WHERE next_attempt_at IS NOT NULL"
    if url:
        import psycopg2

        connection = psycopg2.connect(url)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetchone()[0]
        finally:
            connection.close()
    with sqlite3.connect(instance_path / "mobilizon_lite.sqlite3", timeout=30) as connection:
        return connection.execute(query).fetchone()[0]


def has_workers():
    """Whether run.py serve takes --workers (several processes on one port)."""
    return "--workers" in run_py("serve", "--help").stdout


class WorkersInstance(QuietInstance):
    """`run.py serve --workers N` on one port."""

    def __init__(self, *args, workers, **kwargs):
        self.workers = workers  # before the harness reads _args()
        super().__init__(*args, **kwargs)

    def _args(self):  # only ever started, never given admin commands
        return ["serve", "--workers", str(self.workers), *super()._args()]


class Setup:
    """One way of serving the instance: its processes (started for a with block) and their ports."""

    def __init__(self, label, instance_path, processes, url=""):
        self.label, self.instance_path, self.url = label, instance_path, url
        env = {"MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS": ALLOWED, INSTANCE_ENV: url}
        log = instance_path.with_name(f"server-{label.lower()}.log")
        if processes > 1 and has_workers():
            self.servers = [WorkersInstance(instance_path, port=free_port(), env=env, log=log, workers=processes)]
            self.label += f", serve --workers {processes}"
        else:
            self.servers = [QuietInstance(instance_path, port=free_port(), env=env, log=log.with_suffix(f".{number}"))
                            for number in range(processes)]

    @property
    def ports(self):
        return [server.port for server in self.servers]

    def __enter__(self):
        for server in self.servers:
            server.start(timeout=START_TIMEOUT)
        return self

    def __exit__(self, *_exc):
        for server in self.servers:
            server.stop()


def measure_page(page, clients, seconds):
    """(requests per second, median ms, errors) of one page, the clients spread over the processes."""
    if page.etag_of:
        # Taken from the first process, sent to all: every process must know the page has not changed.
        etag = clients[0].request("GET", page.etag_of)[1].get("ETag")
        if not etag:
            return None, None, 0
        page.headers["If-None-Match"] = etag
    rate, median, _p95, errors = load(clients, page, seconds)
    return rate, median, errors


def measure_pages(setup, seeded, args):
    """{label: (rate, median, errors)} of the pages and feeds; seeded is (the port its ids name, event path,
    organiser's email, username, benchmark group)."""
    base_port, event_path, email, username, group = seeded
    ports = setup.ports
    anonymous = [Client(ports[number % len(ports)], timeout=REQUEST_TIMEOUT) for number in range(args.clients)]
    organisers = [log_in(ports[number % len(ports)], email) for number in range(args.clients)]
    # WebFinger answers for the address in the instance's ids, whichever port it is asked on.
    listed = pages(event_path, username, f"127.0.0.1:{base_port}") + list(FEEDS)
    if group:
        members = [log_in(ports[number % len(ports)], group[1]) for number in range(args.clients)]
        listed += [(page, members) for page in group_pages(group[0])]
    results = {}
    for entry in listed:
        page, clients = entry if isinstance(entry, tuple) else (entry, organisers if entry.logged_in else anonymous)
        page = Page(page.label, page.path, page.goal, page.headers, page.logged_in, page.status, page.etag_of)
        results[page.label] = measure_page(page, clients, args.seconds)
        rate, median, errors = results[page.label]
        print(f"   {page.label:<30} {fmt(rate):>7} req/s  median {fmt(median):>6} ms  errors {errors}", flush=True)
    return results


def offset_create(offset, ap_id, number):
    """An Event's Create numbered past offset: each run's events are new ones."""
    return event_create(ap_id, offset + number)


def post_spread(setup, base_port, signing, count, threads):
    """POST count activities signed by signing(url, count) from threads spread over the processes; returns
    (202s per second, median ms, errors, seconds until every stored one was handled).

    They are signed for the address in the instance's ids (the inbox takes only those) and sent with
    its Host header whichever port they reach.
    """
    ports = setup.ports
    signed = signing(f"http://127.0.0.1:{base_port}/inbox", count)
    jobs = [functools.partial(poster, f"http://127.0.0.1:{ports[thread % len(ports)]}/inbox", signed[thread::threads])
            for thread in range(threads)]
    started = time.perf_counter()
    latencies, errors, first, elapsed = run_threads(jobs, HANDLE_TIMEOUT, REQUEST_TIMEOUT + 5)
    if first:
        print(f"   first error: {first}")
    handled = None
    while time.perf_counter() - started < HANDLE_TIMEOUT:
        if not waiting_items(setup.instance_path, setup.url):
            handled = time.perf_counter() - started
            break
        time.sleep(0.05)
    return len(latencies) / elapsed, summary(latencies)[0], errors, handled


def measure_inbox(setup, seeded, senders, object_id, args, offset):
    """{label: (rate, median, errors, handled per second)} of the inbox runs; offset numbers the events
    Created, new ones each time."""
    results = {}
    runs = (("inbox: Follow", functools.partial(follow_of, object_id)),
            ("inbox: Create{Event}", functools.partial(offset_create, offset)))
    for label, build in runs:
        rate, median, errors, handled = post_spread(
            setup, seeded[0], lambda url, count, build=build: sign_activities(senders, count, url, build),
            args.activities, args.clients)
        handled_rate = args.activities / handled if handled else None
        results[label] = (rate, median, errors, handled_rate)
        print(f"   {label:<30} {fmt(rate):>7} activities/s  median {fmt(median):>6} ms  errors {errors}  "
              f"handled {fmt(handled_rate)}/s", flush=True)
    return results


def measure(setup, seeded, senders, object_id, args, offset):
    print(f"\n== {setup.label}: ports {', '.join(map(str, setup.ports))}", flush=True)
    with setup:
        time.sleep(1.0)  # the schedulers' first jobs
        return measure_pages(setup, seeded, args), measure_inbox(setup, seeded, senders, object_id, args, offset)


def move(instance_path, url):
    """run.py move-to-postgres, its output shown; returns its summary line."""
    print("\n== move-to-postgres", flush=True)
    result = run_py("move-to-postgres", url, "--instance-path", str(instance_path), env={INSTANCE_ENV: ""},
                    timeout=MOVE_TIMEOUT)
    if result.returncode:
        sys.exit(f"move-to-postgres failed:\n{result.stderr[-3000:]}")
    lines = [line.split("\r")[-1].rstrip() for line in result.stdout.splitlines()]
    for line in lines:
        if line.startswith(("Moving", "Schema", "Checked", "Moved", "Largest")):
            print("   " + line, flush=True)
    return next(line for line in lines if line.startswith("Moved"))


def prepare(folder, args):
    """Seed the instance; (its path, the port its ids name, what seed-demo printed)."""
    instance_path = folder / "instance"
    port = free_port()
    print(f"   seeding {instance_path} with {args.events} events …", flush=True)
    seconds, *seeded = seed(instance_path, args.events, port)
    print(f"   seeded in {seconds:.1f} s", flush=True)
    return instance_path, port, (port, *seeded)


def report(sqlite_results, postgres_results, processes, moved):
    print(f"\n{moved}")
    header = ("measure", "SQLite, 1 process", f"PostgreSQL, {processes} processes", "PostgreSQL / SQLite")
    (pages_a, inbox_a), (pages_b, inbox_b) = sqlite_results, postgres_results
    lines = []
    for label, (rate_a, median_a, errors_a) in pages_a.items():
        rate_b, median_b, errors_b = pages_b[label]
        lines.append((f"{label} (req/s, median ms)", _pair(rate_a, median_a, errors_a),
                      _pair(rate_b, median_b, errors_b), _ratio(rate_b, rate_a)))
    for label, (rate_a, _median_a, errors_a, handled_a) in inbox_a.items():
        rate_b, _median_b, errors_b, handled_b = inbox_b[label]
        lines.append((f"{label} (answered/s, handled/s)", _pair(rate_a, handled_a, errors_a),
                      _pair(rate_b, handled_b, errors_b), _ratio(rate_b, rate_a)))
    print()
    print_table(header, lines, left=(0,))


def _pair(first, second, errors):
    return f"{fmt(first)} / {fmt(second)}" + (f" ({errors} errors)" if errors else "")


def _ratio(new, old):
    return "n/a" if not new or not old else f"{new / old:.2f}x"


def main(argv=None):
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="mobilizon_bench_postgres_"))
    receiver, cluster = Receiver(), None
    try:
        print(f"{args.clients} clients, {args.seconds:g} s per page, {args.activities} activities per inbox run, "
              f"python {sys.version.split()[0]}")
        instance_path, port, seeded = prepare(folder, args)
        app = make_app(instance_path, port)
        senders = add_senders(app, generate_keys(args.senders), receiver)
        from mobilizon_lite.models import Actor

        with app.app_context():
            object_id = Actor.get(Actor.domain.is_null() & (Actor.preferred_username == seeded[3])).ap_id
        on_sqlite = measure(Setup("SQLite", instance_path, 1), seeded, senders, object_id, args, 0)
        cluster = Cluster(args.database_url)
        moved = move(instance_path, cluster.url)
        on_postgres = measure(Setup("PostgreSQL", instance_path, args.processes, cluster.url), seeded, senders,
                              object_id, args, args.activities)
        report(on_sqlite, on_postgres, args.processes, moved)
        failed = any(result[2] for part in (*on_sqlite, *on_postgres) for result in part.values())
        return 1 if failed else 0
    finally:
        receiver.close()
        if cluster:
            cluster.close()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
