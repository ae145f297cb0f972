"""Comments reach every server holding the event: B, the event's server, relays a comment from A to C in
an Announce, C takes it (its edit, its deletion) from A and never from the Announce, a server nobody
involved gets nothing; and a moderator of B's group, not the event's creator, answers a Join from A."""
import json
import re
import uuid

import pytest

from ..helpers import wait_until
from .live import copy_of, create_event, follow, handled, identity_id, join, one, participant_count, post_form
from .peer import Peer

pytestmark = pytest.mark.slow

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def four(tmp_path, federating):
    instances = (federating(tmp_path, "127.0.0.2", "alpha", "ann"), federating(tmp_path, "127.0.0.3", "beta", "bob"),
                 federating(tmp_path, "127.0.0.4", "gamma", "cat"), federating(tmp_path, "127.0.0.5", "delta", "dan"))
    for instance in instances:
        instance.start()
    yield instances
    for instance in instances:
        instance.stop()


def page_of(instance, session, uuid):
    return session.get(f"{instance.base}/events/{uuid}", timeout=10).text


def comment_on(instance, session, uuid, text):
    page = f"/events/{uuid}"
    assert post_form(instance, session, f"{page}/comments", {"text": text}, page=page).status_code == 302
    return one(instance, "SELECT id, ap_id FROM comment ORDER BY id DESC")


def stored_text(instance, ap_id):
    row = one(instance, "SELECT text FROM comment WHERE ap_id = ?", ap_id)
    return row and row["text"]


def test_a_comment_from_a_reaches_c_through_the_events_server(four):
    a, b, c, d = four
    ann, bob, cat = a.session("ann@example.org"), b.session("bob@example.org"), c.session("cat@example.org")
    follow(a, ann, f"{b.base}/@bob")
    follow(c, cat, f"{b.base}/@bob")
    wait_until(lambda: b.collection_size("/@bob/followers") == 2, timeout=30)
    picnic = create_event(b, bob, title="Picnic")
    picnic_a, picnic_c = copy_of(a, "Picnic"), copy_of(c, "Picnic")
    join(a, ann, picnic_a)
    join(c, cat, picnic_c)
    wait_until(lambda: participant_count(b, picnic) == 2, timeout=30)

    # ann's comment goes to B only; B relays it to C (never back to A), C reads it from A.
    cake = comment_on(a, ann, picnic_a, "I bring the **cake**")
    wait_until(lambda: stored_text(c, cake["ap_id"]) == "<p>I bring the <strong>cake</strong></p>", timeout=30)
    author = one(c, "SELECT a.ap_id FROM comment c JOIN actor a ON a.id = c.actor_id WHERE c.ap_id = ?", cake["ap_id"])
    assert author["ap_id"] == f"{a.base}/@ann"
    assert "I bring the <strong>cake</strong>" in page_of(c, cat, picnic_c)
    relay = json.loads(one(b, "SELECT body FROM activity WHERE type = 'Announce'")["body"])
    assert relay["actor"] == f"{b.base}/@bob" and relay["object"]["id"] == cake["ap_id"]
    relayed_to = b.query("SELECT DISTINCT d.inbox_url FROM delivery d JOIN activity x ON x.id = d.activity_id "
                         "WHERE x.type = 'Announce'")
    assert relayed_to == [{"inbox_url": f"{c.base}/inbox"}]

    # Its edit and its deletion follow the same way.
    page = f"/events/{picnic_a}"
    edited = post_form(a, ann, f"{page}/comments/{cake['id']}/edit", {"text": "I bring two cakes"},
                       page=f"{page}/comments/{cake['id']}/edit")
    assert edited.status_code == 302
    wait_until(lambda: stored_text(c, cake["ap_id"]) == "<p>I bring two cakes</p>", timeout=30)
    assert post_form(a, ann, f"{page}/comments/{cake['id']}/delete", {}, page=page).status_code == 302
    wait_until(lambda: stored_text(c, cake["ap_id"]) is None, timeout=30)
    assert "two cakes" not in page_of(c, cat, picnic_c)

    # While B is down, a stranger's Announce of ann's new comment, its words changed, reaches C: C
    # stores the comment as A serves it; an invented comment it announces is not stored at all.
    b.stop()
    soup = comment_on(a, ann, picnic_a, "Soup for everyone")
    forger = Peer("127.0.0.6", "mallory").start()
    try:
        event_id = f"{b.base}/events/{picnic}"
        invented = f"{a.base}/events/{picnic_a}/comments/{uuid.uuid4()}"
        for number, note_id in enumerate((soup["ap_id"], invented)):
            announce = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Announce",
                        "id": f"{forger.base}/announces/{number}", "actor": forger.actor_id, "to": [PUBLIC],
                        "object": {"id": note_id, "type": "Note", "attributedTo": f"{a.base}/@ann",
                                   "inReplyTo": event_id, "content": "<p>Forged</p>", "to": [PUBLIC]}}
            assert forger.post(f"{c.base}/inbox", announce)[0] == 202
            handled(c, announce["id"])
    finally:
        forger.stop()
    assert stored_text(c, soup["ap_id"]) == "<p>Soup for everyone</p>"
    assert stored_text(c, invented) is None
    assert one(c, "SELECT state FROM inbox_item WHERE activity_id = ?", f"{forger.base}/announces/1")["state"] == (
        "ignored")
    b.start()
    wait_until(lambda: stored_text(b, soup["ap_id"]) == "<p>Soup for everyone</p>", timeout=60)
    wait_until(lambda: one(b, "SELECT count(*) AS n FROM delivery d JOIN activity x ON x.id = d.activity_id "
                              "WHERE x.type = 'Announce' AND d.state = 'pending'")["n"] == 0, timeout=30)
    assert stored_text(c, soup["ap_id"]) == "<p>Soup for everyone</p>"

    # D, where nobody follows or joins anything, received nothing.
    assert one(d, "SELECT count(*) AS n FROM inbox_item")["n"] == 0


@pytest.fixture
def pair(tmp_path, federating):
    a = federating(tmp_path, "127.0.0.2", "alpha", "ann")
    b = federating(tmp_path, "127.0.0.3", "beta", "bob", "bea")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def test_a_group_moderator_accepts_a_join_from_another_server(pair):
    a, b = pair
    ann, bob, bea = a.session("ann@example.org"), b.session("bob@example.org"), b.session("bea@example.org")
    made = post_form(b, bob, "/groups/new", {"identity": identity_id(b, bob), "username": "club", "name": "Club",
                                             "summary": "", "visibility": "public", "openness": "open"},
                     page="/groups/new")
    assert made.status_code == 302, made.text[-2000:]
    joined = post_form(b, bea, "/@club/join", {"identity": identity_id(b, bea), "message": ""}, page="/@club/join")
    assert joined.status_code == 302, joined.text[-2000:]
    bea_member = one(b, "SELECT m.uuid FROM member m JOIN actor x ON x.id = m.actor_id "
                        "WHERE x.preferred_username = 'bea'")["uuid"]
    promoted = post_form(b, bob, f"/@club/members/{bea_member}/role", {f"{bea_member}-role": "moderator"},
                         page="/@club/members")
    assert promoted.status_code == 302

    follow(a, ann, f"{b.base}/@club")
    wait_until(lambda: b.collection_size("/@club/followers") == 1, timeout=30)
    group_id = one(b, "SELECT id FROM actor WHERE preferred_username = 'club'")["id"]
    workshop = create_event(b, bob, title="Club workshop", join_mode="restricted", group=str(group_id))
    workshop_a = copy_of(a, "Club workshop")
    join(a, ann, workshop_a)
    participants = f"/events/{workshop}/participants"
    wait_until(lambda: "@ann@" in bea.get(b.base + participants, timeout=10).text, timeout=30)

    # bea, a moderator of the group who did not make the event, approves: her Accept, naming the group.
    row = re.search(r'action="(/events/[^"]+/participants/\d+/approve)"', bea.get(b.base + participants).text).group(1)
    assert post_form(b, bea, row, {}, page=participants).status_code == 302
    accept = json.loads(one(b, "SELECT body FROM activity WHERE type = 'Accept' ORDER BY id DESC")["body"])
    assert accept["actor"] == f"{b.base}/@bea" and accept["attributedTo"] == f"{b.base}/@club"
    wait_until(lambda: "You take part as @ann." in page_of(a, ann, workshop_a), timeout=30)
    handled(a, accept["id"])
    assert one(a, "SELECT state FROM inbox_item WHERE activity_id = ?", accept["id"]) == {"state": "done"}
