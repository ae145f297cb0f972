"""Parts 2 and 3 of bench/inbox.py, the delivery queue: one activity published to many remote actors
(a Create{Note} with publish(), or a public event created by an identity they all follow), then
drained against the receiving server. Run through bench/inbox.py, which describes them."""
import cProfile
import datetime
import pstats
import threading
import time
from collections import Counter
from typing import NamedTuple

from common import print_profile
from federation import PHASE_SECONDS, PROFILE_TOP, bench_instance, local_identity, make_app, states


class Audience(NamedTuple):
    """The remote actors of a part 2 or 3 instance, and where the receiving server counts their POSTs."""

    kind: str
    prefix: str
    recipients: int
    domains: int
    inboxes: int


def make_audience(kind, part, recipients, domains):
    """recipients on domains, with one inbox per domain (shared) or per actor (each), counted under /p<part><kind>/."""
    return Audience(kind, f"/p{part}{kind}/", recipients, domains, domains if kind == "shared" else recipients)


def add_recipients(app, audience, receiver, follow):
    """Store the audience's remote actors, each following the identity (accepted) when follow."""
    from mobilizon_lite.db import database
    from mobilizon_lite.models import Actor, Follow

    with app.app_context(), database.atomic():
        identity = local_identity()
        for number in range(audience.recipients):
            domain_number = number % audience.domains
            domain = f"remote-{domain_number}.example"
            actor = Actor.create(
                preferred_username=f"reader{number}", domain=domain,
                ap_id=f"https://{domain}/users/reader{number}",
                inbox=f"{receiver.base}{audience.prefix}a{number}/inbox",
                shared_inbox=(f"{receiver.base}{audience.prefix}d{domain_number}/inbox"
                              if audience.kind == "shared" else None),
            )
            if follow:
                Follow.create(follower=actor, followed=identity, accepted=True,
                              ap_id=f"https://{domain}/activities/follow-{number}")


def delivery_instance(title, name, audience, receiver, folder, follow=False):
    """A fresh instance (never served) with the identity and the audience stored; returns its app."""
    instance_path = folder / name
    print(f"\n== {title} ({audience.kind} inboxes): instance {instance_path}", flush=True)
    port = bench_instance(instance_path).port  # only names the instance: nothing serves it
    app = make_app(instance_path, port)
    add_recipients(app, audience, receiver, follow)
    return app


def publish_note(recipients):
    """Publish a small public Create{Note} from the identity to recipients; returns the Activity."""
    from mobilizon_lite.activitypub.convert.activities import change_to_ap
    from mobilizon_lite.activitypub.publish import new_activity_id, publish
    from mobilizon_lite.activitypub.vocab import AS_PUBLIC

    identity = local_identity()
    note_id = new_activity_id().replace("/activities/", "/notes/")
    note = {"id": note_id, "type": "Note", "attributedTo": identity.ap_id, "to": [AS_PUBLIC],
            "content": "<p>Delivery benchmark: one short note to every follower.</p>"}
    return publish(identity, change_to_ap(new_activity_id(), "Create", identity, note, [AS_PUBLIC], []), recipients)


def fanout_event_fields():
    """A public event next year in Paris, as the events service reads the event form (typed values)."""
    return {
        "title": "Repair café", "description": "Bring your **toaster**.", "timezone": "Europe/Paris",
        "start_date": datetime.date(2027, 7, 1), "start_time": datetime.time(14, 0), "end_date": None,
        "end_time": datetime.time(18, 0), "status": "confirmed", "visibility": "public", "join_mode": "free",
        "capacity": None, "show_remaining_seats": True, "comment_mode": "allow_all",
        "place_name": "Maison des associations", "street": "1 rue de la Paix", "postal_code": "75001",
        "locality": "Paris", "country": "France", "tags": "repair, toaster", "category": "CRAFTS",
        "language": "fr", "links": [],
    }


def pending_count():
    from mobilizon_lite.models import Delivery
    from mobilizon_lite.models.federation import PENDING

    return Delivery.select().where(Delivery.state == PENDING).count()


def drain_all(limit, rows):
    """drain(limit) until nothing is pending or nothing is due; returns (seconds, CPU seconds, calls, tried).

    The CPU seconds are this whole process's (the receiving server's threads included): a figure
    that a machine busy with other work disturbs less than the wall-clock rate."""
    from mobilizon_lite.activitypub.delivery import drain

    calls = tried = 0
    cpu = time.process_time()
    started = time.perf_counter()
    for _ in range(rows // limit + 20):
        if time.perf_counter() - started > PHASE_SECONDS:
            print(f"   (drain stopped after {PHASE_SECONDS} s)")
            break
        done = drain(limit=limit)
        calls += 1
        tried += done
        if done == 0 or pending_count() == 0:
            break
    return time.perf_counter() - started, time.process_time() - cpu, calls, tried


def drain_and_check(published, activity, write_seconds, audience, receiver, limit):
    """Drain the activity's delivery rows and check one POST reached each inbox; returns the result row.

    Runs in the instance's app context; write_seconds is what publishing the activity took.
    """
    from mobilizon_lite.models import Delivery

    rows = Delivery.select().where(Delivery.activity == activity).count()
    print(f"   {audience.recipients} recipients on {audience.domains} domains -> {rows} delivery rows written "
          f"in {write_seconds * 1000:.1f} ms ({published})", flush=True)
    seconds, cpu, calls, tried = drain_all(limit, rows)
    by_state = Counter(row.state for row in Delivery.select(Delivery.state).where(Delivery.activity == activity))
    posts, paths = receiver.posts(audience.prefix)
    row = {"published": published, "kind": audience.kind, "recipients": audience.recipients,
           "inboxes": audience.inboxes, "rows": rows, "write": write_seconds * 1000, "drain": seconds,
           "calls": calls, "rate": tried / seconds if seconds else float("nan"),
           "cpu_ms": cpu / tried * 1000 if tried else float("nan"), "posts": posts, "paths": paths,
           "states": dict(by_state),
           "ok": rows == posts == paths == audience.inboxes == by_state.get("sent", 0)}
    print(f"   drain: {tried} POSTs in {seconds:.2f} s ({calls} calls of limit {limit}) = "
          f"{row['rate']:.1f} deliveries/s, {row['cpu_ms']:.2f} ms of CPU each; receiver counted {posts} POSTs "
          f"to {paths} inboxes (expected {audience.inboxes}); rows {states(row['states'])}"
          + ("" if row["ok"] else "  <-- MISMATCH"), flush=True)
    return row


def bench_delivery(kind, args, receiver, folder):
    """Part 2 for one kind of inboxes: a Create{Note} published to every remote actor; returns its row."""
    from mobilizon_lite.models import Actor

    audience = make_audience(kind, 2, args.actors, args.domains)
    app = delivery_instance("delivery", f"delivery-{kind}", audience, receiver, folder)
    with app.app_context():
        recipients = list(Actor.select().where(Actor.domain.is_null(False)))
        started = time.perf_counter()
        activity = publish_note(recipients)
        row = drain_and_check("Create{Note}, publish()", activity, time.perf_counter() - started, audience,
                              receiver, args.drain_limit)
    if args.profile:
        profile_drain(app, recipients, args.drain_limit)
    return row


def bench_fanout(kind, args, receiver, folder):
    """Part 3 for one kind of inboxes: a public event created by an identity every remote actor follows."""
    from mobilizon_lite.models import Activity
    from mobilizon_lite.services.events import create_event

    audience = make_audience(kind, 3, args.followers, args.follower_domains)
    app = delivery_instance("fan-out", f"fanout-{kind}", audience, receiver, folder, follow=True)
    with app.app_context():
        identity = local_identity()
        started = time.perf_counter()
        create_event(identity, fanout_event_fields())
        seconds = time.perf_counter() - started
        # create_event returns the event, not what it published: the identity's latest Create.
        activity = (Activity.select().where((Activity.actor == identity) & (Activity.type == "Create"))
                    .order_by(Activity.id.desc()).get())
        return drain_and_check("Create{Event}, create_event()", activity, seconds, audience, receiver,
                               args.drain_limit)


class ThreadProfiles:
    """cProfile in every thread started meanwhile (the drain's workers, the receiving server's), merged
    with the calling thread's: what print_profile reads as one profiler."""

    def __init__(self):
        self.profilers = [cProfile.Profile()]

    def _start_in_thread(self, *_event):
        # threading calls this at a new thread's first event: cProfile then takes over that thread.
        profiler = cProfile.Profile()
        self.profilers.append(profiler)
        profiler.enable()

    def __enter__(self):
        threading.setprofile(self._start_in_thread)
        self.profilers[0].enable()
        return self

    def __exit__(self, *_exc):
        self.profilers[0].disable()
        threading.setprofile(None)

    def create_stats(self):
        self.stats = pstats.Stats(*self.profilers).stats


def profile_drain(app, recipients, limit):
    """Publish once more to the same recipients and profile one drain(limit) call, workers included."""
    from mobilizon_lite.activitypub.delivery import drain

    with app.app_context():
        publish_note(recipients)
        started = time.perf_counter()
        with ThreadProfiles() as profiles:
            tried = drain(limit=limit)
        elapsed = time.perf_counter() - started
    print_profile(profiles, f"one drain(limit={limit}) in-process, every thread: {tried} POSTs in {elapsed:.2f} s "
                            f"under cProfile ({elapsed / max(tried, 1) * 1000:.1f} ms each)", PROFILE_TOP)
