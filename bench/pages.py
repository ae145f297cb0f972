"""Throughput and latency of the pages people and servers ask for, as shares of what a trivial Flask +
waitress page serves on the same machine in the same run, and the server's memory.

For each size in --sizes, the script
- serves the floor, a trivial Flask app (one template, ~50 lines of output) with waitress and the
  same thread count as the server, in a process of its own, and measures its page, before the
  server's pages and again after them (the pages are judged against the mean of the two);
- seeds a fresh temporary instance with `run.py seed-demo --events N --benchmark-participants 500`
  (the benchmark event: 500 participants and 50 comments; its organiser's login is printed);
- serves it with `run.py` (waitress, as in production) and reads its resident memory (VmRSS) right
  after start, before any request;
- measures each page with the same client code as the floor: --clients threads, each with its own
  keep-alive connection and cookies, for --seconds after a warm-up. Anonymous clients start without
  cookies; logged-in clients each log in once, through the log-in form, as the benchmark organiser.
  The pages: home and event page (anonymous, then asked again with If-None-Match of their ETag,
  then logged in), My events, the benchmark event's participants, WebFinger, an actor document,
  the event's ActivityStreams document and NodeInfo;
- uploads a JPEG of a few MB (made here with Pillow) through the event's edit form, builds the
  instance calendar feed and the organiser's private one, and reads the memory again (VmRSS, and
  VmHWM its peak); bench/memory.py follows the same steps in a minute and shows where the memory lies.
Each figure is printed against the issue's goal (pass / FAIL), then one table of everything.

    .venv/bin/python bench/pages.py                        # sizes 1000 and 10000, 10 s per page
    .venv/bin/python bench/pages.py --sizes 1000 --seconds 3 --threads 4

The clients share the machine (and this process's GIL) with the server, as they do with the floor,
so figures are for comparing versions of the code on one machine, not a capacity promise. Linux
only for memory.
"""
import argparse
import functools
import http.client
import io
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from common import (
    HOST,
    Client,
    RunningInstance,
    check_ranges,
    fmt,
    memory_mb,
    multipart,
    page_forms,
    parse_sizes,
    print_table,
    run_threads,
    summary,
)

from mobilizon_lite.cli.demo import DEMO_PASSWORD
from mobilizon_lite.config import DEFAULTS
from tests.harness import CSRF_RE, RUN_PY, free_port, wait_until

PARTICIPANTS = 500
WARMUP_REQUESTS = 20
# Stops a client thread even if every request came back instantly.
MAX_REQUESTS_PER_CLIENT = 200_000
REQUEST_TIMEOUT = 30
SEED_TIMEOUT = 3600
START_TIMEOUT = 60
SETTLE_SECONDS = 1.0  # after the port opens, for the scheduler and waitress's threads to start
PICTURE_SIZE = (2600, 1800)  # about 3 MB as a JPEG of quality 95: under PICTURE_MAX_BYTES (4 MB)
GOAL_ANONYMOUS, GOAL_NOT_MODIFIED, GOAL_LOGGED_IN, GOAL_HEAVY, GOAL_FEDERATION = 0.50, 0.80, 0.25, 0.15, 0.80
GOAL_RSS_START_MB, GOAL_RSS_END_MB = 60, 80
ACTIVITY_JSON = {"Accept": "application/activity+json"}

FLOOR_TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<ul>
{% for item in items %}<li><a href="/items/{{ item.id }}">{{ item.name }}</a> – {{ item.when }}</li>
{% endfor %}</ul>
</body>
</html>
"""
FLOOR_ITEMS = 42  # with the lines around them, 50 lines of output


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated numbers of demo events (default 1000,10000)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="how long each page is requested, per size (default 10)")
    parser.add_argument("--clients", type=int, default=4,
                        help="client threads, each with its own keep-alive connection (default 4)")
    parser.add_argument("--threads", type=int, default=DEFAULTS["WAITRESS_THREADS"],
                        help="waitress threads of the server and of the floor (default: the server's "
                             f"default, {DEFAULTS['WAITRESS_THREADS']})")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folders (their paths are printed)")
    # Internal: the floor's own process.
    parser.add_argument("--serve-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sizes = parse_sizes(parser, args.sizes)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be above 0 and at most 600")
    check_ranges(parser, args, clients=(1, 64), threads=(1, 64))
    return args


def serve_floor(port, threads):
    """The floor: the least a Flask page served by waitress costs."""
    import waitress
    from flask import Flask, render_template
    from jinja2 import DictLoader

    app = Flask("floor")
    app.jinja_loader = DictLoader({"page.html": FLOOR_TEMPLATE})
    items = [{"id": number, "name": f"Item number {number}", "when": f"2026-01-{number % 28 + 1:02d}"}
             for number in range(FLOOR_ITEMS)]

    @app.route("/")
    def page():
        return render_template("page.html", title="Floor", items=items)

    waitress.serve(app, host=HOST, port=port, threads=threads, ident="floor", _quiet=True)


def listening(host, port):
    """Whether something accepts connections on the port; no HTTP request is made."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


class QuietInstance(RunningInstance):
    """An instance taken as started once its port opens, so that its memory is read before any request."""

    def answers(self):
        return listening(self.host, self.port)


class Page:
    """One measured page: what is asked, by whom, and the share of the floor it should reach."""

    def __init__(self, label, path, goal, headers=None, logged_in=False, status=200, etag_of=None):
        self.label, self.path, self.goal, self.headers = label, path, goal, dict(headers or {})
        self.logged_in, self.status, self.etag_of = logged_in, status, etag_of


def pages(event_path, username, host):
    return [
        Page("home, anonymous", "/", GOAL_ANONYMOUS),
        Page("event, anonymous", event_path, GOAL_ANONYMOUS),
        Page("home, If-None-Match", "/", GOAL_NOT_MODIFIED, status=304, etag_of="/"),
        Page("event, If-None-Match", event_path, GOAL_NOT_MODIFIED, status=304, etag_of=event_path),
        Page("home, logged in", "/", GOAL_LOGGED_IN, logged_in=True),
        Page("event, logged in", event_path, GOAL_LOGGED_IN, logged_in=True),
        Page("My events", "/my-events", GOAL_HEAVY, logged_in=True),
        Page(f"participants ({PARTICIPANTS})", event_path + "/participants", GOAL_HEAVY, logged_in=True),
        Page("WebFinger", "/.well-known/webfinger?resource=" + quote(f"acct:{username}@{host}"),
             GOAL_FEDERATION),
        Page("actor document", f"/@{username}", GOAL_FEDERATION, ACTIVITY_JSON),
        Page("event document", event_path, GOAL_FEDERATION, ACTIVITY_JSON),
        Page("NodeInfo", "/nodeinfo/2.1", GOAL_FEDERATION),
    ]


# The big group: its page for visitors and its members page for a member (see measure_group_pages).
GROUP_SEED_ARGS = ("--benchmark-group",)


def benchmark_group(output):
    """(group path, a member's email) that seed-demo --benchmark-group printed, or None."""
    group = re.search(r"^Benchmark group: (/@\S+)$", output, re.M)
    member = re.search(r"^Benchmark group member: (\S+) @\S+$", output, re.M)
    return (group.group(1), member.group(1)) if group and member else None


def group_pages(group_path):
    return [Page("group page, anonymous", group_path, GOAL_ANONYMOUS),
            Page("group members, member", group_path + "/members", GOAL_HEAVY, logged_in=True)]


def skipped_row(events, label, why):
    print(f"   {label:<26} skipped: {why}", flush=True)
    return dict(events=events, label=label, rate=None, median=None, p95=None, errors=0, goal=None, rss=None,
                result="skipped", goal_text="", verdict="")


def measure_group_pages(server, events, group, args):
    """Rows of the benchmark group's pages (1,000 members, 200 events); a page this version does not
    serve (404) is skipped with a message rather than counted as errors."""
    if group is None:
        return [skipped_row(events, "group pages", "seed-demo printed no benchmark group")]
    group_path, email = group
    members = [log_in(server.port, email) for _ in range(args.clients)]
    rows = []
    for page in group_pages(group_path):
        clients = members if page.logged_in else [Client(server.port, timeout=REQUEST_TIMEOUT)
                                                   for _ in range(args.clients)]
        status = clients[0].request("GET", page.path)[0]
        if status == 404:
            rows.append(skipped_row(events, page.label, f"{page.path} answers 404 in this version"))
            continue
        rows.append(page_row(events, page.label, load(clients, page, args.seconds), page.goal,
                             memory_mb(server.process.pid)[0]))
    return rows


def seed(instance_path, events, port):
    """Seed the instance (its progress shown as it goes); returns (seconds, event path, email, username,
    benchmark group)."""
    started = time.monotonic()
    # The address the server will listen on, so that ids and WebFinger names are the ones it serves.
    process = subprocess.Popen([sys.executable, str(RUN_PY), "seed-demo", "--events", str(events),
                                "--benchmark-participants", str(PARTICIPANTS), *GROUP_SEED_ARGS,
                                "--instance-path", str(instance_path),
                                "--host", HOST, "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Its progress as it goes, without the rest of its log.
    log = []
    for line in process.stderr:
        log.append(line)
        if "mobilizon_lite.cli.demo:" in line:
            print("   " + line.split("mobilizon_lite.cli.demo: ", 1)[1].rstrip(), flush=True)
    output = process.stdout.read()
    elapsed = time.monotonic() - started
    if process.wait(timeout=SEED_TIMEOUT) != 0:
        sys.exit(f"seed-demo failed ({process.returncode}):\n{''.join(log[-30:])}")
    event = re.search(r"^Benchmark event: (/events/[0-9a-f-]{36})$", output, re.M)
    organiser = re.search(r"^Benchmark organiser: (\S+) @(\S+)$", output, re.M)
    if not event or not organiser:
        sys.exit(f"seed-demo printed no benchmark event or organiser:\n{output}")
    return elapsed, event.group(1), *organiser.groups(), benchmark_group(output)


def log_in(port, email):
    """A client logged in through the log-in form."""
    client = Client(port, timeout=REQUEST_TIMEOUT)
    token = CSRF_RE.search(client.request("GET", "/login")[2].decode())
    status, headers, _body = client.request(
        "POST", "/login", urlencode({"csrf_token": token.group(1) if token else "", "email": email,
                                     "password": DEMO_PASSWORD}),
        {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302 or "/login" in headers.get("Location", ""):
        sys.exit(f"logging in as {email} failed ({status})")
    return client


def warm_up(client, page):
    for _ in range(WARMUP_REQUESTS):
        status = client.request("GET", page.path, headers=page.headers)[0]
        if status != page.status:
            sys.exit(f"GET {page.path} answered {status} during warm-up, not {page.status}")


def client_job(client, page, deadline, latencies, errors):
    """Request the page until deadline; appends latencies (s) and counts failures in errors[0]."""
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        started = time.perf_counter()
        if started >= deadline:
            break
        try:
            status = client.request("GET", page.path, headers=page.headers)[0]
        except (OSError, http.client.HTTPException) as error:
            errors[0] += 1
            errors[1] = errors[1] or repr(error)
            client.close()  # the next request reconnects
            continue
        latencies.append(time.perf_counter() - started)
        if status != page.status:
            errors[0] += 1
            errors[1] = errors[1] or f"{page.path} answered {status}"


def load(clients, page, seconds):
    """Hammer one page with the clients; returns (requests per second, median ms, p95 ms, errors)."""
    warm_up(clients[0], page)
    jobs = [functools.partial(client_job, client, page) for client in clients]
    latencies, errors, first, elapsed = run_threads(jobs, seconds, REQUEST_TIMEOUT + 5)
    if first:
        print(f"   first error: {first}")
    median, p95 = summary(latencies)
    return len(latencies) / elapsed, median, p95, errors


class Floor:
    """The floor page served in a process of its own for the block, measured as the pages are."""

    def __init__(self, args):
        self.args, self.port = args, free_port()
        self.process = subprocess.Popen([sys.executable, __file__, "--serve-floor", str(self.port),
                                         "--threads", str(args.threads)])

    def measure(self):
        """(requests per second, median ms, p95 ms, errors) of the floor page."""
        wait_until(lambda: listening(HOST, self.port), timeout=START_TIMEOUT)
        clients = [Client(self.port, timeout=REQUEST_TIMEOUT) for _ in range(self.args.clients)]
        return load(clients, Page("floor", "/", None), self.args.seconds)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def jpeg(size=PICTURE_SIZE):
    """A photo-like JPEG: smooth light with grain, which compresses about as a photo does."""
    from PIL import Image

    light = Image.linear_gradient("L").resize(size)
    grain = Image.effect_noise(size, 40)
    image = Image.merge("RGB", (light, grain, Image.blend(light, grain, 0.5)))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=95)
    return output.getvalue()


def upload_picture(client, event_path, picture):
    """Send the event's edit form back unchanged but for a picture, as the organiser; returns seconds."""
    edit = event_path + "/edit"
    html = client.request("GET", edit)[2].decode()
    form = next(form for form in page_forms(html) if form["attrs"].get("enctype") == "multipart/form-data")
    body, content_type = multipart(form["fields"], {"picture": ("photo.jpg", picture, "image/jpeg")})
    started = time.perf_counter()
    status, headers, _body = client.request("POST", edit, body, {"Content-Type": content_type})
    elapsed = time.perf_counter() - started
    shown = client.request("GET", event_path)[2].decode()
    if status != 302 or "/uploads/" not in shown:
        sys.exit(f"the picture upload failed ({status} {headers.get('Location')})")
    return elapsed


def build_feeds(client):
    """The instance calendar and the logged-in account's private calendar; returns seconds."""
    token = CSRF_RE.search(client.request("GET", "/settings/feeds")[2].decode()).group(1)
    client.request("POST", "/settings/feeds/all/issue", urlencode({"csrf_token": token}),
                   {"Content-Type": "application/x-www-form-urlencoded"})
    links = client.request("GET", "/settings/feeds")[2].decode()
    private = re.search(r"https?://[^\"'<\s]+/events/going/[^\"'<\s]+/ics", links)
    if not private:
        sys.exit("no private feed link on /settings/feeds")
    started = time.perf_counter()
    for path in ("/feed/instance/ics", urlsplit(private.group()).path):
        status, _headers, body = client.request("GET", path)
        if status != 200 or b"BEGIN:VCALENDAR" not in body:
            sys.exit(f"GET {path} answered {status}")
    return time.perf_counter() - started


def verdict(value, goal, at_most=False):
    if value is None or goal is None:
        return ""
    return "pass" if (value <= goal if at_most else value >= goal) else "FAIL"


def page_row(events, label, measured, goal, rss=None):
    """A page's figures; its share of the floor is added by judge() once the floor is known."""
    rate, median, p95, errors = measured
    print(f"   {label:<26} {fmt(rate):>7} req/s  median {fmt(median):>6} ms  p95 {fmt(p95):>6} ms"
          f"  errors {errors}  RSS {fmt(rss)} MB", flush=True)
    return dict(events=events, label=label, rate=rate, median=median, p95=p95, errors=errors, goal=goal, rss=rss,
                result="" if goal is None else "no ETag" if rate is None else None,
                goal_text="" if goal is None else f">= {goal:.0%}", verdict="")


def judge(rows, floor_rate):
    """Each page's share of the floor, against its goal."""
    for row in rows:
        if row["result"] is None:
            row["share"] = row["rate"] / floor_rate
            row["result"], row["verdict"] = f"{row['share']:.0%}", verdict(row["share"], row["goal"])


def memory_row(events, label, megabytes, goal):
    row = dict(events=events, label=label, rate=None, median=None, p95=None, errors=0, goal=goal, rss=None,
               result=f"{fmt(megabytes)} MB", goal_text="" if goal is None else f"<= {goal} MB",
               verdict=verdict(megabytes, goal, at_most=True))
    print(f"   {label:<26} {row['result']:>9}  {row['goal_text']:<8} {row['verdict']}", flush=True)
    return row


def measure_server(server, events, seeded, args):
    """Rows of the running server's pages and memory; seeded is (event path, organiser email, username,
    benchmark group)."""
    pid, port = server.process.pid, server.port
    event_path, email, username, group = seeded
    rows = [memory_row(events, "RSS after start", memory_mb(pid)[0], GOAL_RSS_START_MB)]
    organisers = [log_in(port, email) for _ in range(args.clients)]
    for page in pages(event_path, username, f"{HOST}:{port}"):
        clients = organisers if page.logged_in else [Client(port, timeout=REQUEST_TIMEOUT)
                                                     for _ in range(args.clients)]
        if page.etag_of:
            etag = clients[0].request("GET", page.etag_of)[1].get("ETag")
            if not etag:
                rows.append(page_row(events, page.label, (None, None, None, 0), page.goal))
                continue
            page.headers["If-None-Match"] = etag
        measured = load(clients, page, args.seconds)
        rows.append(page_row(events, page.label, measured, page.goal, memory_mb(pid)[0]))
    rows += measure_group_pages(server, events, group, args)
    rows.append(memory_row(events, "RSS after the pages", memory_mb(pid)[0], None))
    picture = jpeg()
    upload_seconds = upload_picture(organisers[0], event_path, picture)
    after_upload = memory_mb(pid)[0]
    feed_seconds = build_feeds(organisers[0])
    print(f"   picture of {len(picture) / 1e6:.1f} MB uploaded in {upload_seconds:.2f} s (RSS then "
          f"{fmt(after_upload)} MB), two calendar feeds built in {feed_seconds:.2f} s", flush=True)
    rss, hwm = memory_mb(pid)
    rows += [memory_row(events, "RSS after the picture", after_upload, None),
             memory_row(events, "RSS at the end", rss, GOAL_RSS_END_MB), memory_row(events, "peak (VmHWM)", hwm, None)]
    return rows


def bench_size(events, args):
    """Measure the floor, seed, serve and measure one instance, then the floor again; returns result rows."""
    folder = Path(tempfile.mkdtemp(prefix=f"mobilizon_bench_{events}_"))
    try:
        print(f"\n== {events} events", flush=True)
        with Floor(args) as floor:
            before = page_row(events, "floor (Flask + waitress)", floor.measure(), None)
            rows = serve_and_measure(folder / "instance", events, args)
            # Measured again once the pages are done, the floor shows how much the machine's load drifted.
            after = page_row(events, "floor, measured again", floor.measure(), None)
    finally:
        if args.keep:
            print(f"   kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    judge(rows, (before["rate"] + after["rate"]) / 2)
    before["result"], after["result"] = "floor", f"{after['rate'] / before['rate']:.0%} of 1st"
    return [before, after, *rows]


def serve_and_measure(instance_path, events, args):
    """Seed an instance, serve it and measure its pages and memory; returns the rows."""
    port = free_port()
    print(f"   seeding {instance_path} …", flush=True)
    seed_seconds, *seeded = seed(instance_path, events, port)
    database_mb = (instance_path / "mobilizon_lite.sqlite3").stat().st_size / 2**20
    print(f"   seeded in {seed_seconds:.1f} s, database {database_mb:.1f} MiB; benchmark event {seeded[0]}, "
          "organiser {} (@{})".format(*seeded[1:]), flush=True)
    server = QuietInstance(instance_path, HOST, port=port, log=instance_path.with_name("server.log"),
                           env={"MOBILIZON_LITE_WAITRESS_THREADS": str(args.threads)})
    server.start(timeout=START_TIMEOUT)
    try:
        time.sleep(SETTLE_SECONDS)
        return measure_server(server, events, seeded, args)
    finally:
        server.stop()


def report(rows):
    print()
    print_table(("events", "measure", "req/s", "median ms", "p95 ms", "errors", "RSS MB", "result", "goal", ""),
                [(str(r["events"]), r["label"], fmt(r["rate"]), fmt(r["median"]), fmt(r["p95"]), str(r["errors"]),
                  fmt(r["rss"]), r["result"], r["goal_text"], r["verdict"]) for r in rows],
                left=(1, 8, 9))
    sizes = sorted({row["events"] for row in rows})
    if len(sizes) > 1:
        share = {(row["events"], row["label"]): row.get("share") for row in rows}
        for label in ("home, anonymous", "event, anonymous"):
            small, large = share[sizes[0], label], share[sizes[-1], label]
            print(f"{label}: its share of the floor at {sizes[-1]} events is {large / small:.0%} of its share at "
                  f"{sizes[0]} (flat is 100 %)")


def main(argv=None):
    args = parse_args(argv)
    if args.serve_floor:
        serve_floor(args.serve_floor, args.threads)
        return 0
    print(f"{args.clients} clients, {args.threads} waitress threads, {args.seconds:g} s per page, "
          f"python {sys.version.split()[0]}")
    rows = []
    for events in args.sizes:
        rows += bench_size(events, args)
    report(rows)
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
