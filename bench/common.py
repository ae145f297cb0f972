"""What the benchmark scripts share: client threads, tables, profiles, and the test harness's running
instances and loopback servers.

Imported by bench/pages.py, bench/feeds.py, bench/arrays.py and bench/inbox.py (with
bench/federation.py and bench/delivery.py); it puts the project folder on sys.path so the scripts
can import mobilizon_lite, and tests/harness.py (which needs nothing the tests install).
"""
import io
import pstats
import re
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.harness import RunningInstance, loopback_server, run_py  # noqa: E402, F401 - for the scripts

HOST = "127.0.0.1"  # loopback only: these are load generators


def parse_sizes(parser, text):
    """The --sizes option: whole numbers between 0 and 100000, separated by commas."""
    try:
        sizes = [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, such as 1000,10000")
    if not sizes or any(not 0 <= size <= 100_000 for size in sizes):
        parser.error("--sizes must list numbers between 0 and 100000")
    return sizes


def check_ranges(parser, args, **ranges):
    """Stop with the parser's error when an option lies outside its (low, high) range."""
    for name, (low, high) in ranges.items():
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be between {low} and {high}")


def summary(latencies):
    """(median ms, p95 ms) of latencies in seconds."""
    ordered = sorted(latencies)
    if not ordered:
        return float("nan"), float("nan")
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered) * 1000, p95 * 1000


def get(connection, path):
    """Status of one GET, the body read so the connection can be reused."""
    connection.request("GET", path, headers={"Accept-Language": "en"})
    response = connection.getresponse()
    response.read()
    return response.status


def memory_mb(pid):
    """(VmRSS, VmHWM) of a process in MiB, or (None, None) where /proc is missing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None, None
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return tuple(int(values[key]) / 1024 if key in values else None for key in ("VmRSS", "VmHWM"))


def run_threads(jobs, seconds, join_slack):
    """Run each job(deadline, latencies, errors) in a thread of its own, for at most seconds.

    A job appends latencies (s) and counts failures in errors[0] (the first message in errors[1]);
    returns (latencies, failures, first message, elapsed seconds)."""
    results = [([], [0, None]) for _ in jobs]
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=job, args=(deadline, latencies, errors))
               for job, (latencies, errors) in zip(jobs, results, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + join_slack)
    elapsed = time.perf_counter() - started
    latencies = [value for values, _errors in results for value in values]
    first = next((errors[1] for _values, errors in results if errors[1]), None)
    return latencies, sum(errors[0] for _values, errors in results), first, elapsed


def fmt(value, spec=".1f"):
    return "n/a" if value is None else format(value, spec)


def print_table(header, lines, left=(0,)):
    """A plain-text table: the columns numbered in left are aligned left, the others right."""
    lines = [header] + lines
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) if i in left else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(line, widths, strict=True))))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def library_of(filename):
    """Which library (or part of the stdlib / of mobilizon_lite) a profiled function lives in."""
    if filename.startswith(("~", "<")):
        return "(C built-ins)"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "mobilizon_lite" in parts:
        return "/".join(parts[parts.index("mobilizon_lite"):-1]) + "/" + path.stem
    in_package = not path.parent.name.startswith("python")  # e.g. html/parser, not lib/python3.x
    return f"stdlib {path.parent.name}/{path.stem}" if in_package else f"stdlib {path.stem}"


def print_profile(profiler, title, top, orders=("cumulative", "tottime")):
    """Own time by library, then the top functions by each of orders."""
    parts = Counter()
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profiler).stats.items():
        parts[library_of(filename)] += tottime
    total = sum(parts.values()) or 1.0
    print(f"\n   -- {title} --")
    print("   own time by library: " + ", ".join(f"{name} {seconds / total:.0%}"
                                                 for name, seconds in parts.most_common(8)))
    for order in orders:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        lines = [line for line in out.getvalue().splitlines()
                 if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))]
        print(f"   by {order}:")
        print("\n".join("   " + line for line in lines[1:]), flush=True)
