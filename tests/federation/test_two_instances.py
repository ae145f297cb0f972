"""Two real instances on their own loopback addresses follow each other over signed HTTP;
deliveries to a stopped instance wait in the database and arrive once it is back."""
import re
import signal

import pytest
import requests

from ..helpers import wait_until
from .live import copy_of, create_event, follow, identity_id, join, participant_count, post_form

pytestmark = pytest.mark.slow


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
    # Its first try failed and is recorded: the Undo waits for its retry (a drain killed while it sends
    # leaves its rows claimed for minutes).
    wait_until(lambda: re.search(r"delivery of Undo to \S+: (?!202)", a.log.read_text()), timeout=10)
    a.stop(signal.SIGKILL)
    a.start()
    b.start()
    wait_until(lambda: b.collection_size("/@bob/followers") == 0, timeout=30)
    # Exactly once: A got one 202 for the Undo and recorded it sent; B stored it a single time.
    wait_until(lambda: re.search(r"delivery of Undo to \S+: 202", a.log.read_text()), timeout=10)
    assert len(re.findall(r"delivery of Undo to \S+: 202", a.log.read_text())) == 1
    assert a.query("SELECT d.state FROM delivery d JOIN activity a ON a.id = d.activity_id "
                   "WHERE a.type = 'Undo'") == [{"state": "sent"}]
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
    assert b.query("SELECT deleted_at IS NOT NULL AS gone FROM actor WHERE ap_id = ?",
                   f"{a.base}/@club") == [{"gone": 1}]
    gone = requests.get(f"{a.base}/@club", headers={"Accept": "application/activity+json"}, timeout=5)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"
    assert requests.get(f"{a.base}/@club", timeout=5).status_code == 410
