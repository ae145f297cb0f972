"""A running instance federating with a server built on bovine, an ActivityPub library from PyPI: its
client signs what reaches our inbox (lower-case sha-256 Digest, or RFC 9530 Content-Digest), its verifier
checks what we send, and its hypercorn server (lower-case header names) holds the actor we fetch."""
import json
import re
import socket

import pytest
import requests
from bovine.clients.signed_http import legacy_digest_method
from bovine.crypto.helper import content_digest_sha256_rfc_9530

from mobilizon_lite.activitypub import client
from mobilizon_lite.activitypub.vocab import get_id

from ..helpers import wait_until
from .live import NEXT_YEAR, one
from .peer import AP

pytestmark = pytest.mark.slow

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Item 6 of issue 10: 20,000 tags (about 774 KB, under the 1 MiB cap) must be cut before per-item work.
HUGE_TAGS, KEPT_TAGS = 20_000, 64


@pytest.fixture(scope="module")
def ann(instance):
    return f"{instance.base}/@ann"


def activity(peer, number, kind="Like", **fields):
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/activities/{number}",
            "type": kind, "actor": peer.actor_id, **fields}


def stored(instance, activity_id):
    return one(instance, "SELECT type, state FROM inbox_item WHERE activity_id = ?", activity_id)


def test_the_peer_sends_lower_case_header_names(peer):
    with socket.create_connection((peer.host, peer.port), timeout=5) as sock:
        sock.sendall(f"GET /users/bob HTTP/1.1\r\nHost: {peer.host}:{peer.port}\r\nConnection: close\r\n\r\n"
                     .encode())
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0]
    assert b"\r\ncontent-type: application/activity+json" in head and b"Content-Type" not in head
    # Our client reads header names case-insensitively, as HTTP wants.
    loopback = client.parse_networks("127.0.0.0/8")
    assert client.request("GET", peer.actor_id, allowed=loopback).headers.get("Content-Type") == AP
    assert client.fetch_object(peer.actor_id, allowed=loopback)["id"] == peer.actor_id


def test_a_follow_signed_by_bovine_is_accepted_and_our_accept_verifies_with_bovine(instance, peer, ann):
    # bovine's own Digest convention names the algorithm in lower case.
    assert legacy_digest_method(b"{}")[1].startswith("sha-256=")
    follow = activity(peer, 1, "Follow", object=ann)
    status, answer = peer.post(f"{instance.base}/@ann/inbox", follow)
    assert (status, answer["status"]) == (202, "accepted")
    # The actor came from a server sending `content-type`; our GET of it was signed, and bovine checked it.
    fetched = one(instance, "SELECT inbox FROM actor WHERE ap_id = ?", peer.actor_id)
    assert fetched["inbox"] == peer.document["inbox"]
    assert ("/users/bob", f"{instance.base}/relay") in peer.gets
    accept, owner = wait_until(lambda: next(((a, o) for a, o in peer.inbox if a.get("type") == "Accept"), None),
                               timeout=15)
    assert owner == ann and accept["actor"] == ann
    assert get_id(accept["object"]) == follow["id"]
    assert instance.collection_size("/@ann/followers") == 1


def test_a_post_signed_over_content_digest_is_accepted(instance, peer, ann):
    like = activity(peer, 2, object=ann)
    status, answer = peer.post(f"{instance.base}/inbox", like, digest_method=content_digest_sha256_rfc_9530)
    assert (status, answer["status"]) == (202, "accepted")
    assert stored(instance, like["id"])["type"] == "Like"


@pytest.mark.parametrize("number, mangle, refusal", [
    (3, lambda header: header, None),  # as bovine made it
    (4, lambda header: 'signature="Z2FyYmFnZQ==",' + header, "repeats the parameter"),  # the last one valid
    (5, lambda header: header.replace(",", ',SIGNATURE="Z2FyYmFnZQ==",', 1), "repeats the parameter"),
    (6, lambda header: header.replace(",", ", whatever ,", 1), "malformed Signature header"),
])
def test_ambiguous_signature_headers_are_401(instance, peer, ann, number, mangle, refusal):
    like = activity(peer, number, object=ann)
    status, answer = peer.post_with_signature(f"{instance.base}/inbox", like, mangle)
    if refusal is None:
        assert (status, answer["status"]) == (202, "accepted")
    else:
        assert status == 401 and refusal in answer["status"]
        assert stored(instance, like["id"]) is None


@pytest.mark.parametrize("number, change", [(7, {"type": None}), (8, {"type": ["Like"]}), (9, {"id": None})])
def test_an_activity_without_type_or_id_is_400_and_stores_nothing(instance, peer, ann, number, change):
    like = activity(peer, number, object=ann)
    for name, value in change.items():
        if value is None:
            del like[name]
        else:
            like[name] = value
    before = one(instance, "SELECT count(*) AS n FROM inbox_item")["n"]
    status, answer = peer.post(f"{instance.base}/inbox", like)
    assert status == 400 and "activity without" in answer["status"]
    assert one(instance, "SELECT count(*) AS n FROM inbox_item")["n"] == before


def test_an_event_with_20000_tags_is_answered_and_keeps_few(instance, peer):
    """Item 6: the answer comes within the client's ordinary 10 s, and a stored event keeps few tags."""
    event = {"id": f"{peer.base}/events/many-tags", "type": "Event", "attributedTo": peer.actor_id,
             "name": "Many tags", "startTime": f"{NEXT_YEAR}-05-01T18:00:00Z", "to": [PUBLIC],
             "tag": [{"type": "Hashtag", "name": f"#t{number}"} for number in range(HUGE_TAGS)]}
    create = activity(peer, 10, "Create", object=event, to=[PUBLIC])
    assert 700_000 < len(json.dumps(create)) < 1 << 20
    try:
        status, _answer = peer.post(f"{instance.base}/inbox", create)
    except TimeoutError:
        pytest.fail("no answer within the client's 10 s")
    assert status in (202, 400)
    row = one(instance, "SELECT uuid, tags FROM event WHERE ap_id = ?", event["id"])
    if row is not None:
        assert len(json.loads(row["tags"])) <= KEPT_TAGS
        page = requests.get(f"{instance.base}/events/{row['uuid']}", timeout=10)
        assert page.ok and len(re.findall(r'class="tag"', page.text)) <= KEPT_TAGS
