"""Two real server processes on one instance both drain the delivery queue (each starts a drain for the
events created through it, the lease holder on its interval too): a loopback inbox counting POSTs gets
every activity once. A server killed while it sends leaves its rows claimed, due again once the claim
has passed."""
import json
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.delivery import drain
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Delivery, Follow
from mobilizon_lite.services import events, places

from .. import databases
from ..harness import RunningInstance, loopback_server, wait_until
from ..helpers import all_at_once, event_fields, logged_in, make_account, service_fields

FOLLOWERS = 8
EVENTS = 6


class CountingInbox(BaseHTTPRequestHandler):
    """Answers 202 a little slowly (so that drains overlap), counting POSTs by inbox and activity."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(0.05)
        with self.server.lock:
            self.server.posts[(self.path, body["id"])] += 1
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_two_drainers_never_send_a_delivery_twice(tmp_path, test_settings, instance_env):
    posts = Counter()
    env = dict(instance_env, MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8",
               MOBILIZON_LITE_DELIVERY_INTERVAL="1")
    first = RunningInstance(tmp_path / "instance", env=env, log=tmp_path / "first.log")
    second = RunningInstance(tmp_path / "instance", env=env, log=tmp_path / "second.log")
    app = create_app({**test_settings, **databases.instance_settings(first.path)}, instance_path=str(first.path))
    make_account(app)
    with app.app_context():
        # Else the events' town would have each of the six first requests fill the gazetteer (seconds of writes).
        places.load()
    with loopback_server(CountingInbox, posts=posts, lock=threading.Lock()) as inbox:
        with app.app_context():
            ann = Actor.get(Actor.preferred_username == "ann")
            for number in range(FOLLOWERS):
                follower = Actor.create(preferred_username=f"f{number}", domain="127.0.0.1",
                                        ap_id=f"{inbox}/users/f{number}", inbox=f"{inbox}/users/f{number}/inbox")
                Follow.create(follower=follower, followed=ann, ap_id=f"{inbox}/follows/{number}", accepted=True)
        try:
            first.start()
            second.start()
            sessions = [logged_in(server.base, "ann@example.org", server.base + "/events/new")
                        for server in (first, second) for _ in range(EVENTS // 2)]

            def create(session, token, base):
                response = session.post(base + "/events/new", data=dict(event_fields(), csrf_token=token),
                                        allow_redirects=False, timeout=60)
                assert response.status_code == 302, response.text[-2000:]

            bases = [server.base for server in (first, second) for _ in range(EVENTS // 2)]
            all_at_once(create, [(*session, base) for session, base in zip(sessions, bases, strict=True)])

            def all_sent():
                with app.app_context():
                    states = Counter(row.state for row in Delivery.select(Delivery.state))
                return states == {"sent": EVENTS * FOLLOWERS}

            wait_until(all_sent, timeout=60)
        finally:
            second.stop()
            first.stop()
    assert len(posts) == EVENTS * FOLLOWERS
    assert set(posts.values()) == {1}, [key for key, count in posts.items() if count > 1]


class HangingInbox(BaseHTTPRequestHandler):
    """Holds the first POST without answering until the test lets it go; answers the others 202."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append(self.path)
        if len(self.server.posts) == 1:
            self.server.release.wait(30)
            return
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_delivery_claimed_by_a_killed_server_is_sent_once_its_claim_has_passed(tmp_path, test_settings,
                                                                                  instance_env):
    server = RunningInstance(tmp_path / "instance", env=dict(
        instance_env, MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8", MOBILIZON_LITE_DELIVERY_INTERVAL="1"))
    app = create_app({**test_settings, **databases.instance_settings(server.path),
                      "ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8"}, instance_path=str(server.path))
    make_account(app)
    posts, release = [], threading.Event()
    with loopback_server(HangingInbox, posts=posts, release=release) as inbox:
        with app.app_context():
            ann = Actor.get(Actor.preferred_username == "ann")
            follower = Actor.create(preferred_username="f", domain="127.0.0.1", ap_id=f"{inbox}/users/f",
                                    inbox=f"{inbox}/users/f/inbox")
            Follow.create(follower=follower, followed=ann, ap_id=f"{inbox}/follows/1", accepted=True)
            events.create_event(ann, service_fields())  # its Create, queued for the follower
        try:
            server.start()
            wait_until(lambda: posts, timeout=30)  # its drain claimed the row and is sending it
            server.process.kill()
            server.process.wait(timeout=10)
        finally:
            release.set()
            server.stop()
        with app.app_context():
            [row] = Delivery.select()
            assert row.state == "pending" and row.attempts == 0
            assert row.next_attempt_at > utcnow() + timedelta(minutes=1)  # still claimed
            assert drain() == 0  # by nobody alive, but nobody else takes it
            Delivery.update(next_attempt_at=utcnow()).execute()  # the claim's minutes have passed
            assert drain() == 1
            assert Delivery.get().state == "sent"
    assert posts == ["/users/f/inbox"] * 2  # sent again: the killed server may or may not have sent it
