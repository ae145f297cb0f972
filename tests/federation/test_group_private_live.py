"""A group between running instances: a group on B with members on A and C (invited from B's members page,
accepting on their own instances) and a follower on D who is no member. A discussion started on B reaches
A and C; a message from A's member reaches B, which relays it to C; a members-only post and a resource
reach the members; D gets none of it, and its signed fetches of the group's collections hold nothing of
it. The group's public event reaches A, C and D and is joined from A and C; a comment from A reaches C and
D through B, one from B reaches A, C and D; C's member, made moderator, edits it from C; made private, it
leaves D and stays on A and C. Deleted, the group leaves A, C and D, with what A and C held of it."""
import json
import re
import uuid

import pytest
import requests

from mobilizon_lite.activitypub.signatures import sign_headers

from ..helpers import event_fields, wait_until
from .live import NEXT_YEAR, copy_of, follow, handled, identity_id, join, one, participant_count, post_form
from .test_comment_relay import comment_on, stored_text
from .test_group_members_live import member_row, post_signed

pytestmark = pytest.mark.slow

AP = {"Accept": "application/activity+json"}


@pytest.fixture(scope="module")
def instances(tmp_path_factory, federating):
    folder = tmp_path_factory.mktemp("group-live")
    a, b, c, d = (federating(folder, "127.0.0.2", "alpha", "ann"), federating(folder, "127.0.0.3", "beta", "bob"),
                  federating(folder, "127.0.0.4", "gamma", "cal"), federating(folder, "127.0.0.5", "delta", "dora"))
    with a, b, c, d:
        yield [a, b, c, d]


@pytest.fixture(scope="module")
def club(instances):
    """bob's moderated group @club on B: ann (A) and cal (C) invited and members, dora (D) a follower; its URL."""
    a, b, c, d = instances
    bob = b.session("bob@example.org")
    made = post_form(b, bob, "/groups/new", {"identity": identity_id(b, bob), "username": "club", "name": "Club",
                                             "summary": "", "visibility": "public", "openness": "moderated"},
                     page="/groups/new")
    assert made.status_code == 302, made.text[-2000:]
    invite(b, bob, a, "ann")
    invite(b, bob, c, "cal")
    dora = d.session("dora@example.org")
    follow(d, dora, f"@club@{b.host}:{b.port}")
    wait_until(lambda: b.collection_size("/@club/followers") == 1, timeout=30)
    return f"{b.base}/@club"


def count(instance, sql, *params):
    return one(instance, f"SELECT COUNT(*) AS n FROM ({sql}) AS found", *params)["n"]


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


def test_members_only_content_reaches_the_members_and_nobody_else(instances, club):
    a, b, c, d = instances
    bob, group = b.session("bob@example.org"), club

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


def event_on(instance, ap_id):
    """(title, visibility, group's URL) of an instance's copy of an event; None when it has none."""
    return one(instance, "SELECT e.title, e.visibility, g.ap_id AS grp FROM event e "
                         "LEFT JOIN actor g ON g.id = e.attributed_to_id WHERE e.ap_id = ?", ap_id)


def test_a_group_event_reaches_members_and_followers_and_a_moderator_elsewhere_edits_it(instances, club):
    a, b, c, d = instances
    bob, ann, cal = b.session("bob@example.org"), a.session("ann@example.org"), c.session("cal@example.org")
    group_row = one(b, "SELECT id FROM actor WHERE preferred_username = 'club' AND domain IS NULL")["id"]
    fields = event_fields(identity=identity_id(b, bob), group=str(group_row), title="Club picnic",
                          start_date=f"{NEXT_YEAR}-06-01")
    created = post_form(b, bob, "/events/new", fields, page="/events/new")
    assert created.status_code == 302, created.text[-2000:]
    picnic = created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    event_id = f"{b.base}/events/{picnic}"

    # Members on A and C and the follower on D hold it as the group's; ann and cal join it from A and C.
    copies = [copy_of(instance, "Club picnic") for instance in (a, c, d)]
    for instance in (a, c, d):
        assert event_on(instance, event_id) == {"title": "Club picnic", "visibility": "public", "grp": club}
    assert join(a, ann, copies[0]).status_code == 302 and join(c, cal, copies[1]).status_code == 302
    wait_until(lambda: participant_count(b, picnic) == 2, timeout=30)

    # ann's comment goes to B, which relays it to C (taking part) and D (following the group only); bob's
    # answer on B reaches A, C and D.
    cake = comment_on(a, ann, copies[0], "I bring the cake")
    for instance in (c, d):
        wait_until(lambda instance=instance: stored_text(instance, cake["ap_id"]) == "<p>I bring the cake</p>",
                   timeout=30)
    thanks = comment_on(b, bob, picnic, "Thanks")
    for instance in (a, c, d):
        wait_until(lambda instance=instance: stored_text(instance, thanks["ap_id"]) == "<p>Thanks</p>", timeout=30)

    # cal edits it from C, as Mobilizon's moderators do (an Update to the group): refused while a plain member.
    cal_id = f"{c.base}/@cal"
    document = requests.get(event_id, headers=AP, timeout=10).json()

    def update(name):
        activity_id = f"{c.base}/activities/{uuid.uuid4()}"
        sent = post_signed(c, "cal", f"{club}/inbox", {
            "@context": "https://www.w3.org/ns/activitystreams", "id": activity_id, "type": "Update",
            "actor": cal_id, "to": document["to"], "cc": document["cc"], "object": {**document, "name": name}})
        assert sent.status_code == 202, sent.text
        handled(b, activity_id)
        return one(b, "SELECT state, error FROM inbox_item WHERE activity_id = ?", activity_id)

    refused = update("Club picnic, by cal")
    assert refused == {"state": "ignored", "error": "Only the organisers of this event can do this."}
    cal_on_b = member_row(b, cal_id)["uuid"]
    promoted = post_form(b, bob, f"/@club/members/{cal_on_b}/role", {f"{cal_on_b}-role": "moderator"},
                         page="/@club/members")
    assert promoted.status_code == 302
    wait_until(lambda: member_row(c, cal_id)["role"] == "moderator", timeout=30)
    assert update("Club picnic, moved")["state"] == "done"
    assert one(b, "SELECT title FROM event WHERE uuid = ?", picnic)["title"] == "Club picnic, moved"
    # The group Announces it: A and D (never sent anything by cal) follow.
    for instance in (a, d):
        wait_until(lambda instance=instance: event_on(instance, event_id)["title"] == "Club picnic, moved", timeout=30)

    # bob makes it private: D's copy is withdrawn (the group Announcing the Delete), A and C keep it private.
    edit = f"/events/{picnic}/edit"
    changed = post_form(b, bob, edit, {**fields, "title": "Club picnic, moved", "visibility": "private"}, page=edit)
    assert changed.status_code == 302, changed.text[-2000:]
    wait_until(lambda: event_on(d, event_id) is None, timeout=30)
    for instance in (a, c):
        wait_until(lambda instance=instance: event_on(instance, event_id)["visibility"] == "private", timeout=30)
    announced = b.query("SELECT x.body FROM delivery d JOIN activity x ON x.id = d.activity_id "
                        "WHERE x.type = 'Announce' AND x.actor_id = ? AND d.inbox_url LIKE ?", group_row, f"{d.base}/%")
    withdrawals = [body["object"] for body in (json.loads(row["body"]) for row in announced)
                   if isinstance(body["object"], dict) and body["object"]["type"] == "Delete"]
    assert [withdrawal["object"]["id"] for withdrawal in withdrawals] == [event_id]


def test_a_deleted_group_leaves_its_members_and_followers_servers(instances, club):
    a, b, c, d = instances
    bob = b.session("bob@example.org")
    # A group with events to come is not deleted: bob deletes them first.
    while (event := one(b, "SELECT uuid FROM event WHERE attributed_to_id IS NOT NULL")) is not None:
        page = f"/events/{event['uuid']}/delete"
        assert post_form(b, bob, page, {}, page=page).status_code == 302
    assert post_form(b, bob, "/@club/delete", {}, page="/@club/delete").status_code == 302
    for instance in (a, c, d):
        wait_until(lambda instance=instance: one(instance, "SELECT deleted_at FROM actor WHERE ap_id = ?",
                                                 club)["deleted_at"] is not None, timeout=30)
    for instance in (a, c):
        for table in ("member", "discussion", "resource", "post"):
            assert count(instance, f"SELECT t.id FROM {table} t JOIN actor g ON g.id = t.group_id WHERE g.ap_id = ?",
                         club) == 0, table
