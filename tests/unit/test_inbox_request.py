"""The checks of an inbox POST, alone: no app, no database; each refusal is a Refused(status, reason)."""
import json

import pytest

from mobilizon_lite.activitypub.inbox_request import MAX_BODY, Refused, check_signed, read_activity
from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.signatures import sign_headers, signed_for

BASE = "https://events.test"
ACTOR = "https://remote.example/users/alice"
AS = "application/activity+json"


@pytest.fixture(scope="module")
def keys():
    """alice's key pair, and another one."""
    return generate_key_pair(), generate_key_pair()


def follow(**changes):
    return {"id": "https://remote.example/activities/1", "type": "Follow", "actor": ACTOR,
            "object": f"{BASE}/@ann", **changes}


def refusal(call, *args):
    with pytest.raises(Refused) as caught:
        call(*args)
    return caught.value.status, caught.value.reason


@pytest.mark.parametrize("content_type, body, status, reason", [
    (AS, b"{" + b" " * MAX_BODY + b"}", 413, "larger than 1 MiB"),
    ("text/html", b"{}", 415, "not an ActivityStreams document"),
    (None, b"{}", 415, "not an ActivityStreams document"),
    (AS, b"{not json", 400, "malformed JSON"),
    (AS, b"[" * 40 + b"]" * 40, 400, "deeper than"),
    (AS, b"[]", 400, "a JSON object"),
    (AS, json.dumps(follow(actor=None)).encode(), 400, "without an actor"),
    (AS, json.dumps(follow(type=["Follow"])).encode(), 400, "without a type"),
    (AS, json.dumps(follow(id=7)).encode(), 400, "without an id"),
])
def test_bodies_that_carry_no_usable_activity_are_refused(content_type, body, status, reason):
    got_status, got_reason = refusal(read_activity, content_type, body)
    assert got_status == status and reason in got_reason


def test_a_usable_body_gives_its_activity():
    content_type = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    assert read_activity(content_type, json.dumps(follow()).encode()) == follow()


def signed(activity, private, url=f"{BASE}/inbox"):
    """(method, target, headers, body) of a POST of activity signed with alice's key id."""
    body = json.dumps(activity).encode()
    headers = sign_headers("POST", url, f"{ACTOR}#main-key", private, body=body)
    return "POST", "/inbox", {name.lower(): value for name, value in headers.items()}, body


def key_of(public, owner=ACTOR):
    """A key resolver that knows one key, as services.actors.public_key_for answers."""
    return lambda key_id, refresh: (public, owner) if key_id == f"{ACTOR}#main-key" else (None, None)


def test_an_activity_signed_by_its_actor_for_this_server_passes(keys):
    (private, public), _other = keys
    activity = follow()
    check_signed(*signed(activity, private), activity, key_of(public), BASE)  # nothing raised


@pytest.mark.parametrize("case, status, reason", [
    ("other key", 401, "signature refused: signature does not verify"),
    ("unknown key", 401, "signature refused"),
    ("another server", 401, "signed for another server"),
    ("key of another actor", 401, "does not belong to the activity's actor"),
    ("id elsewhere", 400, "the activity's id is not an http(s) URL on its actor's server"),
    ("id not http", 400, "the activity's id is not an http(s) URL on its actor's server"),
    ("object elsewhere", 400, "the object is not on the actor's server"),
    ("creates one of ours", 400, "the object is not on the actor's server"),
    ("updates a note of ours", 400, "the object is not on the actor's server"),
])
def test_signature_and_origin_refusals(keys, case, status, reason):
    (private, public), (other_private, _other_public) = keys
    activity, resolver, url = follow(), key_of(public), f"{BASE}/inbox"
    if case == "other key":
        private = other_private
    elif case == "unknown key":
        resolver = key_of(None)
    elif case == "another server":
        url = "https://other.test/inbox"
    elif case == "key of another actor":
        resolver = key_of(public, owner="https://remote.example/users/mallory")
    elif case == "id elsewhere":
        activity = follow(id="https://elsewhere.example/activities/1")
    elif case == "id not http":
        activity = follow(id="urn:uuid:1")
    elif case == "object elsewhere":
        activity = follow(type="Update", object={"id": "https://victim.example/notes/1", "type": "Note"})
    elif case == "creates one of ours":
        activity = follow(type="Create", object={"id": f"{BASE}/events/1", "type": "Event"})
    elif case == "updates a note of ours":
        activity = follow(type="Update", object={"id": f"{BASE}/comments/1", "type": "Note"})
    got_status, got_reason = refusal(check_signed, *signed(activity, private, url), activity, resolver, BASE)
    assert got_status == status and reason in got_reason


@pytest.mark.parametrize("verb, document", [("Update", {"id": f"{BASE}/events/1", "type": "Event"}),
                                             ("Delete", f"{BASE}/events/1")])
def test_an_organiser_elsewhere_may_send_a_change_of_one_of_our_events(keys, verb, document):
    (private, public), _other = keys
    # Their role in its group is the handler's to check.
    activity = follow(type=verb, object=document)
    check_signed(*signed(activity, private), activity, key_of(public), BASE)  # nothing raised


@pytest.mark.parametrize("host, ours", [
    ("events.test", True), ("events.test:443", True), ("EVENTS.test", True), ("events.test:8443", False),
    ("other.test", False), ("", False), (None, False),
])
def test_hosts_compare_as_hosts(host, ours):
    assert signed_for({"host": host} if host is not None else {}, BASE) is ours
