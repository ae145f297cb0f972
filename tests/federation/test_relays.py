"""Instance followings (relays) between real instances on loopback: A's administrator makes A follow B's
instance actor, B's administrator approves, B's public events (created, updated, cancelled) reach A's home
page until A unfollows; and a Mobilizon-shaped instance follows B's /relay (refused, accepted, accepted at
once once the setting says so) and relays its own events to A."""
import re

import pytest
import requests

from ..harness import PASSWORD
from ..helpers import event_fields, wait_until
from .live import NEXT_YEAR, copy_of, create_event, one, post_form
from .mobilizon_relay import MobilizonInstance

pytestmark = pytest.mark.slow
PAGE = "/admin/relays/"
ROOT = "root@example.org"


def _with_admin(instance):
    instance.run("create-user", ROOT, "--identity", "chief", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    return instance


@pytest.fixture(scope="module")
def pair(tmp_path_factory, federating):
    folder = tmp_path_factory.mktemp("relays")
    a, b = federating(folder, "127.0.0.2", "alpha"), federating(folder, "127.0.0.3", "beta", "bob")
    with _with_admin(a), _with_admin(b):
        yield a, b


@pytest.fixture(scope="module")
def mobilizon():
    site = MobilizonInstance("127.0.0.8")
    yield site
    site.close()


def admin_page(instance, session):
    return session.get(instance.base + PAGE, timeout=10).text


def act(instance, session, path, data=None):
    """Post one of the page's forms; the page it leads to."""
    response = post_form(instance, session, path, data or {}, page=PAGE)
    assert response.status_code == 302, response.text[-2000:]
    return admin_page(instance, session)


def request_action(page, domain, decision):
    """The form action accepting or refusing the follow request of the instance at domain."""
    return re.search(rf'{re.escape(domain)}</a>\s*<form method="post" action="([^"]+/followers/\d+/)accept"',
                     page).group(1) + decision


def logged(instance, action):
    return one(instance, "SELECT target_label FROM moderation_log WHERE action = ? ORDER BY id DESC", action)


def relay_document(instance):
    return requests.get(instance.base + "/relay", headers={"Accept": "application/activity+json"}, timeout=5).json()


def edit_event(instance, session, uuid, **fields):
    page = f"/events/{uuid}/edit"
    response = post_form(instance, session, page, event_fields(**fields), page=page)
    assert response.status_code == 302, response.text[-3000:]


def home(instance):
    return requests.get(instance.base + "/", timeout=5).text


def test_an_instance_follows_another_and_gets_its_public_events_until_it_unfollows(pair):
    a, b = pair
    root_a, root_b, bob = a.session(ROOT), b.session(ROOT), b.session("bob@example.org")
    b_domain = f"{b.host}:{b.port}"

    # A asks by B's domain (found through B's NodeInfo); B's administrator approves.
    page = act(a, root_a, PAGE + "follow", {"address": b_domain})
    assert "pending" in page and b_domain in page
    assert logged(a, "follow_instance")["target_label"] == b_domain
    wait_until(lambda: f"{a.host}:{a.port}</a>" in admin_page(b, root_b), timeout=30)
    assert b.collection_size("/relay/followers") == 0
    act(b, root_b, request_action(admin_page(b, root_b), f"{a.host}:{a.port}", "accept"))
    assert logged(b, "accept_instance_follower")["target_label"] == f"{a.host}:{a.port}"
    assert b.collection_size("/relay/followers") == 1
    wait_until(lambda: "accepted" in admin_page(a, root_a), timeout=30)
    assert a.collection_size("/relay/following") == 1

    # bob's public event reaches A (nobody on A follows bob), then its update and its cancellation.
    original = create_event(b, bob, title="Relay picnic")
    picnic = copy_of(a, "Relay picnic")
    edit_event(b, bob, original, title="Relay picnic, moved")
    wait_until(lambda: "Relay picnic, moved" in home(a), timeout=30)
    post_form(b, bob, f"/events/{original}/cancel", {}, page=f"/events/{original}/cancel")
    wait_until(lambda: "This event is cancelled." in requests.get(f"{a.base}/events/{picnic}", timeout=5).text,
               timeout=30)
    # An unlisted event is not the instances' to list: nothing is sent to them.
    create_event(b, bob, title="Between us", visibility="unlisted")

    # A unfollows: B forgets A, and bob's next public event is sent to nobody.
    action = re.search(r'action="(/admin/relays/following/\d+/unfollow)"', admin_page(a, root_a)).group(1)
    assert "This instance follows no other instance." in act(a, root_a, action)
    assert logged(a, "unfollow_instance")["target_label"] == b_domain
    wait_until(lambda: b.collection_size("/relay/followers") == 0, timeout=30)
    create_event(b, bob, title="After the unfollow")
    deliveries = one(b, "SELECT count(*) AS n FROM delivery JOIN activity ON activity.id = delivery.activity_id "
                        "WHERE activity.body LIKE '%After the unfollow%' OR activity.body LIKE '%Between us%'")
    assert deliveries["n"] == 0
    assert one(a, "SELECT id FROM event WHERE title IN ('After the unfollow', 'Between us')") is None


def test_a_mobilizon_relay_is_refused_accepted_then_accepted_at_once(pair, mobilizon):
    _a, b = pair
    root_b, bob = b.session(ROOT), b.session("bob@example.org")
    inbox, relay = f"{b.base}/inbox", f"{b.base}/relay"
    assert relay_document(b)["manuallyApprovesFollowers"] is True

    def answer(verb, follow):
        return mobilizon.received(lambda activity: activity["type"] == verb and isinstance(activity["object"], dict)
                                  and activity["object"].get("id") == follow["id"])

    # Approval by default: the request waits; refused, then asked again and accepted.
    first = mobilizon.follow(inbox, relay)
    wait_until(lambda: mobilizon.base.split("//")[1] + "</a>" in admin_page(b, root_b), timeout=30)
    assert not mobilizon.inbox
    act(b, root_b, request_action(admin_page(b, root_b), mobilizon.base.split("//")[1], "reject"))
    rejected, signer = answer("Reject", first)
    assert signer == relay and rejected["actor"] == relay
    second = mobilizon.follow(inbox, relay)
    wait_until(lambda: "follow-requests" in admin_page(b, root_b), timeout=30)
    act(b, root_b, request_action(admin_page(b, root_b), mobilizon.base.split("//")[1], "accept"))
    accepted, signer = answer("Accept", second)
    assert signer == relay and accepted["object"]["object"] == relay
    assert b.collection_size("/relay/followers") == 1

    # Public events published on B are sent to the relay's inbox.
    create_event(b, bob, title="For Mobilizon")
    created, signer = mobilizon.received(lambda activity: activity["type"] == "Create"
                                         and activity["object"].get("name") == "For Mobilizon")
    assert signer == f"{b.base}/@bob" and created["object"]["type"] == "Event"

    # Undo: no longer a follower.
    mobilizon.undo(inbox, second)
    wait_until(lambda: b.collection_size("/relay/followers") == 0, timeout=30)

    # Accepted at once once the administrator says so (the actor document tells it too).
    act(b, root_b, PAGE + "approval", {})
    assert logged(b, "instance_follow_approval")["target_label"] == "automatic"
    assert relay_document(b)["manuallyApprovesFollowers"] is False
    third = mobilizon.follow(inbox, relay)
    answer("Accept", third)
    assert b.collection_size("/relay/followers") == 1
    act(b, root_b, PAGE + "approval", {"manual": "y"})
    assert relay_document(b)["manuallyApprovesFollowers"] is True


def test_a_followed_mobilizon_relay_brings_its_events(pair, mobilizon):
    a, _b = pair
    root_a = a.session(ROOT)
    launch = mobilizon.event("Launching party, relayed", NEXT_YEAR)
    # Before A follows it, what the relay announces is nothing to A.
    mobilizon.announce(f"{a.base}/inbox", launch)
    wait_until(lambda: one(a, "SELECT state FROM inbox_item WHERE activity_id = ?",
                           f"{launch['id']}/announces/1")["state"] != "received", timeout=30)
    assert one(a, "SELECT id FROM event WHERE title = ?", launch["name"]) is None

    # A follows it by its domain (its NodeInfo names /relay): refused, A's administrator sees it and asks
    # again; accepted, the relay announces again.
    domain = mobilizon.base.split("//")[1]
    act(a, root_a, PAGE + "follow", {"address": domain})
    follow, signer = mobilizon.received(lambda activity: activity["type"] == "Follow")
    assert signer == f"{a.base}/relay" and follow["object"] == mobilizon.relay_id
    mobilizon.answer(f"{a.base}/inbox", "Reject", follow)
    wait_until(lambda: "refused" in admin_page(a, root_a), timeout=30)
    act(a, root_a, PAGE + "follow", {"address": mobilizon.relay_id})
    refused = follow["id"]
    follow, _signer = mobilizon.received(lambda activity: activity["type"] == "Follow" and activity["id"] != refused)
    mobilizon.answer(f"{a.base}/inbox", "Accept", follow)
    wait_until(lambda: "accepted" in admin_page(a, root_a), timeout=30)
    assert a.collection_size("/relay/following") == 1
    mobilizon.announce(f"{a.base}/inbox", launch, number=2)
    copy = copy_of(a, launch["name"])
    assert one(a, "SELECT actor.ap_id FROM event JOIN actor ON actor.id = event.organizer_id WHERE uuid = ?",
               copy)["ap_id"] == mobilizon.person_id

    # The relay's word is not taken for an event it says someone of another server made: its origin is
    # asked, and answers that there is no such event.
    forged = {**launch, "id": f"{mobilizon.base}/events/forged", "name": "Forged", "actor": f"{a.base}/@chief",
              "attributedTo": f"{a.base}/@chief"}
    mobilizon.announce(f"{a.base}/inbox", forged)
    wait_until(lambda: one(a, "SELECT state FROM inbox_item WHERE activity_id = ?",
                           f"{forged['id']}/announces/1")["state"] == "ignored", timeout=30)
    assert one(a, "SELECT id FROM event WHERE title = 'Forged'") is None

    # A deletion relayed (Mobilizon's relay announces the Tombstone) counts once the origin confirms it:
    # while the event is still served there, it stays.
    tombstone = {"id": launch["id"], "type": "Tombstone", "formerType": "Event"}
    mobilizon.announce(f"{a.base}/inbox", tombstone, number=3)
    wait_until(lambda: one(a, "SELECT state FROM inbox_item WHERE activity_id = ?",
                           f"{launch['id']}/announces/3")["state"] != "received", timeout=30)
    assert one(a, "SELECT id FROM event WHERE uuid = ?", copy) is not None
    del mobilizon.documents[launch["id"]]
    mobilizon.announce(f"{a.base}/inbox", tombstone, number=4)
    wait_until(lambda: one(a, "SELECT id FROM event WHERE uuid = ?", copy) is None, timeout=30)
