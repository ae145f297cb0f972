"""Two real instances on their own loopback addresses follow each other over signed HTTP;
deliveries to a stopped instance wait in the database and arrive once it is back."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from ..helpers import PASSWORD, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


class Instance:
    def __init__(self, tmp_path, host, name):
        self.host, self.port, self.name = host, free_port(host), name
        self.path = tmp_path / name
        self.base = f"http://{host}:{self.port}"
        self.process = None
        self.log = self.path.with_suffix(".log")
        self.env = dict(os.environ, MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8",
                        MOBILIZON_LITE_DELIVERY_INTERVAL="1", MOBILIZON_LITE_DELIVERY_BACKOFF_SCALE="0.02",
                        MOBILIZON_LITE_INSTANCE_NAME=name)

    def run(self, *args, stdin=None):
        return subprocess.run([sys.executable, str(ROOT / "run.py"), *args, "--host", self.host, "--port",
                               str(self.port), "--instance-path", str(self.path)],
                              input=stdin, capture_output=True, text=True, env=self.env, timeout=60, check=True)

    def create_user(self, username):
        """An account username@example.org (password PASSWORD) with the identity @username."""
        self.run("create-user", f"{username}@example.org", "--identity", username, "--password-stdin",
                 stdin=PASSWORD + "\n")

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--host", self.host, "--port", str(self.port),
             "--instance-path", str(self.path)],
            stdout=self.log.open("a"), stderr=subprocess.STDOUT, env=self.env)
        wait_until(self.answers, timeout=20)

    def answers(self):
        try:
            return requests.get(self.base + "/", timeout=1).ok
        except requests.ConnectionError:
            return False

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)

    def session(self, email):
        session = requests.Session()
        session.post(self.base + "/login", data={"csrf_token": token(session, self.base + "/login"),
                                                 "email": email, "password": PASSWORD}, timeout=10)
        return session

    def collection_size(self, path):
        response = requests.get(self.base + path, headers={"Accept": "application/activity+json"}, timeout=5)
        return response.json()["totalItems"]


@contextmanager
def serving_ann(path, host, name):
    """An instance whose one account is ann (@ann), served until the block ends."""
    server = Instance(path, host, name)
    server.create_user("ann")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def token(session, url):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(url, timeout=10).text).group(1)


def post_form(instance, session, path, data, page="/identities/"):
    return session.post(instance.base + path, data={"csrf_token": token(session, instance.base + page), **data},
                        timeout=30, allow_redirects=False)


@pytest.fixture
def instances(tmp_path):
    a, b = Instance(tmp_path, "127.0.0.2", "alpha"), Instance(tmp_path, "127.0.0.3", "beta")
    a.create_user("ann")
    b.create_user("bob")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def identity_id(instance, session):
    return re.search(r'<option value="(\d+)" selected>', session.get(instance.base + "/identities/").text).group(1)


def test_follow_accept_unfollow_and_delivery_after_restart(instances):
    a, b = instances
    ann = a.session("ann@example.org")
    # WebFinger lookup of the other instance's user, then a signed Follow, then B's Accept.
    response = post_form(a, ann, "/identities/follow",
                         {"identity": identity_id(a, ann), "handle": f"@bob@{b.host}:{b.port}"})
    assert response.status_code == 302, response.text[-2000:]
    wait_until(lambda: b.collection_size("/@bob/followers") == 1, timeout=20)
    wait_until(lambda: a.collection_size("/@ann/following") == 1, timeout=20)
    # Followers from elsewhere are named with their server, once.
    assert f"@ann@{a.host}:{a.port}</span>" in requests.get(b.base + "/@bob", timeout=5).text

    # The other way round: bob follows ann by the URL of her profile.
    bob = b.session("bob@example.org")
    post_form(b, bob, "/identities/follow", {"identity": identity_id(b, bob), "handle": f"{a.base}/@ann"})
    wait_until(lambda: a.collection_size("/@ann/followers") == 1, timeout=20)

    # B goes down; ann unfollows bob: the Undo waits in A's database, and A itself is killed.
    b.stop()
    page = ann.get(a.base + "/identities/").text
    unfollow = re.search(r'action="(/identities/ann/unfollow/\d+)"', page).group(1)
    assert post_form(a, ann, unfollow, {}).status_code == 302
    assert a.collection_size("/@ann/following") == 0
    a.stop(signal.SIGKILL)
    a.start()
    b.start()
    wait_until(lambda: b.collection_size("/@bob/followers") == 0, timeout=30)
    # Exactly once: A got one 202 for the Undo and recorded it sent; B stored it a single time.
    wait_until(lambda: re.search(r"delivery of Undo to \S+: 202", a.log.read_text()), timeout=10)
    assert len(re.findall(r"delivery of Undo to \S+: 202", a.log.read_text())) == 1
    with sqlite3.connect(a.path / "mobilizon_lite.sqlite3") as db:
        assert db.execute("SELECT d.state FROM delivery d JOIN activity a ON a.id = d.activity_id "
                          "WHERE a.type = 'Undo'").fetchall() == [("sent",)]
    assert b.log.read_text().count("inbox: Undo") == 1
    assert bob.get(b.base + "/@bob").ok


def test_unknown_remote_account_is_a_clear_404(instances):
    a, b = instances
    ann = a.session("ann@example.org")
    response = post_form(a, ann, "/identities/follow",
                         {"identity": identity_id(a, ann), "handle": f"@nobody@{b.host}:{b.port}"})
    assert response.status_code == 404
    assert "Nobody could be found" in response.text


def test_a_deleted_identity_leaves_the_other_server_too(instances):
    from .test_three_instances import copy_of, create_event, follow, join, participant_count

    a, b = instances
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    assert post_form(a, ann, "/identities/new", {"username": "club", "name": "", "summary": ""},
                     page="/identities/new").status_code == 302
    # club (acting now) follows bob and joins his event; bob follows club back.
    follow(a, ann, f"@bob@{b.host}:{b.port}")
    wait_until(lambda: b.collection_size("/@bob/followers") == 1, timeout=20)
    follow(b, bob, f"{a.base}/@club")
    wait_until(lambda: a.collection_size("/@club/followers") == 1, timeout=20)
    uuid = create_event(b, bob, title="Relay race")
    before = participant_count(b, uuid)
    assert join(a, ann, copy_of(a, "Relay race")).status_code == 302
    wait_until(lambda: participant_count(b, uuid) == before + 1, timeout=20)

    page = "/identities/club/delete"
    assert post_form(a, ann, page, {}, page=page).status_code == 302
    # Its Delete reaches B: club no longer follows, is followed, nor takes part there.
    wait_until(lambda: participant_count(b, uuid) == before and b.collection_size("/@bob/followers") == 0,
               timeout=30)
    assert "club" not in bob.get(b.base + "/identities/").text
    with sqlite3.connect(b.path / "mobilizon_lite.sqlite3") as db:
        assert db.execute("SELECT deleted_at IS NOT NULL FROM actor WHERE ap_id = ?",
                          (f"{a.base}/@club",)).fetchall() == [(1,)]
    gone = requests.get(f"{a.base}/@club", headers={"Accept": "application/activity+json"}, timeout=5)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"
    assert requests.get(f"{a.base}/@club", timeout=5).status_code == 410
