"""The delivery queue against a real loopback receiver: signatures, outcomes, backoff, breakers."""
import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub import delivery
from mobilizon_lite.activitypub.convert.activities import change_to_ap
from mobilizon_lite.activitypub.delivery import backoff, drain, retry_after
from mobilizon_lite.activitypub.publish import new_activity_id, publish
from mobilizon_lite.activitypub.signatures import verify_request
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Delivery, DomainHealth, InboxHealth
from mobilizon_lite.services.actors import actor_from_ap

from ..helpers import loopback_server, make_account


class Receiver(BaseHTTPRequestHandler):
    received = []
    key = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        verified = verify_request("POST", self.path, headers, body, lambda key_id, refresh: (Receiver.key, "ann"))
        self.received.append((self.path, json.loads(body), verified.key_id))
        status = int(self.path.split("/")[2])
        self.send_response(status)
        if status in (429, 503):
            self.send_header("Retry-After", "120")
        self.send_header("Content-Length", "0")
        self.end_headers()


class KeptAliveReceiver(Receiver):
    """Speaks HTTP/1.1, keeping connections open, and notes the client port of each POST."""
    protocol_version = "HTTP/1.1"
    ports = []

    def do_POST(self):
        self.ports.append((self.path, self.client_address[1]))
        super().do_POST()


@pytest.fixture
def receiver():
    Receiver.received = []
    with loopback_server(Receiver) as url:
        yield url


class Redirector(BaseHTTPRequestHandler):
    """An inbox that sends every POST on to `target` (another host) with a 307."""
    target = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def redirector():
    """An inbox on 127.0.0.1 redirecting to a verifying receiver on another host, 127.0.0.5."""
    Receiver.received = []
    with loopback_server(Receiver, "127.0.0.5") as elsewhere_url, loopback_server(Redirector) as url:
        Redirector.target = f"{elsewhere_url}/status/202/inbox"
        yield url


@pytest.fixture
def fed_app(tmp_path, app_config):
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8"), instance_path=str(tmp_path / "i"))
    make_account(app)
    with app.app_context():
        Receiver.key = Actor.get(Actor.preferred_username == "ann").public_key_pem
    return app


def remote(name, inbox, shared=None):
    return Actor.create(preferred_username=name, domain=f"{name}.example", ap_id=f"https://{name}.example/u",
                        inbox=inbox, shared_inbox=shared)


def send_to(app, *actors):
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        publish(ann, change_to_ap(new_activity_id(), "Create", ann, {"type": "Note", "content": "hello"}, [], []),
                actors)
        drain()
        return list(Delivery.select().order_by(Delivery.id))


def test_one_signed_post_per_distinct_inbox(fed_app, receiver):
    with fed_app.app_context():
        shared = f"{receiver}/status/202/shared"
        actors = [remote(f"r{i}", f"{receiver}/status/202/r{i}", shared if i < 3 else None) for i in range(5)]
    rows = send_to(fed_app, *actors)
    assert len(rows) == 3 and {row.state for row in rows} == {"sent"}
    assert sorted(path for path, _body, _key in Receiver.received) == sorted(
        ["/status/202/shared", "/status/202/r3", "/status/202/r4"])
    _path, body, key_id = Receiver.received[0]
    assert body["type"] == "Create" and key_id == "http://events.test/@ann#main-key"
    assert "@context" in body


@pytest.mark.parametrize("status, state, retried", [
    (410, "gone", False), (400, "failed", False), (404, "failed", False),
    (500, "pending", True), (401, "pending", True), (429, "pending", True), (503, "pending", True),
])
def test_outcomes(fed_app, receiver, status, state, retried):
    with fed_app.app_context():
        actor = remote("peer", f"{receiver}/status/{status}/inbox")
    [row] = send_to(fed_app, actor)
    assert row.state == state and row.attempts == 1 and row.last_status == status
    if retried:
        assert row.next_attempt_at > utcnow()
    if status in (429, 503):
        assert timedelta(seconds=100) < row.next_attempt_at - utcnow() <= timedelta(seconds=120)
    if status == 410:
        with fed_app.app_context():
            assert Actor.get(Actor.preferred_username == "peer").deleted_at is not None


def test_a_redirect_to_another_host_fails_and_nothing_signed_reaches_it(fed_app, redirector):
    with fed_app.app_context():
        actor = remote("moved", f"{redirector}/inbox")
    [row] = send_to(fed_app, actor)
    assert Receiver.received == []
    assert row.state == "failed" and row.last_status == 307 and "another host" in row.last_error


def test_connection_errors_are_retried_and_given_up(fed_app, receiver):
    with fed_app.app_context():
        actor = remote("down", "http://127.0.0.1:9/inbox")  # nothing listens on the discard port
    [row] = send_to(fed_app, actor)
    assert row.state == "pending" and row.last_status is None and row.last_error
    with fed_app.app_context():
        Delivery.update(attempts=15, next_attempt_at=utcnow()).execute()
        drain()
        assert Delivery.get().state == "failed"


def test_circuit_breaker_and_unavailable_domain(fed_app, receiver):
    with fed_app.app_context():
        actor = remote("flaky", f"{receiver}/status/500/inbox")
    send_to(fed_app, actor)
    with fed_app.app_context():
        for _ in range(9):
            Delivery.update(next_attempt_at=utcnow()).execute()
            drain()
        health = InboxHealth.get()
        assert health.consecutive_failures == 10 and health.paused_until > utcnow()
        Delivery.update(next_attempt_at=utcnow()).execute()
        assert drain() == 0  # paused: not even tried
        days = [(utcnow() - timedelta(days=n)).date().isoformat() for n in range(1, 7)]
        DomainHealth.update(failure_days=days).execute()
        InboxHealth.update(paused_until=None).execute()
        Delivery.update(next_attempt_at=utcnow()).execute()
        drain()
        assert DomainHealth.get().unavailable
        # A signed request from the domain (or a success) makes it available again.
        delivery.mark_domain_alive("flaky.example")
        assert not DomainHealth.get().unavailable


def test_new_activities_to_an_unavailable_domain_wait_without_a_try(fed_app, receiver):
    with fed_app.app_context():
        dead = remote("dead", f"{receiver}/status/500/inbox")
        revived = remote("revived", f"{receiver}/status/202/inbox")
    send_to(fed_app, dead)  # tried (and failed) today
    with fed_app.app_context():
        DomainHealth.update(unavailable=True).execute()
        Receiver.received = []
        ann = Actor.get(Actor.preferred_username == "ann")
        for _ in range(3):
            publish(ann, {"id": new_activity_id(), "type": "Create", "actor": ann.ap_id}, [dead])
        assert drain() == 0 and Receiver.received == []
        parked = Delivery.select().where(Delivery.attempts == 0)
        assert parked.count() == 3
        assert all(row.next_attempt_at > utcnow() + timedelta(hours=23) for row in parked)
        # A day later, one delivery (the oldest) tries the domain; the others wait for another day.
        Delivery.update(next_attempt_at=utcnow(), updated_at=utcnow() - timedelta(days=2)).execute()
        assert drain() == 1 and len(Receiver.received) == 1
        # A domain that answers its daily try takes everything waiting at once.
        DomainHealth.create(domain="revived.example", unavailable=True)
        publish(ann, {"id": new_activity_id(), "type": "Create", "actor": ann.ap_id}, [revived])
        publish(ann, {"id": new_activity_id(), "type": "Create", "actor": ann.ap_id}, [revived])
        assert drain() == 2 and not DomainHealth.get(DomainHealth.domain == "revived.example").unavailable


def test_backoff_schedule_spans_two_to_three_days():
    assert 16 <= backoff(1) <= 76
    total = sum(backoff(n) for n in range(1, 16))
    assert timedelta(days=1.5) < timedelta(seconds=total) < timedelta(days=3.5)
    assert backoff(3, scale=0.5) < backoff(3, scale=1) + 200


def test_retry_after_forms():
    now = utcnow()
    assert retry_after("60", now) == now + timedelta(seconds=60)
    assert retry_after("Wed, 21 Oct 2099 07:28:00 GMT", now) == now + timedelta(days=1)  # capped
    assert retry_after("99999999999", now) is None or retry_after("99999999999", now) <= now + timedelta(days=1)
    assert retry_after("soon", now) is None and retry_after("", now) is None


def test_instances_page_lists_waiting_and_failed_deliveries_per_domain(fed_app, receiver):
    from ..helpers import log_in, submit

    with fed_app.app_context():
        flaky = remote("flaky", f"{receiver}/status/500/inbox")
        refused = remote("strict", f"{receiver}/status/400/inbox")
    send_to(fed_app, flaky, refused)
    with fed_app.app_context():
        DomainHealth.update(unavailable=True).where(DomainHealth.domain == "flaky.example").execute()
    make_account(fed_app, "root@example.org", "boss", admin=True)
    admin = fed_app.test_client()
    log_in(admin, "root@example.org")
    assert admin.get("/admin/deliveries").headers["Location"].endswith("/admin/instances/")
    page = admin.get("/admin/instances/").get_data(as_text=True)
    assert "flaky.example" in page and "strict.example" in page and "unavailable" in page
    assert "HTTP 500" in page
    submit(admin, "/admin/instances/flaky.example/available", {}, page="/admin/instances/")
    with fed_app.app_context():
        assert not DomainHealth.get(DomainHealth.domain == "flaky.example").unavailable
    user = fed_app.test_client()
    log_in(user)
    assert user.get("/admin/instances/").status_code == 403


def test_a_poisoned_row_never_stops_the_queue(fed_app, receiver):
    from mobilizon_lite.models import Activity

    with fed_app.app_context():
        good = remote("good", f"{receiver}/status/202/inbox")
        stored = actor_from_ap({"id": "https://bad.example/u", "type": "Person", "inbox": "https://x:99999/inbox",
                                "endpoints": {"sharedInbox": "javascript:alert(1)"}})
        assert stored.inbox is None and stored.shared_inbox is None  # refused when the actor is stored…
        ann = Actor.get(Actor.preferred_username == "ann")
        publish(ann, {"id": new_activity_id(), "type": "Create", "actor": ann.ap_id}, [good])
        # …and a row that got one anyway fails alone.
        Delivery.create(activity=Activity.get(), inbox_url="https://x:99999/inbox", domain="x",
                        next_attempt_at=utcnow() - timedelta(seconds=5))
        drain()
        states = {row.inbox_url: row.state for row in Delivery.select()}
    assert states[f"{receiver}/status/202/inbox"] == "sent"
    assert states["https://x:99999/inbox"] in ("failed", "pending")


def test_a_tripped_breaker_holds_back_the_rest_of_the_batch(fed_app, receiver):
    with fed_app.app_context():
        actor = remote("dead", f"{receiver}/status/500/inbox")
        ann = Actor.get(Actor.preferred_username == "ann")
        for _ in range(15):
            publish(ann, {"id": new_activity_id(), "type": "Create", "actor": ann.ap_id}, [actor])
        drain()
        assert InboxHealth.get().consecutive_failures == 10
        assert Delivery.select().where(Delivery.attempts == 0).count() == 5


def test_each_domain_is_served_in_order_over_a_kept_connection(fed_app):
    KeptAliveReceiver.received, KeptAliveReceiver.ports = [], []
    with loopback_server(KeptAliveReceiver) as url, fed_app.app_context():
        actors = [remote(f"r{i}", f"{url}/status/202/r{i}") for i in range(6)]
        ann = Actor.get(Actor.preferred_username == "ann")
        ids = [new_activity_id() for _ in range(4)]
        for activity_id in ids:
            publish(ann, {"id": activity_id, "type": "Create", "actor": ann.ap_id}, actors)
        assert drain() == 24
        assert {row.state for row in Delivery.select()} == {"sent"}
    for number in range(6):
        path = f"/status/202/r{number}"
        assert [body["id"] for inbox, body, _key in KeptAliveReceiver.received if inbox == path] == ids
        assert len({port for inbox, port in KeptAliveReceiver.ports if inbox == path}) == 1
    # One connection per worker at most, however many inboxes.
    assert len({port for _inbox, port in KeptAliveReceiver.ports}) <= fed_app.config["DELIVERY_THREADS"]
