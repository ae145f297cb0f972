"""A group's members-only content between running instances: a group on B with members on A and C
(invited from B's members page, accepting on their own instances) and a follower on D who is no member.
A discussion started on B reaches A and C; a message from A's member reaches B, which relays it to C;
a members-only post and a resource reach the members; D gets none of it, and its signed fetches of the
group's collections hold nothing of it."""
import json
import re
import uuid

import pytest
import requests

from mobilizon_lite.activitypub.signatures import sign_headers

from ..helpers import wait_until
from .live import follow, identity_id, one, post_form
from .test_group_members_live import member_row, post_signed

pytestmark = pytest.mark.slow

AP = {"Accept": "application/activity+json"}


@pytest.fixture
def instances(tmp_path, federating):
    running = [federating(tmp_path, "127.0.0.2", "alpha", "ann"), federating(tmp_path, "127.0.0.3", "beta", "bob"),
               federating(tmp_path, "127.0.0.4", "gamma", "cal"), federating(tmp_path, "127.0.0.5", "delta", "dora")]
    for instance in running:
        instance.start()
    yield running
    for instance in running:
        instance.stop()


def count(instance, sql, *params):
    return one(instance, f"SELECT COUNT(*) AS n FROM ({sql})", *params)["n"]


def invite(b, bob, instance, username):
    """bob invites username of instance to club; they accept on their own instance's invitations page."""
    handle = f"@{username}@{instance.host}:{instance.port}"
    invited = post_form(b, bob, "/@club/members/invite", {"username": handle}, page="/@club/members")
    assert invited.status_code == 302, invited.text[-2000:]
    person = f"{instance.base}/@{username}"
    wait_until(lambda: (member_row(instance, person) or {}).get("role") == "invited", timeout=30)
    session = instance.session(f"{username}@example.org")
    page = session.get(f"{instance.base}/invitations", timeout=10).text
    member_uuid = re.search(r'/invitations/([0-9a-f-]{36})/accept', page).group(1)
    assert post_form(instance, session, f"/invitations/{member_uuid}/accept", {},
                     page="/invitations").status_code == 302
    wait_until(lambda: (member_row(b, person) or {}).get("role") == "member", timeout=30)
    wait_until(lambda: (member_row(instance, person) or {}).get("role") == "member", timeout=30)


def signed_fetch(instance, username, url):
    key = one(instance, "SELECT ap_id, private_key_pem FROM actor WHERE preferred_username = ? AND domain IS NULL",
              username)
    headers = sign_headers("GET", url, f"{key['ap_id']}#main-key", key["private_key_pem"])
    return requests.get(url, headers={**headers, **AP}, timeout=10).json()


def test_members_only_content_reaches_the_members_and_nobody_else(instances):
    a, b, c, d = instances
    bob = b.session("bob@example.org")
    made = post_form(b, bob, "/groups/new", {"identity": identity_id(b, bob), "username": "club", "name": "Club",
                                             "summary": "", "visibility": "public", "openness": "moderated"},
                     page="/groups/new")
    assert made.status_code == 302, made.text[-2000:]
    group = f"{b.base}/@club"
    invite(b, bob, a, "ann")
    invite(b, bob, c, "cal")
    dora = d.session("dora@example.org")
    follow(d, dora, f"@club@{b.host}:{b.port}")
    wait_until(lambda: b.collection_size("/@club/followers") == 1, timeout=30)

    # bob opens a discussion on B: it reaches A and C.
    opened = post_form(b, bob, "/@club/discussions/new", {"title": "Picnic", "text": "Who brings bread?"},
                       page="/@club/discussions/new")
    assert opened.status_code == 302, opened.text[-2000:]
    context = one(b, "SELECT ap_id FROM discussion")["ap_id"]
    for member in (a, c):
        wait_until(lambda member=member: count(member, "SELECT m.id FROM discussion_comment m JOIN discussion d "
                                                       "ON d.id = m.discussion_id WHERE d.ap_id = ?", context) == 1,
                   timeout=30)
        assert one(member, "SELECT title FROM discussion")["title"] == "Picnic"

    # ann answers from A (the Create A's page sends): B keeps it and relays it to C.
    ann_id = f"{a.base}/@ann"
    note_id = f"{a.base}/@club@{b.host}:{b.port}/c/picnic/m/{uuid.uuid4()}"
    answer = post_signed(a, "ann", f"{group}/inbox", {
        "@context": "https://www.w3.org/ns/activitystreams", "id": f"{a.base}/activities/{uuid.uuid4()}",
        "type": "Create", "actor": ann_id, "to": [f"{group}/members"], "cc": [],
        "object": {"type": "Note", "id": note_id, "actor": ann_id, "attributedTo": ann_id, "context": context,
                   "name": "Picnic", "content": "<p>I bring bread</p>", "to": [f"{group}/members"]}})
    assert answer.status_code == 202, answer.text
    for instance in (b, c):
        wait_until(lambda instance=instance: one(instance, "SELECT text FROM discussion_comment WHERE ap_id = ?",
                                                 note_id) is not None, timeout=30)
    assert one(c, "SELECT text FROM discussion_comment WHERE ap_id = ?", note_id)["text"] == "<p>I bring bread</p>"
    relayed = json.loads(one(b, "SELECT body FROM activity WHERE type = 'Announce' ORDER BY id DESC")["body"])
    assert relayed["actor"] == group and relayed["object"]["object"]["id"] == note_id

    # A members-only post reaches A and C as the group's, for members.
    written = post_form(b, bob, "/@club/posts/new", {"title": "Minutes", "body": "Only for us",
                                                     "visibility": "members"}, page="/@club/posts/new")
    assert written.status_code == 302, written.text[-2000:]
    for member in (a, c):
        wait_until(lambda member=member: one(member, "SELECT visibility FROM post WHERE title = 'Minutes'")
                   is not None, timeout=30)
        assert one(member, "SELECT visibility FROM post WHERE title = 'Minutes'")["visibility"] == "members"

    # A link added on B reaches A and C as the group's resource.
    added = post_form(b, bob, "/@club/resources/new?kind=link", {"title": "Map", "url": "https://maps.example/1",
                                                                 "description": ""},
                      page="/@club/resources/new?kind=link")
    assert added.status_code == 302, added.text[-2000:]
    for member in (a, c):
        wait_until(lambda member=member: one(member, "SELECT url FROM resource WHERE title = 'Map'") is not None,
                   timeout=30)

    # D, a follower and no member, got nothing of it; its signed fetch of the discussions is empty, ann's whole.
    discussions = f"{group}/discussions?page=1"
    assert signed_fetch(d, "dora", discussions)["orderedItems"] == []
    whole = signed_fetch(a, "ann", discussions)
    assert [item["id"] for item in whole["orderedItems"]] == [context]
    for collection in ("resources", "todos", "members"):
        assert signed_fetch(d, "dora", f"{group}/{collection}?page=1")["orderedItems"] == []
    assert [item["name"] for item in signed_fetch(a, "ann", f"{group}/resources?page=1")["orderedItems"]] == ["Map"]
    assert signed_fetch(d, "dora", f"{group}/posts?page=1")["orderedItems"] == []
    assert [item["name"] for item in signed_fetch(c, "cal", f"{group}/posts?page=1")["orderedItems"]] == ["Minutes"]
    assert count(d, "SELECT id FROM discussion") == 0 and count(d, "SELECT id FROM post") == 0
    assert count(d, "SELECT id FROM resource") == 0
    assert count(d, "SELECT id FROM inbox_item WHERE type NOT IN ('Accept')") == 0
    assert count(b, "SELECT d.id FROM delivery d WHERE d.inbox_url LIKE ?", f"{d.base}/%") == 1  # the Accept
