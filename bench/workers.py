"""Requests per second of `run.py serve --workers 1` against `--workers 2` (and more with --workers), on
simple pages of a fresh instance: the home page as visitors get it (kept whole by the page cache) and
the log-in form (built for each request: it holds a CSRF token).

For each number of workers the script serves a fresh temporary instance with `run.py --workers N`, then
runs --clients client processes (not threads: the clients must not share one interpreter lock), each
over its own keep-alive connection for --seconds after a warm-up, and prints requests per second,
median and p95 latency.

    .venv/bin/python bench/workers.py                          # 1 and 2 workers, 4 clients, 10 s a page
    .venv/bin/python bench/workers.py --workers 1,2,4 --clients 8 --seconds 5

Clients and servers share the machine: on 2 cores, 2 workers and 4 clients compete for the same CPU,
so the figures compare the two modes on one machine; they are not a capacity promise.
"""
import argparse
import multiprocessing
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HOST, Client, fmt, print_table, summary

from tests.harness import RUN_PY, free_port, run_py, wait_until

PAGES = (("home (kept page)", "/"), ("log-in form (built)", "/login"))
WARMUP_REQUESTS = 50
START_TIMEOUT = 60


def parse_workers(parser, text):
    try:
        counts = [int(count) for count in text.split(",") if count.strip()]
    except ValueError:
        counts = []
    if not counts or any(not 1 <= count <= 16 for count in counts):
        parser.error("--workers takes numbers between 1 and 16 separated by commas, such as 1,2")
    return counts


def client_run(port, path, seconds):
    """One client process: requests over one keep-alive connection until seconds pass; its latencies."""
    client = Client(port)
    for _ in range(WARMUP_REQUESTS):
        client.request("GET", path)
    latencies, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        status, _headers, _body = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        latencies.append(time.perf_counter() - started)
    return latencies


def listening(port):
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def measure(workers, args, folder):
    """[(page, requests per second, median ms, p95 ms)] of a server with this many workers."""
    instance, port = folder / f"instance-{workers}", free_port()
    result = run_py("init", "--instance-path", str(instance), "--port", str(port))
    if result.returncode:
        sys.exit(f"run.py init failed:\n{result.stderr}")
    server = subprocess.Popen([sys.executable, str(RUN_PY), "--instance-path", str(instance), "--port", str(port),
                               "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_until(lambda: listening(port), timeout=START_TIMEOUT)
        with multiprocessing.Pool(args.clients) as pool:
            for name, path in PAGES:
                print(f"{workers} worker(s): {name} …", flush=True)
                runs = pool.starmap(client_run, [(port, path, args.seconds)] * args.clients)
                latencies = [value for run in runs for value in run]
                median, p95 = summary(latencies)
                # Each client counts its own measured seconds, after its warm-up.
                rows.append((name, len(latencies) / args.seconds, median, p95))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="numbers of worker processes to compare (default 1,2)")
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per page (default 10)")
    args = parser.parse_args()
    counts = parse_workers(parser, args.workers)
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be between 1 and 64, --seconds between 1 and 600")
    started = time.monotonic()
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as folder:
        for workers in counts:
            for name, rate, median, p95 in measure(workers, args, Path(folder)):
                lines.append([str(workers), name, fmt(rate, ".0f"), fmt(median), fmt(p95)])
    print()
    print_table(["workers", "page", "req/s", "median ms", "p95 ms"], lines, left=(1,))
    print(f"\n{args.clients} client processes, {args.seconds:g} s a page, {multiprocessing.cpu_count()} CPUs; "
          f"{time.monotonic() - started:.0f} s in all.")


if __name__ == "__main__":
    main()
