"""The inbox trusts nothing: every refusal of the issue, replays, key fetches through the safe client."""
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Follow, Throttle
from mobilizon_lite.services import follows, inbound

from ..helpers import make_account
from .remote import ACTOR, REMOTE, ActorServer, due_now, follow, items, post


@pytest.fixture
def inbox_app(app, remote_keys):
    (_private, public), _other = remote_keys
    make_account(app)
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR,
                     inbox=f"{ACTOR}/inbox", public_key_pem=public)
    return app


def test_signed_activity_is_stored_once(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    response = post(inbox_app, follow(), key=private)
    assert response.status_code == 202, response.json
    assert post(inbox_app, follow(), key=private).status_code == 202  # the replay changes nothing
    assert post(inbox_app, follow(), key=private, path="/@ann/inbox").status_code == 202
    [item] = items(inbox_app)
    assert item.activity_id == f"{REMOTE}/activities/1" and item.type == "Follow"
    assert item.processed_at is not None


def test_personal_inbox_of_an_unknown_identity_is_404(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    assert post(inbox_app, follow(), key=private, path="/@nobody/inbox").status_code == 404


@pytest.mark.parametrize("case", [
    "unsigned", "wrong_key", "flipped_byte", "hmac", "stale", "future", "wrong_digest", "owner_not_actor",
])
def test_signature_refusals_are_401_and_store_nothing(inbox_app, remote_keys, case):
    (private, public), (other_private, _other_public) = remote_keys
    activity = follow()
    body = json.dumps(activity).encode()
    kwargs = {"key": private}
    if case == "unsigned":
        kwargs = {}
    elif case == "wrong_key":
        kwargs = {"key": other_private}
    elif case == "flipped_byte":
        signed = sign_headers("POST", "http://events.test/inbox", f"{ACTOR}#main-key", private, body=body)
        body = body.replace(b"Follow", b"Fellow")
        kwargs = {"headers": signed}
    elif case == "hmac":
        date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        message = f"(request-target): post /inbox\nhost: events.test\ndate: {date}\ndigest: {digest}".encode()
        forged = base64.b64encode(hmac.new(public.encode(), message, hashlib.sha256).digest()).decode()
        kwargs = {"headers": {"Host": "events.test", "Date": date, "Digest": digest, "Signature":
                  f'keyId="{ACTOR}#main-key",algorithm="hmac-sha256",headers="(request-target) host date digest",'
                  f'signature="{forged}"'}}
    elif case in ("stale", "future"):
        shift = timedelta(hours=2)
        kwargs["now"] = datetime.now(UTC) + (shift if case == "future" else -shift)
    elif case == "wrong_digest":
        kwargs["headers"] = {"Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(b"x").digest()).decode()}
    elif case == "owner_not_actor":
        body = json.dumps(follow(actor=f"{REMOTE}/users/mallory")).encode()
    response = post(inbox_app, body=body, **kwargs)
    assert response.status_code == 401, response.json
    assert items(inbox_app) == []


@pytest.mark.parametrize("body, content_type, status", [
    (b"{not json", "application/activity+json", 400),
    (b"[" * 50 + b"]" * 50, "application/activity+json", 400),
    (b"[" * 50000 + b"]" * 50000, "application/activity+json", 400),
    (b'{"type": "Follow"}', "application/activity+json", 400),
    (b"{}", "text/plain", 415),
    (b"{" + b" " * (1 << 20) + b"}", "application/activity+json", 413),
])
def test_malformed_bodies(inbox_app, body, content_type, status):
    assert post(inbox_app, body=body, content_type=content_type).status_code == status
    assert items(inbox_app) == []


def test_activity_ids_must_be_on_the_actors_server(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    activity = follow()
    activity["id"] = "https://elsewhere.example/activities/1"
    assert post(inbox_app, activity, key=private).status_code == 400
    assert items(inbox_app) == []


@pytest.mark.parametrize("field, value, reason", [
    ("type", None, "without a type"), ("type", ["Follow"], "without a type"), ("type", "", "without a type"),
    ("id", None, "without an id"), ("id", 7, "without an id"),
])
def test_activities_without_a_type_or_an_id_are_400_and_store_nothing(inbox_app, remote_keys, field, value,
                                                                     reason):
    (private, _public), _other = remote_keys
    activity = follow(92)
    if value is None:
        del activity[field]
    else:
        activity[field] = value
    response = post(inbox_app, activity, key=private)
    assert response.status_code == 400 and reason in response.json["status"]
    assert items(inbox_app) == []


def test_unknown_actor_deleting_itself_is_202_without_any_fetch(app):
    make_account(app)
    activity = {"id": "https://gone.example/users/bob#delete", "type": "Delete",
                "actor": "https://gone.example/users/bob", "object": "https://gone.example/users/bob"}
    # No key anywhere, and gone.example does not even resolve: nothing may be fetched.
    assert post(app, activity).status_code == 202
    assert items(app) == []


def test_unknown_keys_are_fetched_through_the_safe_client(tmp_path, app_config, actor_server, remote_keys):
    (private, public), (other_private, _other_public) = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    actor = f"{actor_server}/users/carol"
    ActorServer.documents["/users/carol"] = {
        "id": actor, "type": "Person", "preferredUsername": "carol", "inbox": f"{actor}/inbox",
        "endpoints": {"sharedInbox": f"{actor_server}/inbox"},
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public}}
    activity = {"id": f"{actor_server}/a/1", "type": "Follow", "actor": actor, "object": "http://events.test/@ann"}
    response = post(app, activity, key=private, key_id=f"{actor}#main-key")
    assert response.status_code == 202, response.json
    assert ActorServer.hits == [("/users/carol", True)]  # one fetch, signed by the instance actor
    with app.app_context():
        stored = Actor.get(Actor.ap_id == actor)
        assert stored.domain == actor_server.split("//")[1] and stored.shared_inbox == f"{actor_server}/inbox"
    # A bad signature triggers at most one refetch per key document per 5 minutes, whatever the fragment.
    with app.app_context():  # the last fetch, 5 minutes ago (whichever server process made it)
        assert Throttle.update(last_failure_at=utcnow() - timedelta(seconds=301)).where(
            Throttle.key == f"key-fetch:{actor}").execute() == 1
    for number, fragment in ((2, "main-key"), (3, "k1"), (4, "k2")):
        activity["id"] = f"{actor_server}/a/{number}"
        assert post(app, activity, key=other_private, key_id=f"{actor}#{fragment}").status_code == 401
    assert len(ActorServer.hits) == 2


def test_an_update_whose_origin_serves_no_actor_leaves_the_profile_as_it_was(
        tmp_path, app_config, actor_server, remote_keys):
    (private, public), _other = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    actor = f"{actor_server}/users/fred"
    ActorServer.documents["/users/fred"] = {
        "id": actor, "type": "Person", "preferredUsername": "fred", "name": "Fred", "inbox": f"{actor}/inbox",
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public}}
    follow_fred = {"id": f"{actor_server}/a/1", "type": "Follow", "actor": actor, "object": "http://events.test/@ann"}
    assert post(app, follow_fred, key=private, key_id=f"{actor}#main-key").status_code == 202
    ActorServer.documents["/users/fred"] = {"id": actor, "type": "Note", "content": "not a profile"}
    update = {"id": f"{actor_server}/a/2", "type": "Update", "actor": actor, "object": {"id": actor, "type": "Person"}}
    response = post(app, update, key=private, key_id=f"{actor}#main-key")
    # Not the sender's fault, and nothing a retry would change: accepted, ignored, the profile kept.
    assert response.status_code == 202, response.json
    assert [item.state for item in items(app) if item.type == "Update"] == ["ignored"]
    with app.app_context():
        assert Actor.get(Actor.ap_id == actor).name == "Fred"


def test_without_the_allow_list_loopback_keys_are_never_fetched(app, actor_server, remote_keys):
    (private, _public), _other = remote_keys
    make_account(app)
    actor = f"{actor_server}/users/dave"
    activity = {"id": f"{actor_server}/a/1", "type": "Follow", "actor": actor, "object": "http://events.test/@ann"}
    assert post(app, activity, key=private, key_id=f"{actor}#main-key").status_code == 401
    assert ActorServer.hits == []


def activity(number, verb, obj, actor=ACTOR):
    return {"id": f"{REMOTE}/activities/{number}", "type": verb, "actor": actor, "object": obj}


def test_objects_of_other_servers_cannot_be_created_changed_or_deleted(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    for number, verb in enumerate(("Create", "Update", "Delete"), start=10):
        foreign = {"id": "https://victim.example/notes/1", "type": "Note"}
        response = post(inbox_app, activity(number, verb, foreign), key=private)
        assert response.status_code == 400, verb
    assert items(inbox_app) == []


def test_delete_leaves_a_tombstone_that_a_late_create_cannot_pass(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    note = {"id": f"{REMOTE}/notes/7", "type": "Note", "content": "hi"}
    assert post(inbox_app, activity(20, "Delete", note["id"]), key=private).status_code == 202
    assert post(inbox_app, activity(21, "Create", note), key=private).status_code == 202
    assert [(item.type, item.state, item.error) for item in items(inbox_app)] == [
        ("Delete", "ignored", ""),
        ("Create", "ignored", "the object was deleted: ignored")]


def test_an_actor_deleting_itself_is_gone_with_its_follows(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    post(inbox_app, follow(30), key=private)
    with inbox_app.app_context():
        assert Follow.select().count() == 1
    assert post(inbox_app, activity(31, "Delete", ACTOR), key=private).status_code == 202
    with inbox_app.app_context():
        assert Follow.select().count() == 0
        assert Actor.get(Actor.ap_id == ACTOR).deleted_at is not None


def test_followers_approved_by_hand(inbox_app, remote_keys):
    from mobilizon_lite.models import Delivery

    from ..helpers import log_in, submit

    (private, _public), _other = remote_keys
    with inbox_app.app_context():
        Actor.update(manually_approves_followers=True).where(Actor.preferred_username == "ann").execute()
    post(inbox_app, follow(40), key=private)
    with inbox_app.app_context():
        assert Follow.get().accepted is False and Delivery.select().count() == 0
        follow_id = Follow.get().id
    client = inbox_app.test_client()
    log_in(client)
    page = client.get("/identities/").get_data(as_text=True)
    assert "Waiting for your approval" in page and "alice" in page
    response = submit(client, f"/identities/ann/followers/{follow_id}/accept", {}, page="/identities/")
    assert response.status_code == 302
    with inbox_app.app_context():
        assert Follow.get().accepted is True
        [queued] = Delivery.select()
        assert queued.activity.type == "Accept" and queued.inbox_url == f"{ACTOR}/inbox"
        assert queued.activity.body["object"]["id"] == f"{REMOTE}/activities/40"


def test_keys_published_at_their_own_url_are_fetched_once(tmp_path, app_config, actor_server, remote_keys):
    (private, public), _other = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    actor = f"{actor_server}/users/erin"
    key_id = f"{actor}/main-key"
    key = {"id": key_id, "owner": actor, "publicKeyPem": public}
    ActorServer.documents["/users/erin/main-key"] = {"id": key_id, "owner": actor, "publicKey": key}
    ActorServer.documents["/users/erin"] = {
        "id": actor, "type": "Person", "preferredUsername": "erin", "inbox": f"{actor}/inbox",
        "publicKey": {"id": key_id, "owner": actor, "publicKeyPem": public}}
    for number in (1, 2, 3):
        activity = {"id": f"{actor_server}/a/{number}", "type": "Follow", "actor": actor,
                    "object": "http://events.test/@ann"}
        assert post(app, activity, key=private, key_id=key_id).status_code == 202
    assert [path for path, _signed in ActorServer.hits] == ["/users/erin/main-key", "/users/erin"]


def test_an_actor_cannot_delete_what_another_actor_of_its_server_owns(inbox_app, remote_keys):
    from mobilizon_lite.models import Tombstone

    (private, public), (other_private, other_public) = remote_keys
    bob = f"{REMOTE}/users/bob"
    with inbox_app.app_context():
        Actor.create(preferred_username="bob", domain="remote.example", ap_id=bob, public_key_pem=other_public)
    note = {"id": f"{bob}/statuses/9", "type": "Note", "content": "mine"}
    assert post(inbox_app, activity(50, "Delete", bob), key=private).status_code == 202
    assert post(inbox_app, activity(51, "Delete", note["id"]), key=private).status_code == 202
    with inbox_app.app_context():
        assert Actor.get(Actor.ap_id == bob).deleted_at is None
    bob_create = {"id": f"{REMOTE}/activities/52", "type": "Create", "actor": bob, "object": note}
    response = post(inbox_app, bob_create, key=other_private, key_id=f"{bob}#main-key")
    assert response.status_code == 202 and response.json["status"] == "accepted"
    with inbox_app.app_context():
        assert [t.actor.ap_id for t in Tombstone.select()] == [ACTOR]


@pytest.mark.parametrize("header, value", [
    ("Signature", 'keyId="https://[bad/actor#k",algorithm="rsa-sha256",headers="(request-target) host date digest",'
                  'signature="AAAA"'),
    ("Signature", 'keyId="https://evil.example:99999/a#k",algorithm="rsa-sha256",'
                  'headers="(request-target) host date digest",signature="AAAA"'),
    ("Date", "Mon, 01 Jan 2024 00:00:00 +99999999999999999999"),
    ("Signature", 'keyId="' + "x" * 5000 + '",signature="AAAA"'),
])
def test_malformed_headers_are_401_not_500(inbox_app, remote_keys, header, value):
    (private, _public), _other = remote_keys
    body = json.dumps(follow(60)).encode()
    signed = sign_headers("POST", "http://events.test/inbox", f"{ACTOR}#main-key", private, body=body)
    signed[header] = value
    response = inbox_app.test_client().post("/inbox", data=body, headers=signed,
                                            content_type="application/activity+json")
    assert response.status_code == 401


def test_a_signature_made_for_another_server_is_refused(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    body = json.dumps(follow(70)).encode()
    signed = sign_headers("POST", "https://other.test/inbox", f"{ACTOR}#main-key", private, body=body)
    response = inbox_app.test_client().post("/inbox", data=body, headers=signed,
                                            content_type="application/activity+json")
    assert response.status_code == 401 and "another server" in response.json["status"]


def test_repeated_follow_then_undo_and_accept_by_embedded_follow(inbox_app, remote_keys):
    (private, _public), _other = remote_keys
    post(inbox_app, follow(80), key=private)
    post(inbox_app, follow(81), key=private)
    with inbox_app.app_context():
        assert Follow.get().ap_id == f"{REMOTE}/activities/81"
    undo = activity(82, "Undo", follow(81))
    assert post(inbox_app, undo, key=private).status_code == 202
    with inbox_app.app_context():
        assert Follow.select().count() == 0
        ann = Actor.get(Actor.preferred_username == "ann")
        alice = Actor.get(Actor.ap_id == ACTOR)
        Follow.create(follower=ann, followed=alice, ap_id="http://events.test/activities/x")
    accept = activity(83, "Accept", {"id": f"{REMOTE}/whatever", "type": "Follow", "actor": ann.ap_id,
                                     "object": ACTOR})
    post(inbox_app, accept, key=private)
    with inbox_app.app_context():
        assert Follow.get().accepted is True


def test_failed_handling_is_recorded_and_retried_after_a_backoff(inbox_app, remote_keys, monkeypatch):
    (private, _public), _other = remote_keys
    calls = []

    def flaky(item):
        calls.append(item.activity_id)
        if len(calls) == 1:
            raise RuntimeError("database briefly unavailable")
        return "done"

    monkeypatch.setitem(inbound.HANDLERS, ("Follow", "Actor"), flaky)
    assert post(inbox_app, follow(90), key=private).status_code == 202  # never a 500 for the sender
    [item] = items(inbox_app)
    assert item.state == "failed" and "briefly unavailable" in item.error
    assert item.next_attempt_at > utcnow() + timedelta(seconds=10)
    with inbox_app.app_context():
        assert inbound.handle_received() == 0  # not before its backoff
    due_now(inbox_app)
    with inbox_app.app_context():
        assert inbound.handle_received() == 1
    [item] = items(inbox_app)
    assert item.state == "done" and item.attempts == 2 and item.next_attempt_at is None


def test_an_undo_waits_for_the_retry_of_its_follow_and_other_actors_do_not(inbox_app, remote_keys, monkeypatch):
    (private, public), (other_private, other_public) = remote_keys
    bob = f"{REMOTE}/users/bob"
    with inbox_app.app_context():
        Actor.create(preferred_username="bob", domain="remote.example", ap_id=bob, public_key_pem=other_public,
                     inbox=f"{bob}/inbox")
    failures = [RuntimeError("database briefly unavailable")]

    def flaky_follow(item):
        if failures and item.actor.ap_id == ACTOR:
            raise failures.pop()
        return follows.on_follow_actor(item)

    monkeypatch.setitem(inbound.HANDLERS, ("Follow", "Actor"), flaky_follow)
    post(inbox_app, follow(100), key=private)
    assert post(inbox_app, activity(101, "Undo", follow(100)), key=private).status_code == 202
    post(inbox_app, follow(102, actor=bob), key=other_private, key_id=f"{bob}#main-key")
    # alice's Undo waits behind her Follow; bob's Follow, which came after, does not.
    assert [(item.type, item.state) for item in items(inbox_app)] == [
        ("Follow", "failed"), ("Undo", "received"), ("Follow", "done")]
    with inbox_app.app_context():
        assert [row.follower.ap_id for row in Follow.select()] == [bob]
    due_now(inbox_app)
    with inbox_app.app_context():
        assert inbound.handle_received() == 2
        assert [row.follower.ap_id for row in Follow.select()] == [bob]  # followed, then undone: in that order
    assert [item.state for item in items(inbox_app)] == ["done", "done", "done"]


@pytest.mark.parametrize("signed_headers", ["date", "(request-target) date digest", "(request-target) host date"])
def test_signatures_must_cover_target_host_date_and_digest(inbox_app, remote_keys, signed_headers):
    from httpsig import HeaderSigner

    (private, _public), _other = remote_keys
    body = json.dumps(follow(91)).encode()
    headers = sign_headers("POST", "http://events.test/inbox", f"{ACTOR}#main-key", private, body=body)
    signer = HeaderSigner(f"{ACTOR}#main-key", private, algorithm="rsa-sha256", headers=signed_headers.split(),
                          sign_header="signature")
    headers["Signature"] = signer.sign(headers, host="events.test", method="POST", path="/inbox")["Signature"]
    response = inbox_app.test_client().post("/inbox", data=body, headers=headers,
                                            content_type="application/activity+json")
    assert response.status_code == 401 and "does not cover" in response.json["status"]
