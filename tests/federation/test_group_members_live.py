"""A group on one running instance with members from another: a request to join approved by its
moderator, an invitation answered, a role change and a removal, each crossing the wire signed."""
import json
import re
import uuid

import pytest
import requests

from mobilizon_lite.activitypub.signatures import sign_headers

from ..helpers import wait_until
from .live import identity_id, one, post_form

pytestmark = pytest.mark.slow

AP = {"Accept": "application/activity+json"}


@pytest.fixture
def instances(tmp_path, federating):
    a = federating(tmp_path, "127.0.0.2", "alpha", "ann", "dan")
    b = federating(tmp_path, "127.0.0.3", "beta", "bob")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def post_signed(instance, identity, url, activity):
    """POST activity to url, signed with the key of a local identity of instance (read from its database),
    as that instance's deliveries sign."""
    key = one(instance, "SELECT ap_id, private_key_pem FROM actor WHERE preferred_username = ? "
                        "AND domain IS NULL", identity)
    body = json.dumps(activity).encode()
    headers = sign_headers("POST", url, f"{key['ap_id']}#main-key", key["private_key_pem"], body=body)
    return requests.post(url, data=body, headers={**headers, "Content-Type": "application/activity+json"},
                         timeout=10)


def member_row(instance, ap_id):
    return one(instance, "SELECT m.* FROM member m JOIN actor a ON a.id = m.actor_id WHERE a.ap_id = ?", ap_id)


def delivered(instance, verb):
    """True once the instance delivered an activity of this type (its peer answered 2xx)."""
    return one(instance, "SELECT d.state FROM delivery d JOIN activity a ON a.id = d.activity_id "
                         "WHERE a.type = ? AND d.state = 'sent'", verb) is not None


def test_remote_people_request_are_invited_promoted_and_removed(instances):
    a, b = instances
    bob = b.session("bob@example.org")
    made = post_form(b, bob, "/groups/new", {"identity": identity_id(b, bob), "username": "club", "name": "Club",
                                             "summary": "", "visibility": "public", "openness": "moderated"},
                     page="/groups/new")
    assert made.status_code == 302, made.text[-2000:]
    group = f"{b.base}/@club"
    ann_id, dan_id = f"{a.base}/@ann", f"{a.base}/@dan"

    # ann (on A) asks to join: the Join A's pages will send, signed by her key.
    join_id = f"{a.base}/member/{uuid.uuid4()}"
    answer = post_signed(a, "ann", f"{b.base}/@club/inbox", {
        "@context": "https://www.w3.org/ns/activitystreams", "id": join_id, "type": "Join", "actor": ann_id,
        "object": group, "participationMessage": "I ride on Sundays", "to": [group, f"{group}/members"]})
    assert answer.status_code == 202, answer.text
    wait_until(lambda: (member_row(b, ann_id) or {}).get("role") == "not_approved", timeout=20)
    request = member_row(b, ann_id)
    assert request["ap_id"] == join_id and request["message"] == "I ride on Sundays"
    page = bob.get(f"{b.base}/@club/members", timeout=10).text
    assert f"@ann@{a.host}:{a.port}" in page and f'href="{ann_id}"' in page and "I ride on Sundays" in page

    # bob approves: A receives the group's Accept.
    approved = post_form(b, bob, f"/@club/members/{request['uuid']}/approve", {}, page="/@club/members")
    assert approved.status_code == 302
    wait_until(lambda: delivered(b, "Accept"), timeout=30)
    accept = one(b, "SELECT body FROM activity WHERE type = 'Accept'")["body"]
    accept = json.loads(accept)
    assert accept["actor"] == group and accept["object"]["id"] == join_id and accept["object"]["role"] == "member"
    wait_until(lambda: one(a, "SELECT id FROM inbox_item WHERE type = 'Accept'") is not None, timeout=10)

    # bob invites dan by his address on A (WebFinger there); dan accepts on A's invitations page.
    invited = post_form(b, bob, "/@club/members/invite", {"username": f"@dan@{a.host}:{a.port}"},
                        page="/@club/members")
    assert invited.status_code == 302, invited.text[-2000:]
    assert f"@dan@{a.host}:{a.port} is invited; their server tells them." in bob.get(f"{b.base}/@club/members").text
    invite = json.loads(one(b, "SELECT body FROM activity WHERE type = 'Invite'")["body"])
    assert {key: invite[key] for key in ("type", "actor", "attributedTo", "object", "target")} == {
        "type": "Invite", "actor": f"{b.base}/@bob", "attributedTo": group, "object": group, "target": dan_id}
    wait_until(lambda: (member_row(a, dan_id) or {}).get("role") == "invited", timeout=30)
    dan = a.session("dan@example.org")
    invitations = dan.get(f"{a.base}/invitations", timeout=10).text
    member_uuid = re.search(r'/invitations/([0-9a-f-]{36})/accept', invitations).group(1)
    accepted = post_form(a, dan, f"/invitations/{member_uuid}/accept", {}, page="/invitations")
    assert accepted.status_code == 302
    wait_until(lambda: (member_row(b, dan_id) or {}).get("role") == "member", timeout=30)

    # Three members on B, the two of A named with their server.
    assert requests.get(group, headers=AP, timeout=10).json()["memberCount"] == 3
    page = bob.get(f"{b.base}/@club/members", timeout=10).text
    assert "3 members" in page and f"@dan@{a.host}:{a.port}" in page and f"@ann@{a.host}:{a.port}" in page

    # dan is made moderator, then removed: his membership on A follows.
    dan_on_b = member_row(b, dan_id)["uuid"]
    changed = post_form(b, bob, f"/@club/members/{dan_on_b}/role", {f"{dan_on_b}-role": "moderator"},
                        page="/@club/members")
    assert changed.status_code == 302
    wait_until(lambda: member_row(a, dan_id)["role"] == "moderator", timeout=30)
    removed = post_form(b, bob, f"/@club/members/{dan_on_b}/remove", {}, page="/@club/members")
    assert removed.status_code == 302
    wait_until(lambda: member_row(a, dan_id)["role"] == "rejected", timeout=30)
    assert requests.get(group, headers=AP, timeout=10).json()["memberCount"] == 2

    # ann's signed fetch of the members collection is whole; an unsigned one is empty.
    path = f"{b.base}/@club/members?page=1"
    key = one(a, "SELECT private_key_pem FROM actor WHERE ap_id = ?", ann_id)["private_key_pem"]
    signed = sign_headers("GET", path, f"{ann_id}#main-key", key)
    whole = requests.get(path, headers={**signed, **AP}, timeout=10).json()
    assert {item["actor"] for item in whole["orderedItems"]} == {f"{b.base}/@bob", ann_id}
    assert requests.get(path, headers=AP, timeout=10).json()["orderedItems"] == []
