"""What the benchmark scripts share: client threads, tables, profiles, and the test harness's running
instances and loopback servers.

Imported by bench/pages.py, bench/feeds.py, bench/arrays.py and bench/inbox.py (with
bench/federation.py and bench/delivery.py); it puts the project folder on sys.path so the scripts
can import mobilizon_lite, and tests/harness.py (which needs nothing the tests install).
"""
import http.client
import io
import pstats
import re
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.cookies import SimpleCookie
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


class Client:
    """One keep-alive connection that keeps the cookies it is given, as a browser does."""

    def __init__(self, port, host=HOST, timeout=30):
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes) of one request; the body is read so the connection is reused."""
        sent = {"Accept-Language": "en", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)  # a cleared cookie
        return response.status, response.headers, data

    def close(self):
        self.connection.close()


class _FormReader(HTMLParser):
    """The fields of each form of a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._select, self._textarea, self._first_option = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": []})
        elif not self.forms or "name" not in attrs and tag != "option":
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs or kind in ("file", "submit", "button"):
                return
            self.forms[-1]["fields"].append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select, self._first_option = attrs["name"], None
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self.forms[-1]["fields"].append((self._select, value))
                self._first_option = False

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop a newline right after <textarea>; the HTML parser keeps it.
            self.forms[-1]["fields"].append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._first_option not in (None, False):  # nothing selected: browsers send the first option
                self.forms[-1]["fields"].append((self._select, self._first_option))
            self._select = None


def timed(action, repeat):
    """(median ms, p95 ms, last result) of action run repeat times."""
    latencies, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        latencies.append(time.perf_counter() - started)
    return (*summary(latencies), result)


def page_forms(html):
    """Each form of an HTML page: {"attrs": its attributes, "fields": [(name, value), …]}."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def multipart(fields, files):
    """(body, content type) of a multipart/form-data POST; files maps a field to (filename, bytes, type)."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields]
    for name, (filename, data, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


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
