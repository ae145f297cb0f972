"""Federation throughput: signed activities received by the inbox, and deliveries drained.

Part 1, the inbox. The script makes a temporary instance with one identity (`run.py create-user`)
and, in this process, stores --senders remote actors (remote-N.example, each with its own RSA key
and an inbox on a small receiving server this script runs on 127.0.0.1), so the instance knows
every key and fetches none. It signs the activities with `sign_headers` before anything is
timed, serves the instance with `run.py` (waitress, the scheduler running,
MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8) and POSTs them to /inbox from --threads
client threads over keep-alive connections, in three runs:

  events     --events Creates of an Event, round robin over the --senders actors;
  one key    --activities Follows of the identity, all from one remote actor;
  many keys  --activities Follows of the identity, round robin over the --senders actors;
  ignored    --ignored activities of a type nobody handles (Like), each carrying about 1 MB
             (under the inbox's 1 MiB cap), round robin over the --senders actors.

Each Event is shaped as Mobilizon sends it (id on its organiser's host, startTime and endTime
with an offset, timezone, a Place with a PostalAddress, a Hashtag, addressed to the Public), with
a distinct id, name and day. The events run comes first, so that no Accept of the Follow runs is
being delivered meanwhile; --events 0 skips it.

It prints signed activities verified and stored per second (every answer must be 202; any other
answer or failed request is an error), median and 95th percentile latency; the inbox answers once
an activity is stored and the instance's job handles it in the background, so each run then waits
for the job to handle everything it stored and prints how many were still waiting at the last
answer and the activities handled per second (from the first POST until the last one handled).
Then the rows the database gained (and how many were handled, or failed to be), the database's
size before and after the run (the SQLite file with its write-ahead log, and the part of it in
use), the events stored per second by then (the event table must gain one row per Create, and none
from a Follow), and the Accepts the instance
delivered to the receiving server meanwhile (each Follow is answered by an Accept, which waits in
the delivery queue). After the runs it prints the server's resident memory (VmRSS now, VmHWM its
peak) from /proc/<pid>/status and what became of the Accept queue a few seconds later.

Part 2, the delivery queue. For each kind in --inboxes, a fresh instance with one identity and
--actors remote actors spread over --domains domains, stored in this process, then (in this
process, inside an app context) one Create{Note} is published to all of them with
activitypub.publish.publish, and activitypub.delivery.drain(limit=--drain-limit) is called until
no delivery is pending; each drain signs and POSTs every row to the receiving server.

  shared   every domain has a shared inbox (/dK/inbox): --domains deliveries;
  each     every actor has its own inbox and no shared one: --actors deliveries.

It prints the time to write the delivery rows, the drain's deliveries per second, and the POSTs
the receiving server counted (which must equal the number of distinct inboxes). It also prints
what one sign_headers call costs (the drain pays it per POST).

Part 3, the fan-out of one event. For each kind in --inboxes, as in part 2, a fresh instance with
one identity and --followers remote actors on --follower-domains domains, each of them following
the identity (an accepted row in the follow table); then, in this process, the identity creates
a public event with services.events.create_event, which publishes a Create{Event} to its
followers, and the same drain runs until no delivery is pending. It prints how long create_event
took (the delivery rows are written inside it), the rows written (one per distinct inbox), the
drain's deliveries per second and the POSTs the receiving server counted. --followers 0 skips it.

    .venv/bin/python bench/inbox.py                       # 1000 activities per run, 1000 actors
    .venv/bin/python bench/inbox.py --activities 300 --events 300 --inboxes shared
    .venv/bin/python bench/inbox.py --skip-inbox --inboxes shared --followers 5000 --follower-domains 200
    .venv/bin/python bench/inbox.py --profile             # also cProfile both paths in-process

--profile also posts --profile-activities pre-signed Follows through app.test_client() (from senders
whose keys it used once before), counts the SQL statements of those requests and of the handling
job's work on them, profiles the requests and one drain in this process under cProfile, and prints
where the time went.

Set-up is not timed: the sender keys are made on every core (about 0.1 s each), and so are the
signatures. sign_headers imports the private key on every call, and that import tests both primes
(tens of milliseconds); while pre-signing, and only there (never in the server nor in parts 2 and
3's drains), this script imports each of its own fresh keys once without that test. The headers are
byte for byte those sign_headers makes otherwise (PKCS#1 v1.5 signatures are deterministic).

The exit status is 1 when an answer was not 202, an activity was not stored or failed when
handled, the event table did not gain one row per Create, or a drain's delivery rows or the
receiving server's count of POSTs differ from the number of inboxes.
Everything listens on and talks to 127.0.0.1 only. The clients and the receiving server share
the machine (and this process's GIL) with the instance, so figures are for comparing versions of
the code on one machine. Linux only for memory.
"""
import argparse
import contextlib
import cProfile
import functools
import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import requests
from common import HOST, check_ranges, fmt, memory_mb, print_profile, print_table, run_threads, summary
from delivery import bench_delivery, bench_fanout
from federation import PHASE_SECONDS, PROFILE_TOP, Receiver, bench_instance, local_identity, make_app, states

MEDIA_TYPE = "application/activity+json"
WARMUP_ACTIVITIES = 20
REQUEST_TIMEOUT = 30
# How long the Accept queue of part 1 is watched after the last run.
SETTLE_SECONDS = 5
# How long a run waits for the instance's job to handle what it stored.
HANDLE_TIMEOUT = 300
# Worker processes start afresh: this process runs threads (the receiving server) when it forks.
SPAWN = multiprocessing.get_context("spawn")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=1000, metavar="N",
                        help="signed Follows POSTed per inbox run (default 1000)")
    parser.add_argument("--events", type=int, default=1000, metavar="E",
                        help="signed Creates of Events POSTed in part 1, round robin over the --senders actors; "
                             "0 skips that run (default 1000)")
    parser.add_argument("--ignored", type=int, default=30, metavar="I",
                        help="signed activities of an ignored type, about 1 MB each, POSTed in part 1; "
                             "0 skips that run (default 30)")
    parser.add_argument("--senders", type=int, default=200, metavar="K",
                        help="remote actors (and keys) of the many-keys run (default 200)")
    parser.add_argument("--threads", type=int, default=4, metavar="T",
                        help="client threads, each with its own keep-alive session (default 4)")
    parser.add_argument("--actors", type=int, default=1000, metavar="M",
                        help="remote recipients of the published activity in part 2 (default 1000)")
    parser.add_argument("--domains", type=int, default=50, metavar="D",
                        help="domains the part 2 recipients are spread over (default 50)")
    parser.add_argument("--followers", type=int, default=1000, metavar="F",
                        help="remote followers of the identity that creates an event in part 3; "
                             "0 skips part 3 (default 1000)")
    parser.add_argument("--follower-domains", type=int, default=50, metavar="FD",
                        help="domains the part 3 followers are spread over (default 50)")
    parser.add_argument("--inboxes", default="shared,each",
                        help="part 2 and 3 kinds: shared (one inbox per domain), each (one per actor); "
                             "comma-separated, or none to skip parts 2 and 3 (default shared,each)")
    parser.add_argument("--drain-limit", type=int, default=100, metavar="L",
                        help="rows per drain() call, as the scheduler's job (default 100)")
    parser.add_argument("--skip-inbox", action="store_true", help="skip part 1")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the inbox and one drain in this process with cProfile")
    parser.add_argument("--profile-activities", type=int, default=100, metavar="N",
                        help="Follows posted under the profiler (default 100)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folders (their paths are printed)")
    args = parser.parse_args(argv)
    check_ranges(parser, args, activities=(1, 100_000), senders=(1, 2000), threads=(1, 64), actors=(1, 100_000))
    if not 1 <= args.domains <= args.actors:
        parser.error("--domains must be between 1 and --actors")
    check_ranges(parser, args, events=(0, 100_000), ignored=(0, 1000), followers=(0, 100_000))
    if args.followers and not 1 <= args.follower_domains <= args.followers:
        parser.error("--follower-domains must be between 1 and --followers")
    check_ranges(parser, args, drain_limit=(1, 10_000), profile_activities=(1, 10_000))
    kinds = [kind.strip() for kind in args.inboxes.split(",") if kind.strip()]
    if kinds == ["none"]:
        kinds = []
    if any(kind not in ("shared", "each") for kind in kinds):
        parser.error("--inboxes takes shared, each, both separated by a comma, or none")
    args.inboxes = list(dict.fromkeys(kinds))
    return args


def _new_key(_number):
    from mobilizon_lite.activitypub.keys import generate_key_pair

    return generate_key_pair()


def generate_keys(count):
    """count RSA key pairs (about 0.1 s each), made on every core."""
    if count == 1:
        return [_new_key(0)]
    with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, count), mp_context=SPAWN) as pool:
        return list(pool.map(_new_key, range(count)))


def add_senders(app, keys, receiver):
    """Store one remote actor per key, as if fetched earlier; returns [(ap_id, private_pem)]."""
    from mobilizon_lite.db import database
    from mobilizon_lite.models import Actor

    senders = []
    with app.app_context(), database.atomic():
        for number, (private_pem, public_pem) in enumerate(keys):
            ap_id = f"https://remote-{number}.example/users/sender{number}"
            Actor.create(preferred_username=f"sender{number}", domain=f"remote-{number}.example",
                         ap_id=ap_id, inbox=f"{receiver.base}/p1/a{number}/inbox", public_key_pem=public_pem)
            senders.append((ap_id, private_pem))
    return senders


@contextlib.contextmanager
def memoised_key_import():
    """Within the block, sign_headers' key import (httpsig -> pycryptodome) is quick and done once per PEM.

    pycryptodome's import tests both primes (tens of ms); these keys were made by this script a
    moment ago, so the import skips that check and keeps the key. A PKCS#1 v1.5 signature does not
    depend on how the key was loaded: the headers are byte for byte those sign_headers makes.
    """
    import httpsig.sign
    from cryptography.hazmat.primitives import serialization

    original = httpsig.sign.RSA
    cache = {}

    def quick_import(secret):
        key = serialization.load_pem_private_key(secret, None, unsafe_skip_rsa_key_validation=True)
        numbers = key.private_numbers()
        public = numbers.public_numbers
        return original.construct((public.n, public.e, numbers.d, numbers.p, numbers.q),
                                  consistency_check=False)

    class MemoisedRSA:
        @staticmethod
        def importKey(secret, *args, **kwargs):  # the name httpsig calls
            if args or kwargs:
                return original.importKey(secret, *args, **kwargs)
            if secret not in cache:
                cache[secret] = quick_import(secret)
            return cache[secret]

    httpsig.sign.RSA = MemoisedRSA
    try:
        yield
    finally:
        httpsig.sign.RSA = original


def follow_of(object_id, ap_id, _number):
    """A Follow of object_id by ap_id (its id is added when it is signed)."""
    return {"type": "Follow", "actor": ap_id, "object": object_id}


def event_create(ap_id, number):
    """A Create of a public Event numbered number, organised by ap_id, as Mobilizon sends it."""
    from mobilizon_lite.activitypub.vocab import AS_PUBLIC

    host = ap_id.split("/")[2]
    event_id = f"https://{host}/events/{number}"
    day = f"2027-06-{1 + number % 30:02d}"
    # One id per event: a second Create of the same id would change the stored event, not add one.
    event = {
        "id": event_id, "type": "Event", "url": event_id, "name": f"Fête de quartier n°{number}",
        "content": "<p>Bring a dish to share and <strong>meet your neighbours</strong>.</p>",
        "mediaType": "text/html", "startTime": f"{day}T18:00:00+02:00", "endTime": f"{day}T23:00:00+02:00",
        "timezone": "Europe/Paris", "published": "2027-05-01T09:00:00Z", "actor": ap_id, "attributedTo": ap_id,
        "to": [AS_PUBLIC], "cc": [f"{ap_id}/followers"], "category": "PARTY", "joinMode": "free",
        "ical:status": "CONFIRMED", "status": "CONFIRMED", "inLanguage": "fr", "commentsEnabled": True,
        "location": {"type": "Place", "id": f"{event_id}#place", "name": "Square du Temple",
                     "address": {"type": "PostalAddress", "streetAddress": "64 rue de Bretagne",
                                 "postalCode": "75003", "addressLocality": "Paris",
                                 "addressRegion": "Île-de-France", "addressCountry": "France"}},
        "tag": [{"type": "Hashtag", "name": "#FeteDeQuartier", "href": f"https://{host}/tags/fetedequartier"}],
    }
    return {"type": "Create", "actor": ap_id, "to": event["to"], "cc": event["cc"], "object": event}


# About 1 MB of text: what a Like may carry, under the inbox's 1 MiB cap.
IGNORED_PADDING = 1_000_000


def ignored_like(ap_id, number):
    """A Like (a type nobody handles here) by ap_id, carrying about 1 MB of text."""
    return {"type": "Like", "actor": ap_id, "object": f"https://{ap_id.split('/')[2]}/notes/{number}",
            "content": "x" * IGNORED_PADDING}


def _sign_some(senders, numbers, url, build):
    """[(number, headers, body)] of the activities build(ap_id, number) for numbers, round robin over senders."""
    from mobilizon_lite.activitypub.signatures import sign_headers

    signed = []
    with memoised_key_import():
        for number in numbers:
            ap_id, private_pem = senders[number % len(senders)]
            host = ap_id.split("/")[2]
            activity = {"@context": "https://www.w3.org/ns/activitystreams",
                        "id": f"https://{host}/activities/{uuid.uuid4()}", **build(ap_id, number)}
            body = json.dumps(activity).encode("utf-8")
            headers = sign_headers("POST", url, f"{ap_id}#main-key", private_pem, body=body)
            headers["Content-Type"] = MEDIA_TYPE
            signed.append((number, headers, body))
    return signed


def sign_activities(senders, count, url, build):
    """count (headers, body) of distinct activities build(ap_id, number), round robin over senders, signed for url.

    Large batches are split over every core, each worker signing with its own share of the keys.
    build must be picklable (a module function, or a partial of one).
    """
    workers = min(os.cpu_count() or 1, max(count // 500, 1))
    if workers == 1:
        parts = [_sign_some(senders, range(count), url, build)]
    else:
        # By key when there are enough keys (each worker imports only its own), else by number.
        spread = len(senders) if len(senders) >= workers else count
        shares = [[n for n in range(count) if (n % spread) % workers == w] for w in range(workers)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=SPAWN) as pool:
            parts = list(pool.map(_sign_some, [senders] * workers, shares, [url] * workers, [build] * workers))
    return [(headers, body) for _number, headers, body in sorted(item for part in parts for item in part)]


def sign_cost(private_pem):
    """Median ms of one sign_headers call as the drain makes it (no memoising), over 5 calls."""
    from mobilizon_lite.activitypub.signatures import sign_headers

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sign_headers("POST", f"http://{HOST}:9/inbox", "https://remote.example/a#main-key", private_pem,
                     body=b"{}")
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def poster(url, items, deadline, latencies, errors):
    """POST each signed item; appends latencies (s) of 202 answers, counts the rest in errors[0]."""
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    try:
        for headers, body in items:
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                response = session.post(url, data=body, headers=headers, timeout=REQUEST_TIMEOUT)
                _ = response.content
            except requests.RequestException as failure:
                errors[0] += 1
                if errors[1] is None:
                    errors[1] = f"{failure.__class__.__name__}: {failure}"
                continue
            if response.status_code == 202:
                latencies.append(time.perf_counter() - started)
            else:
                errors[0] += 1
                if errors[1] is None:
                    errors[1] = f"{response.status_code} {response.text[:200]}"
    finally:
        session.close()


def post_all(url, signed, threads):
    """POST every item from threads; returns (202s per second, median ms, p95 ms, errors, first error, seconds)."""
    jobs = [functools.partial(poster, url, signed[i::threads]) for i in range(threads)]
    latencies, errors, first_error, elapsed = run_threads(jobs, PHASE_SECONDS, REQUEST_TIMEOUT + 5)
    if errors + len(latencies) < len(signed):
        print(f"   (stopped after {PHASE_SECONDS} s)")
    median, p95 = summary(latencies)
    return len(latencies) / elapsed, median, p95, errors, first_error, elapsed


def db_counts(database_path):
    """({inbox item state: rows}, {delivery state: rows}, event rows) read from the SQLite file."""
    connection = sqlite3.connect(database_path, timeout=30)
    try:
        items = dict(connection.execute("SELECT state, COUNT(*) FROM inbox_item GROUP BY state").fetchall())
        deliveries = dict(connection.execute("SELECT state, COUNT(*) FROM delivery GROUP BY state").fetchall())
        events = connection.execute("SELECT COUNT(*) FROM event").fetchone()[0]
    finally:
        connection.close()
    return items, deliveries, events


def database_size(database_path):
    """(bytes of the SQLite file and its write-ahead log, bytes of its pages in use)."""
    files = sum(os.path.getsize(path) for path in (database_path, f"{database_path}-wal") if os.path.exists(path))
    connection = sqlite3.connect(database_path, timeout=30)
    try:
        page_size, pages, free = (connection.execute(f"PRAGMA {name}").fetchone()[0]
                                  for name in ("page_size", "page_count", "freelist_count"))
    finally:
        connection.close()
    return files, (pages - free) * page_size


def mib(size):
    return size / (1 << 20)


def handling_errors(database_path):
    """{error: rows} of the received activities whose handling failed."""
    connection = sqlite3.connect(database_path, timeout=30)
    try:
        return dict(connection.execute(
            "SELECT error, COUNT(*) FROM inbox_item WHERE state = 'failed' GROUP BY error").fetchall())
    finally:
        connection.close()


def delta(after, before):
    return {key: after.get(key, 0) - before.get(key, 0) for key in after if after.get(key, 0) != before.get(key, 0)}


def waiting_items(database_path):
    """Received activities the instance's job has not handled yet (failed ones waiting for a retry included)."""
    connection = sqlite3.connect(database_path, timeout=30)
    try:
        return connection.execute("SELECT COUNT(*) FROM inbox_item WHERE next_attempt_at IS NOT NULL").fetchone()[0]
    finally:
        connection.close()


def wait_handled(database_path, started):
    """Seconds from started until the job handled every stored activity (None after HANDLE_TIMEOUT)."""
    while waiting_items(database_path):
        if time.perf_counter() - started > HANDLE_TIMEOUT:
            return None
        time.sleep(0.05)
    return time.perf_counter() - started


def measure_run(label, signed, creates, inbox_url, threads, database_path, receiver):
    """POST one run's signed activities, wait for the job to handle them, and count what the database
    gained; returns the run's row.

    creates is how many of them are Creates of an Event: the event table must gain exactly that many rows.
    """
    items_before, deliveries_before, events_before = db_counts(database_path)
    size_before = database_size(database_path)
    accepts_before = receiver.posts("/p1/")[0]
    started = time.perf_counter()
    rate, median, p95, errors, first_error, elapsed = post_all(inbox_url, signed, threads)
    stored_items, _deliveries, _events = db_counts(database_path)
    handled_in = wait_handled(database_path, started)
    items_after, deliveries_after, events_after = db_counts(database_path)
    size_after = database_size(database_path)
    stored = delta(items_after, items_before)
    queued = delta(deliveries_after, deliveries_before)
    events = events_after - events_before
    row = {"run": label, "sent": len(signed), "rate": rate, "median": median, "p95": p95, "errors": errors,
           "stored": sum(stored.values()), "handled": stored, "seconds": elapsed,
           "waiting": stored_items.get("received", 0) - items_before.get("received", 0),
           "handled_in": handled_in, "handle_rate": sum(stored.values()) / handled_in if handled_in else None,
           "accepts": receiver.posts("/p1/")[0] - accepts_before, "queue": queued, "creates": creates,
           "events": events, "event_rate": events / handled_in if creates and handled_in else None,
           "sent_mib": mib(sum(len(body) for _headers, body in signed)),
           "size_before": size_before, "size_after": size_after}
    print(f"   {label:<22} {rate:7.1f} activities/s  median {median:6.1f} ms  p95 {p95:6.1f} ms"
          f"  errors {errors}  in {elapsed:.1f} s", flush=True)
    handled_text = (f"all handled {handled_in:.1f} s after the first POST = {fmt(row['handle_rate'])}/s"
                    if handled_in else f"NOT all handled within {HANDLE_TIMEOUT} s  <-- MISMATCH")
    print(f"   {'':<22} {row['waiting']} waiting for the job when the last answer came; {handled_text}", flush=True)
    print(f"   {'':<22} rows stored {row['stored']} ({states(stored)}); Accepts delivered meanwhile "
          f"{row['accepts']}; delivery rows {states(queued)}", flush=True)
    print(f"   {'':<22} database {mib(size_before[0]):.1f} -> {mib(size_after[0]):.1f} MiB "
          f"(file + WAL), in use {mib(size_before[1]):.1f} -> {mib(size_after[1]):.1f} MiB, "
          f"for {row['sent_mib']:.1f} MiB of activities received", flush=True)
    if creates or events:
        print(f"   {'':<22} event rows gained {events} of {creates} expected = {fmt(row['event_rate'])} events "
              f"stored/s" + ("" if events == creates else "  <-- MISMATCH"), flush=True)
    if first_error:
        print(f"   {'':<22} first error: {first_error}")
    return row


def bench_inbox(args, receiver, folder):
    """Part 1; returns (rows, memory, queue summary, in-process app, senders, port)."""
    instance_path = folder / "inbox"
    started = time.monotonic()
    instance = bench_instance(instance_path, log=folder / "inbox-server.log")
    port = instance.port
    inbox_url = f"{instance.base}/inbox"
    print(f"\n== inbox: instance {instance_path}, {instance.base}", flush=True)
    app = make_app(instance_path, port)
    with app.app_context():
        object_id = local_identity().ap_id
    keys = generate_keys(args.senders)
    senders = add_senders(app, keys, receiver)
    print(f"   identity {object_id}, {len(senders)} remote actors and keys in "
          f"{time.monotonic() - started:.1f} s", flush=True)

    started = time.monotonic()
    follow = functools.partial(follow_of, object_id)
    warmup = sign_activities(senders[-1:], WARMUP_ACTIVITIES, inbox_url, follow)
    runs = [("Follow, one key", sign_activities(senders[:1], args.activities, inbox_url, follow), 0),
            (f"Follow, {len(senders)} keys", sign_activities(senders, args.activities, inbox_url, follow), 0)]
    if args.ignored:
        runs.append((f"Like ~1 MB, {len(senders)} keys",
                     sign_activities(senders, args.ignored, inbox_url, ignored_like), 0))
    if args.events:
        # First, so that no Accept of the Follow runs is being delivered while the events come in.
        runs.insert(0, (f"Create{{Event}}, {len(senders)} keys",
                        sign_activities(senders, args.events, inbox_url, event_create), args.events))
    print(f"   pre-signed {WARMUP_ACTIVITIES + 2 * args.activities} Follows, {args.events} Creates of Events and "
          f"{args.ignored} Likes in {time.monotonic() - started:.1f} s (key import memoised)", flush=True)

    database_path = app.config["DATABASE"]
    with instance as server:
        _rate, _median, _p95, errors, first_error, _elapsed = post_all(inbox_url, warmup, 1)
        if errors or wait_handled(database_path, time.perf_counter()) is None:
            sys.exit(f"warm-up: {errors} of {len(warmup)} POSTs failed, or not all were handled; first: "
                     f"{first_error}\n{server.output()[-3000:]}")
        rows = [measure_run(label, signed, creates, inbox_url, args.threads, database_path, receiver)
                for label, signed, creates in runs]
        failures = handling_errors(database_path)
        if failures:
            print("   answered 202 but failed when handled: "
                  + "; ".join(f"{count} x {error[:120]}" for error, count in failures.items()), flush=True)
        memory = memory_mb(server.process.pid)
        print(f"   server after all runs: RSS {fmt(memory[0])} MiB  HWM {fmt(memory[1])} MiB", flush=True)
        # The queue of Accepts: how much of it the server's scheduler sends once the load stops.
        settle_started = time.monotonic()
        before_settle = receiver.posts("/p1/")[0]
        while time.monotonic() - settle_started < SETTLE_SECONDS:
            _items, deliveries, _events = db_counts(database_path)
            if not deliveries.get("pending"):
                break
            time.sleep(0.25)
        delivered = receiver.posts("/p1/")[0]
        queue = {"accepts": delivered, "queued": sum(deliveries.values()),
                 "after_load": delivered - before_settle, "deliveries": deliveries}
        print(f"   Accept queue {SETTLE_SECONDS} s after the load: {queue['accepts']} of {queue['queued']} Accepts "
              f"delivered ({queue['after_load']} in those {SETTLE_SECONDS} s); delivery rows "
              f"{states(deliveries)}", flush=True)
    return rows, memory, queue, app, senders, port


class StatementCounter(logging.Handler):
    """Counts the SQL statements peewee runs while it is attached (peewee logs each at DEBUG, as a
    (sql, params) pair, besides lines about its connection pool)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += isinstance(record.msg, tuple)

    def __enter__(self):
        logger = logging.getLogger("peewee")
        self.saved = logger.level, logger.propagate
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(self)
        return self

    def __exit__(self, *_exc):
        logger = logging.getLogger("peewee")
        logger.removeHandler(self)
        logger.setLevel(self.saved[0])
        logger.propagate = self.saved[1]


def profile_inbox(app, senders, port, count):
    """POST count pre-signed Follows through app.test_client() under cProfile (no network), counting the SQL
    statements of the requests; then the handling job's work on them, as the scheduler runs it."""
    from mobilizon_lite.services import inbound

    inbox_url = f"http://{HOST}:{port}/inbox"
    with app.app_context():
        object_id = local_identity().ap_id
    follow = functools.partial(follow_of, object_id)
    warm = sign_activities(senders, count, inbox_url, follow)  # every sender's key is known and cached
    plain = sign_activities(senders, count, inbox_url, follow)
    signed = sign_activities(senders, count, inbox_url, follow)
    client = app.test_client()
    for headers, body in warm:
        client.post("/inbox", data=body, headers=headers)
    started = time.perf_counter()
    with StatementCounter() as statements:
        for headers, body in plain:
            client.post("/inbox", data=body, headers=headers)
    unprofiled = (time.perf_counter() - started) / count * 1000
    with app.app_context():
        started = time.perf_counter()
        with StatementCounter() as handling_statements:
            handled = inbound.handle_received(seconds=600)
        handling = (time.perf_counter() - started) / max(handled, 1) * 1000
    print(f"\n   inbox in-process, one thread: {statements.count / count:.1f} SQL statements per Follow in the "
          f"request; the job then handled {handled} in {handling:.1f} ms and "
          f"{handling_statements.count / max(handled, 1):.1f} statements each", flush=True)
    profiler = cProfile.Profile()
    statuses = Counter()
    started = time.perf_counter()
    profiler.enable()
    for headers, body in signed:
        statuses[client.post("/inbox", data=body, headers=headers).status_code] += 1
    profiler.disable()
    elapsed = time.perf_counter() - started
    print_profile(profiler, f"inbox in-process, one thread: {unprofiled:.1f} ms per Follow without the "
                            f"profiler; {count} Follows in {elapsed:.2f} s under cProfile "
                            f"({elapsed / count * 1000:.1f} ms each; answers {dict(statuses)})", PROFILE_TOP)


def report(inbox_rows, memory, queue, delivery_rows, threads):
    if inbox_rows:
        print(f"\ninbox: signed activities POSTed by {threads} threads (keep-alive); latencies in ms; "
              f"server RSS {fmt(memory[0])} MiB, HWM {fmt(memory[1])} MiB after all runs")
        print_table(
            ("run", "sent", "activities/s", "median", "p95", "errors", "stored", "handled", "handled/s", "events",
             "events/s", "Accepts sent", "MiB sent", "db MiB before", "db MiB after", "in use after"),
            [(r["run"], str(r["sent"]), fmt(r["rate"]), fmt(r["median"]), fmt(r["p95"]), str(r["errors"]),
              str(r["stored"]), states(r["handled"]), fmt(r["handle_rate"]), str(r["events"]),
              fmt(r["event_rate"]) if r["creates"] else "-", str(r["accepts"]), fmt(r["sent_mib"]),
              fmt(mib(r["size_before"][0])), fmt(mib(r["size_after"][0])), fmt(mib(r["size_after"][1])))
             for r in inbox_rows],
            left=(0, 7))
        print(f"Accept queue {SETTLE_SECONDS} s after the load: {queue['accepts']} of {queue['queued']} "
              f"delivered; delivery rows {states(queue['deliveries'])}")
    if delivery_rows:
        print("\ndelivery: a Create{Note} published to every remote actor (part 2), or a public event created by "
              "an identity they all follow (part 3); then drain() until done")
        print_table(
            ("published", "inboxes", "recipients", "rows", "write ms", "drain s", "deliveries/s", "POSTs", "check"),
            [(r["published"], f"{r['kind']} ({r['inboxes']})", str(r["recipients"]), str(r["rows"]),
              fmt(r["write"]), fmt(r["drain"], ".2f"), fmt(r["rate"]), str(r["posts"]),
              "ok" if r["ok"] else "MISMATCH")
             for r in delivery_rows],
            left=(0, 1))


def main(argv=None):
    args = parse_args(argv)
    from mobilizon_lite.activitypub.keys import generate_key_pair

    probe_key = generate_key_pair()[0]
    print(f"{args.threads} client threads, {args.activities} Follows per inbox run, {args.events} Creates of "
          f"Events and {args.ignored} Likes of ~1 MB, {args.senders} sender keys, "
          f"{args.actors} recipients on {args.domains} domains, "
          f"{args.followers} followers on {args.follower_domains} domains; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"one sign_headers call, as the drain makes one per POST (median of 5, same key): "
          f"{sign_cost(probe_key):.1f} ms", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="mobilizon_inbox_"))
    receiver = Receiver()
    inbox_rows, memory, queue, delivery_rows = [], (None, None), None, []
    try:
        if not args.skip_inbox:
            inbox_rows, memory, queue, app, senders, port = bench_inbox(args, receiver, folder)
            if args.profile:
                profile_inbox(app, senders, port, args.profile_activities)
        for kind in args.inboxes:
            delivery_rows.append(bench_delivery(kind, args, receiver, folder))
        for kind in args.inboxes if args.followers else ():
            delivery_rows.append(bench_fanout(kind, args, receiver, folder))
    finally:
        receiver.close()
        if args.keep:
            print(f"\nkept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    report(inbox_rows, memory, queue, delivery_rows, args.threads)
    failed = any(r["errors"] or r["stored"] != r["sent"] or r["handled"].get("failed") or r["events"] != r["creates"]
                 or r["handled_in"] is None for r in inbox_rows)
    failed = failed or any(not r["ok"] for r in delivery_rows)
    return 1 if failed else 0



if __name__ == "__main__":
    sys.exit(main())
