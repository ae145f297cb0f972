"""Two real server processes on one instance both drain the delivery queue (each starts a drain for the
events created through it, the lease holder on its interval too): a loopback inbox counting POSTs gets
every activity once."""
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

from mobilizon_lite import create_app
from mobilizon_lite.models import Actor, Delivery, Follow

from ..harness import RunningInstance, loopback_server, wait_until
from ..helpers import all_at_once, event_fields, logged_in, make_account

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
    app = create_app(test_settings, instance_path=str(first.path))
    make_account(app)
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
