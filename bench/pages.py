"""Throughput, latency and memory of the two busiest pages, on instances of growing size.

For each size in --sizes, the script seeds a fresh temporary instance with `run.py seed-demo
--events N --benchmark-event` (the benchmark event has 50 participants and 50 comments), serves it
with `run.py` (waitress, as in production) on a loopback port, warms it up, then for the home
page `/` and the benchmark event's page `/events/<uuid>` keeps a few client threads requesting
it over keep-alive connections for --seconds. It prints requests per second, median and 95th
percentile latency, and the server's resident memory (VmRSS now, VmHWM its peak) from
/proc/<pid>/status after each page's run, then a table of everything.

    .venv/bin/python bench/pages.py                        # sizes 1000 and 10000, 10 s per page
    .venv/bin/python bench/pages.py --sizes 1000 --seconds 3

The clients share the machine (and this process's GIL) with the server, so figures are for
comparing versions of the code on one machine, not a capacity promise. Linux only for memory.
"""
import argparse
import functools
import http.client
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import (
    HOST,
    RunningInstance,
    check_ranges,
    fmt,
    get,
    memory_mb,
    parse_sizes,
    print_table,
    run_py,
    run_threads,
    summary,
)

BENCHMARK_PATH_RE = re.compile(r"/events/[0-9a-f-]{36}")
WARMUP_REQUESTS = 20
# Stops a client thread even if every request came back instantly.
MAX_REQUESTS_PER_CLIENT = 200_000
REQUEST_TIMEOUT = 30
SEED_TIMEOUT = 3600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of demo events (default 1000,10000)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="how long each page is requested, per size (default 10)")
    parser.add_argument("--clients", type=int, default=4,
                        help="client threads, each with its own keep-alive connection (default 4)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folders (their paths are printed)")
    args = parser.parse_args(argv)
    args.sizes = parse_sizes(parser, args.sizes)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be above 0 and at most 600")
    check_ranges(parser, args, clients=(1, 64))
    return args


def seed(instance_path, events):
    """Seed the instance; returns (seconds taken, path of the benchmark event)."""
    started = time.monotonic()
    result = run_py("seed-demo", "--events", str(events), "--benchmark-event", "--instance-path", str(instance_path),
                    timeout=SEED_TIMEOUT)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"seed-demo failed ({result.returncode}):\n{result.stderr}")
    match = BENCHMARK_PATH_RE.search(result.stdout)
    if not match:
        sys.exit(f"seed-demo printed no benchmark event:\n{result.stdout}")
    return elapsed, match.group()


def warm_up(port, path):
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(WARMUP_REQUESTS):
            status = get(connection, path)
            if status != 200:
                sys.exit(f"GET {path} answered {status} during warm-up")
    finally:
        connection.close()


def client(port, path, deadline, latencies, errors):
    """Request path until deadline; appends latencies (s) and counts failures in errors[0]."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                status = get(connection, path)
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()  # the next request reconnects
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[0] += 1
    finally:
        connection.close()


def load(port, path, seconds, clients):
    """Hammer one page; returns (requests per second, median ms, p95 ms, errors)."""
    jobs = [functools.partial(client, port, path) for _ in range(clients)]
    latencies, errors, _first, elapsed = run_threads(jobs, seconds, REQUEST_TIMEOUT + 5)
    median, p95 = summary(latencies)
    return len(latencies) / elapsed, median, p95, errors


def bench_size(events, args):
    """Seed, serve and measure one instance; returns a list of result rows."""
    folder = Path(tempfile.mkdtemp(prefix=f"mobilizon_bench_{events}_"))
    instance_path = folder / "instance"
    rows = []
    try:
        print(f"\n== {events} events: seeding {instance_path} …", flush=True)
        seed_seconds, event_path = seed(instance_path, events)
        database_mb = (instance_path / "mobilizon_lite.sqlite3").stat().st_size / 2**20
        print(f"   seeded in {seed_seconds:.1f} s, database {database_mb:.1f} MiB", flush=True)
        server = RunningInstance(instance_path, HOST, log=folder / "server.log")
        port = server.port
        with server:
            for label, path in (("home /", "/"), ("event page", event_path)):
                warm_up(port, path)
                rate, median, p95, errors = load(port, path, args.seconds, args.clients)
                rss, hwm = memory_mb(server.process.pid)
                row = dict(events=events, seed=seed_seconds, page=label, rate=rate, median=median,
                           p95=p95, errors=errors, rss=rss, hwm=hwm, db=database_mb)
                rows.append(row)
                print(f"   {label:<11} {rate:7.1f} req/s  median {median:6.1f} ms  p95 {p95:6.1f} ms"
                      f"  errors {errors}  RSS {fmt(rss)} MiB  HWM {fmt(hwm)} MiB", flush=True)
    finally:
        if args.keep:
            print(f"   kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return rows


def report(rows):
    print()
    print_table(("events", "seed s", "db MiB", "page", "req/s", "median ms", "p95 ms", "errors", "RSS MiB",
                 "HWM MiB"),
                [(str(r["events"]), fmt(r["seed"]), fmt(r["db"]), r["page"], fmt(r["rate"]), fmt(r["median"]),
                  fmt(r["p95"]), str(r["errors"]), fmt(r["rss"]), fmt(r["hwm"])) for r in rows],
                left=(3,))


def main(argv=None):
    args = parse_args(argv)
    print(f"{args.clients} clients, {args.seconds:g} s per page, python {sys.version.split()[0]}")
    rows = []
    for events in args.sizes:
        rows += bench_size(events, args)
    report(rows)
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
