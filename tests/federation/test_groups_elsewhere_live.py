"""Joining a group of another running instance from this one's pages: found by its @name@server in the
search box, asked to join, approved there by its moderator, left; an open group joined at once; an
invitation-only group offering no join button."""
import re
from urllib.parse import unquote

import pytest
import requests

from ..helpers import event_fields, wait_until
from .live import NEXT_YEAR, identity_id, one, post_form

pytestmark = pytest.mark.slow

AP = {"Accept": "application/activity+json"}


@pytest.fixture
def instances(tmp_path, federating):
    a = federating(tmp_path, "127.0.0.2", "alpha", "ann")
    b = federating(tmp_path, "127.0.0.3", "beta", "bob")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def make_group(instance, session, username, openness):
    made = post_form(instance, session, "/groups/new", {
        "identity": identity_id(instance, session), "username": username, "name": username.title(),
        "summary": "", "visibility": "public", "openness": openness}, page="/groups/new")
    assert made.status_code == 302, made.text[-2000:]


def role_of(instance, person, group):
    row = one(instance, "SELECT m.role FROM member m JOIN actor p ON p.id = m.actor_id "
                        "JOIN actor g ON g.id = m.group_id WHERE p.ap_id = ? AND g.ap_id = ?", person, group)
    return row and row["role"]


def found(instance, session, handle):
    """The page of here the search box opens for handle: (its path, its text)."""
    response = session.get(f"{instance.base}/search", params={"q": handle}, timeout=30, allow_redirects=False)
    assert response.status_code == 302, response.text[-2000:]
    path = unquote(response.headers["Location"].removeprefix(instance.base))
    return path, session.get(instance.base + path, timeout=10).text


def test_an_identity_joins_and_leaves_groups_of_another_instance(instances):
    a, b = instances
    bob = b.session("bob@example.org")
    for username, openness in (("club", "moderated"), ("riders", "open"), ("board", "invite_only")):
        make_group(b, bob, username, openness)
    server = f"{b.host}:{b.port}"
    club, riders, ann_id = f"{b.base}/@club", f"{b.base}/@riders", f"{a.base}/@ann"

    # ann finds @club@B by the search box; its page here offers to ask to join.
    ann = a.session("ann@example.org")
    path, page = found(a, ann, f"@club@{server}")
    assert path == f"/@club@{server}"
    assert "Club" in page and "1 member" in page and "Ask to join" in page
    asked = post_form(a, ann, f"/elsewhere/@club@{server}/join",
                      {"identity": identity_id(a, ann), "message": "I ride on Sundays"}, page=path)
    assert asked.status_code == 302, asked.text[-2000:]
    wait_until(lambda: role_of(b, ann_id, club) == "not_approved", timeout=30)
    assert "waiting for the group" in ann.get(a.base + path, timeout=10).text

    # bob approves on B's members page: A learns it from the group's Accept.
    request_uuid = one(b, "SELECT m.uuid FROM member m JOIN actor a ON a.id = m.actor_id WHERE a.ap_id = ?",
                       ann_id)["uuid"]
    assert "I ride on Sundays" in bob.get(f"{b.base}/@club/members", timeout=10).text
    approved = post_form(b, bob, f"/@club/members/{request_uuid}/approve", {}, page="/@club/members")
    assert approved.status_code == 302
    wait_until(lambda: role_of(a, ann_id, club) == "member", timeout=30)
    # Its document, fetched again once she is in, counts her.
    wait_until(lambda: "2 members" in ann.get(a.base + path, timeout=10).text, timeout=30)
    assert "You are a member of this group as @ann" in ann.get(a.base + path, timeout=10).text
    mine = ann.get(f"{a.base}/groups/mine", timeout=10).text
    assert f"@club@{server}" in mine and "As @ann: member" in mine
    assert requests.get(club, headers=AP, timeout=10).json()["memberCount"] == 2

    # ann leaves: B counts her no more.
    left = post_form(a, ann, f"/elsewhere/@club@{server}/leave", {"identity": identity_id(a, ann)}, page=path)
    assert left.status_code == 302
    assert role_of(a, ann_id, club) is None
    wait_until(lambda: role_of(b, ann_id, club) is None, timeout=30)
    assert requests.get(club, headers=AP, timeout=10).json()["memberCount"] == 1

    # She follows it from here; what the group then publishes reaches its page here.
    followed = post_form(a, ann, f"/elsewhere/@club@{server}/follow", {"identity": identity_id(a, ann)}, page=path)
    assert followed.status_code == 302
    wait_until(lambda: one(a, "SELECT accepted FROM follow WHERE ap_id IS NOT NULL AND accepted") is not None,
               timeout=30)
    assert "You follow this group as @ann" in ann.get(a.base + path, timeout=10).text
    group_id = one(b, "SELECT id FROM actor WHERE preferred_username = 'club' AND domain IS NULL")["id"]
    fields = event_fields(identity=identity_id(b, bob), group=str(group_id), title="Club picnic",
                          start_date=f"{NEXT_YEAR}-06-01")
    assert post_form(b, bob, "/events/new", fields, page="/events/new").status_code == 302
    news = post_form(b, bob, "/@club/posts/new", {"title": "Club news", "body": "We ride on **Sunday**.",
                                                  "visibility": "public"}, page="/@club/posts/new")
    assert news.status_code == 302

    def shown():
        page = ann.get(a.base + path, timeout=10).text
        return "Club picnic" in page and "<strong>Sunday</strong>" in page

    wait_until(shown, timeout=30)

    # An open group admits her at once (its Accept comes back without anyone deciding).
    path, page = found(a, ann, f"{b.base}/@riders")
    assert path == f"/@riders@{server}" and "Anyone can join" in page
    joined = post_form(a, ann, f"/elsewhere/@riders@{server}/join", {"identity": identity_id(a, ann)}, page=path)
    assert joined.status_code == 302
    wait_until(lambda: role_of(a, ann_id, riders) == "member", timeout=30)
    assert role_of(b, ann_id, riders) == "member"

    # An invitation-only group: no join button, only following.
    path, page = found(a, ann, f"board@{server}")
    assert "Joining is by invitation only" in page and "Ask to join" not in page
    assert not re.search(r">\s*Join\s*<", page) and "Follow" in page
