"""A group on one running instance followed from another instance, from a Mastodon-shaped account and from
bovine: Follow, Accept (or the moderators' decision), Undo; then the group Announces its events and posts,
signed with its own key, and each follower gets them in a shape it can use."""
import re

import pytest
import requests

from mobilizon_lite.activitypub.vocab import get_id

from ..harness import form_token
from ..helpers import event_fields, wait_until
from .live import NEXT_YEAR, copy_of, follow, identity_id, join, one, post_form
from .mastodon_follower import MastodonAccount, renders
from .peer import Peer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair(tmp_path_factory, federating):
    folder = tmp_path_factory.mktemp("group-follows")
    a, b = federating(folder, "127.0.0.2", "alpha", "ann"), federating(folder, "127.0.0.3", "beta", "bob")
    with a, b:
        yield a, b


@pytest.fixture(scope="module")
def mastodon():
    account = MastodonAccount("127.0.0.7")
    yield account
    account.close()


@pytest.fixture(scope="module")
def bovine():
    server = Peer("127.0.0.6", name="bea").start()
    yield server
    server.stop()


def make_group(instance, session, username, **settings):
    """A group made through the form; its actor URL."""
    page = f"{instance.base}/groups/new"
    made = session.post(page, timeout=10, data={
        "csrf_token": form_token(session, page), "identity": identity_id(instance, session), "username": username,
        "name": username.title(), "summary": "", "visibility": "public", "openness": "open", **settings})
    assert made.status_code == 200 and username.title() in made.text, made.text[-1000:]
    return f"{instance.base}/@{username}"


def group_id(instance, username):
    return one(instance, "SELECT id FROM actor WHERE preferred_username = ? AND domain IS NULL", username)["id"]


def is_announce_of(kind, name):
    def match(activity):
        shown = activity.get("object")
        return (activity.get("type") == "Announce" and isinstance(shown, dict) and shown.get("type") == kind
                and shown.get("name") == name)
    return match


@pytest.fixture(scope="module")
def club(pair, mastodon, bovine):
    """bob's open group on B, followed by ann on A, by the Mastodon account and by bovine's bea."""
    a, b = pair
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    club = make_group(b, bob, "club")
    follow(a, ann, f"@club@{b.host}:{b.port}")
    mastodon.follow(f"{club}/inbox", club)
    status, _answer = bovine.post(f"{club}/inbox", {"@context": "https://www.w3.org/ns/activitystreams",
                                                     "id": f"{bovine.base}/follows/1", "type": "Follow",
                                                     "actor": bovine.actor_id, "object": club})
    assert status == 202
    wait_until(lambda: b.collection_size("/@club/followers") == 3, timeout=30)
    wait_until(lambda: one(a, "SELECT accepted FROM follow")["accepted"] == 1, timeout=30)
    return {"url": club, "ann": ann, "bob": bob}


def test_follows_of_a_group_are_accepted_by_the_group(club, mastodon, bovine):
    accept, signer = mastodon.received(lambda activity: activity.get("type") == "Accept")
    assert signer == club["url"] and accept["actor"] == club["url"]
    accept, owner = wait_until(lambda: next(((a, o) for a, o in bovine.inbox if a.get("type") == "Accept"), None),
                               timeout=30)
    assert owner == club["url"] and get_id(accept["object"]) == f"{bovine.base}/follows/1"


def test_a_group_approving_its_followers_lets_its_moderators_decide(pair, mastodon):
    _a, b = pair
    bob = b.session("bob@example.org")
    quiet = make_group(b, bob, "quiet", manually_approves_followers="y")
    follow = mastodon.follow(f"{quiet}/inbox", quiet)
    wait_until(lambda: "/@quiet/followers/" in bob.get(quiet, timeout=10).text, timeout=30)
    assert b.collection_size("/@quiet/followers") == 0
    assert not any(a.get("type") == "Accept" and a["actor"] == quiet for a, _signer in mastodon.inbox)
    decide = re.search(r'action="(/@quiet/followers/\d+/accept)"', bob.get(quiet, timeout=10).text).group(1)
    assert post_form(b, bob, decide, {}, page="/@quiet").status_code == 302
    accept, signer = mastodon.received(lambda activity: activity.get("type") == "Accept" and activity["actor"] == quiet)
    assert signer == quiet and get_id(accept["object"]) == follow["id"]
    assert b.collection_size("/@quiet/followers") == 1
    mastodon.undo(f"{quiet}/inbox", follow)
    wait_until(lambda: b.collection_size("/@quiet/followers") == 0, timeout=30)


def test_a_group_event_is_announced_to_every_follower_and_joinable_from_elsewhere(pair, club, mastodon, bovine):
    a, b = pair
    fields = event_fields(identity=identity_id(b, club["bob"]), group=str(group_id(b, "club")), title="Club picnic",
                          start_date=f"{NEXT_YEAR}-06-01")
    response = post_form(b, club["bob"], "/events/new", fields, page="/events/new")
    assert response.status_code == 302, response.text[-2000:]

    # Mastodon: the group's boost of the Event, signed by the group, which it shows as the group's post.
    announce, signer = mastodon.received(is_announce_of("Event", "Club picnic"))
    assert signer == club["url"] and renders(announce)
    assert announce["object"]["actor"] == f"{b.base}/@bob"
    # The member's own Create goes along, attributed to the group.
    create, _signer = mastodon.received(lambda activity: activity.get("type") == "Create")
    assert create["actor"] == f"{b.base}/@bob" and create["object"]["attributedTo"] == club["url"]

    # bovine checks the group's signature on its Announce.
    announced = is_announce_of("Event", "Club picnic")
    announce, owner = wait_until(lambda: next(((x, o) for x, o in bovine.inbox if announced(x)), None), timeout=30)
    assert owner == club["url"]

    # A stores the event as the group's, and ann joins it from there.
    uuid = copy_of(a, "Club picnic")
    stored = one(a, "SELECT g.ap_id AS grp, o.ap_id AS organizer FROM event e "
                    "JOIN actor g ON g.id = e.attributed_to_id JOIN actor o ON o.id = e.organizer_id "
                    "WHERE e.uuid = ?", uuid)
    assert stored == {"grp": club["url"], "organizer": f"{b.base}/@bob"}
    assert join(a, club["ann"], uuid).status_code == 302
    wait_until(lambda: "You take part as @ann." in club["ann"].get(f"{a.base}/events/{uuid}", timeout=10).text,
               timeout=30)


def test_a_group_events_change_and_withdrawal_are_announced_to_every_follower(pair, club, mastodon, bovine):
    a, b = pair
    bob = club["bob"]
    fields = event_fields(identity=identity_id(b, bob), group=str(group_id(b, "club")), title="Club ride",
                          start_date=f"{NEXT_YEAR}-07-01")
    created = post_form(b, bob, "/events/new", fields, page="/events/new")
    assert created.status_code == 302, created.text[-2000:]
    ride = created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    event_id = f"{b.base}/events/{ride}"
    copy_of(a, "Club ride")

    # Its change: each follower gets the group's Announce of the Event as it is now, which Mastodon shows.
    edit = f"/events/{ride}/edit"
    assert post_form(b, bob, edit, {**fields, "title": "Club ride, at dawn"}, page=edit).status_code == 302
    announce, signer = mastodon.received(is_announce_of("Event", "Club ride, at dawn"))
    assert signer == club["url"] and renders(announce)
    changed = is_announce_of("Event", "Club ride, at dawn")
    wait_until(lambda: any(changed(x) and o == club["url"] for x, o in bovine.inbox), timeout=30)
    wait_until(lambda: one(a, "SELECT title FROM event WHERE ap_id = ?", event_id)["title"] == "Club ride, at dawn",
               timeout=30)

    # Made private, it is withdrawn: the group Announces the Delete to each follower, and A forgets it.
    assert post_form(b, bob, edit, {**fields, "title": "Club ride, at dawn", "visibility": "private"},
                     page=edit).status_code == 302

    def withdrawal(activity):
        inner = activity.get("object")
        return (activity.get("type") == "Announce" and isinstance(inner, dict) and inner.get("type") == "Delete"
                and get_id(inner.get("object")) == event_id)

    _announce, signer = mastodon.received(withdrawal)
    assert signer == club["url"]
    wait_until(lambda: any(withdrawal(x) and o == club["url"] for x, o in bovine.inbox), timeout=30)
    wait_until(lambda: one(a, "SELECT id FROM event WHERE ap_id = ?", event_id) is None, timeout=30)


def post_of(instance, group):
    return one(instance, "SELECT p.title, p.body FROM post p JOIN actor g ON g.id = p.group_id WHERE g.ap_id = ?",
               group)


def test_a_public_post_is_announced_changed_and_deleted_everywhere(pair, club, mastodon):
    a, b = pair
    bob = club["bob"]
    page = "/@club/posts/new"
    response = post_form(b, bob, page, {"title": "Club news", "body": "We ride on **Sunday**.", "visibility": "public"},
                         page=page)
    assert response.status_code == 302, response.text[-2000:]
    slug = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    announce, signer = mastodon.received(is_announce_of("Article", "Club news"))
    assert signer == club["url"] and renders(announce)
    wait_until(lambda: post_of(a, club["url"]), timeout=30)
    assert post_of(a, club["url"]) == {"title": "Club news", "body": "<p>We ride on <strong>Sunday</strong>.</p>"}
    # Its copy is not served as A's own.
    assert requests.get(f"{a.base}/p/{slug}", timeout=10).status_code == 404

    edit = f"/p/{slug}/edit"
    assert post_form(b, bob, edit, {"title": "Club news, updated", "body": "Sunday, 9 am.", "visibility": "public"},
                     page=edit).status_code == 302
    wait_until(lambda: (post_of(a, club["url"]) or {}).get("title") == "Club news, updated", timeout=30)

    delete = f"/p/{slug}/delete"
    assert post_form(b, bob, delete, {}, page=delete).status_code == 302
    wait_until(lambda: post_of(a, club["url"]) is None, timeout=30)
    announce, signer = mastodon.received(lambda activity: activity.get("type") == "Announce"
                                         and get_id(activity.get("object", {}).get("object")) == f"{b.base}/p/{slug}"
                                         and activity["object"].get("type") == "Delete")
    assert signer == club["url"]


def test_a_follower_leaving_is_no_longer_sent_anything(pair, club, mastodon):
    _a, b = pair
    follow = next(activity for activity, _signer in mastodon.inbox
                  if activity.get("type") == "Accept" and activity["actor"] == club["url"])["object"]
    mastodon.undo(f"{club['url']}/inbox", follow)
    wait_until(lambda: b.collection_size("/@club/followers") == 2, timeout=30)

