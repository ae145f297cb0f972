"""WebFinger, host-meta, NodeInfo, actor documents and collections; real fixtures parsed."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mobilizon_lite.activitypub.convert.actor import collection
from mobilizon_lite.activitypub.parse import load_json
from mobilizon_lite.activitypub.signatures import load_public_key
from mobilizon_lite.activitypub.vocab import is_public
from mobilizon_lite.models import Actor
from mobilizon_lite.services.actors import actor_from_ap

from ..helpers import log_in, make_account, make_event, submit
from .captured import FIXTURES, fixture_names, needs_fixtures
from .nodeinfo_schema import schema

AP = {"Accept": "application/activity+json"}


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def test_webfinger(ann, client):
    response = client.get("/.well-known/webfinger?resource=acct:ann@events.test")
    assert response.status_code == 200 and response.mimetype == "application/jrd+json"
    assert response.json["subject"] == "acct:ann@events.test"
    self_link = {"rel": "self", "type": "application/activity+json", "href": "http://events.test/@ann"}
    assert self_link in response.json["links"]
    by_url = client.get("/.well-known/webfinger?resource=http://events.test/@ann")
    assert by_url.json["subject"] == "acct:ann@events.test"
    relay = client.get("/.well-known/webfinger?resource=acct:relay@events.test")
    assert relay.json["links"][0]["href"] == "http://events.test/relay"
    for resource, status in (("acct:nobody@events.test", 404), ("acct:ann@elsewhere.example", 404),
                             ("mailto:ann@events.test", 404), ("", 400)):
        assert client.get(f"/.well-known/webfinger?resource={resource}").status_code == status


def test_host_meta_and_nodeinfo(ann, client):
    assert "/.well-known/webfinger?resource={uri}" in client.get("/.well-known/host-meta").get_data(as_text=True)
    links = client.get("/.well-known/nodeinfo").json["links"]
    rels = {link["rel"]: link["href"] for link in links}
    assert rels["http://nodeinfo.diaspora.software/ns/schema/2.0"] == "http://events.test/nodeinfo/2.0"
    assert rels["https://www.w3.org/ns/activitystreams#Application"] == "http://events.test/relay"
    make_event(ann)
    for version in ("2.0", "2.1"):
        info = client.get(f"/nodeinfo/{version}").json
        assert info["version"] == version and info["software"]["name"] == "mobilizon-lite"
        assert info["protocols"] == ["activitypub"] and info["openRegistrations"] is True
        assert info["usage"]["users"]["total"] == 1 and info["usage"]["localPosts"] == 1
    assert client.get("/nodeinfo/9.9").status_code == 404


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_passes_the_strict_schema_and_counts_public_events_only(ann, client, version):
    for visibility in ("public", "unlisted", "private", "public"):
        make_event(ann, visibility=visibility)
    info = client.get(f"/nodeinfo/{version}").json
    validator = jsonschema.Draft4Validator(schema(version), format_checker=jsonschema.FormatChecker())
    assert [error.message for error in validator.iter_errors(info)] == []
    # Unlisted and private events exist only for those who have their link: they are not counted.
    assert info["usage"]["localPosts"] == 2


@pytest.mark.parametrize("accept", ["application/activity+json",
                                    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'])
def test_actor_document_by_content_negotiation(ann, client, accept):
    response = client.get("/@ann", headers={"Accept": accept})
    assert response.mimetype == "application/activity+json"
    actor = response.json
    assert actor["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert actor["@context"][2]["mz"] == "https://joinmobilizon.org/ns#"
    assert actor["id"] == actor["url"] == "http://events.test/@ann" and actor["type"] == "Person"
    assert actor["preferredUsername"] == "ann" and actor["inbox"] == "http://events.test/@ann/inbox"
    assert actor["endpoints"]["sharedInbox"] == "http://events.test/inbox"
    assert actor["followers"] == "http://events.test/@ann/followers"
    assert actor["publicKey"]["id"] == "http://events.test/@ann#main-key"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert load_public_key(actor["publicKey"]["publicKeyPem"]).key_size == 2048
    assert actor["discoverable"] is True and actor["manuallyApprovesFollowers"] is False
    assert "private" not in json.dumps(actor).lower()
    assert client.get("/@ann", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/@nobody", headers={"Accept": accept}).status_code == 404


def test_actor_documents_link_no_two_identities(ann, client):
    log_in(client)
    submit(client, "/identities/new", {"username": "club"})
    ann_doc = json.dumps(client.get("/@ann", headers=AP).json)
    club_doc = json.dumps(client.get("/@club", headers=AP).json)
    assert "club" not in ann_doc and "/@ann" not in club_doc


def test_collections_are_paged(ann, client):
    root = client.get("/@ann/followers", headers=AP).json
    assert root["type"] == "OrderedCollection" and root["first"].endswith("/@ann/followers?page=1")
    page = client.get("/@ann/followers?page=1", headers=AP).json
    assert page["type"] == "OrderedCollectionPage" and page["orderedItems"] == []
    for url in ("/@ann/outbox", "/@ann/following", "/relay/outbox"):
        assert client.get(url).json["totalItems"] == 0
    assert client.get("/@ann/followers?page=abc").status_code == 400
    assert client.get("/@nobody/followers").status_code == 404
    paged = collection("https://x.example/c", ["a"] * 10, 25, page=2, per_page=10)
    assert paged["next"].endswith("page=3") and paged["prev"].endswith("page=1")


def test_instance_actor(ann, client):
    relay = client.get("/relay").json
    assert relay["type"] == "Application" and relay["preferredUsername"] == "relay"
    assert relay["inbox"] == "http://events.test/inbox"
    # Made once, and its name is never available to identities.
    assert client.get("/relay").json["publicKey"] == relay["publicKey"]
    with ann.app_context():
        assert Actor.select().where(Actor.type == "Application").count() == 1


@needs_fixtures
@pytest.mark.parametrize("path", fixture_names("*.json") + fixture_names("external/*.json"))
def test_every_fixture_is_read_by_the_defensive_parser(path):
    document = load_json((FIXTURES / path).read_bytes())
    assert isinstance(document, dict)
    is_public(document)  # audiences of every shape are understood without error


@needs_fixtures
@pytest.mark.parametrize("path", ["mastodon-actor.json", "gancio-actor.json", "external/mobilizon.org-user.json",
                                  "external/mobilizon.fr-group-framasoft.json"])
def test_fixture_actors_are_stored(app, path):
    document = load_json((FIXTURES / path).read_bytes())
    with app.app_context():
        actor = actor_from_ap(document)
        assert actor.ap_id == document["id"] and actor.domain
        assert actor.inbox and actor.public_key_pem
        load_public_key(actor.public_key_pem)  # SPKI (Mastodon) and PKCS#1 (Mobilizon) both load
        assert "<script" not in actor.summary


def test_remote_follow_lands_on_a_filled_follow_form(ann, client):
    template = next(link["template"] for link in
                    client.get("/.well-known/webfinger?resource=acct:ann@events.test").json["links"]
                    if link["rel"] == "http://ostatus.org/schema/1.0/subscribe")
    assert template == "http://events.test/interact?uri={uri}"
    log_in(client)
    response = client.get("/interact?uri=@zoe@elsewhere.example", follow_redirects=True)
    assert 'value="@zoe@elsewhere.example"' in response.get_data(as_text=True)


def test_outbox_lists_public_activities_only(ann, client):
    from mobilizon_lite.activitypub.publish import new_activity_id, publish
    from mobilizon_lite.activitypub.vocab import AS_PUBLIC

    with ann.app_context():
        me = Actor.get(Actor.preferred_username == "ann")
        publish(me, {"id": new_activity_id(), "type": "Create", "actor": me.ap_id, "to": [AS_PUBLIC],
                     "object": {"type": "Note", "content": "public"}}, [])
        publish(me, {"id": new_activity_id(), "type": "Follow", "actor": me.ap_id,
                     "object": "https://x.example/u"}, [])
    outbox = client.get("/@ann/outbox?page=1", headers=AP).json
    assert outbox["totalItems"] == 1 and outbox["orderedItems"][0]["object"]["content"] == "public"
    activity_id = outbox["orderedItems"][0]["id"]
    served = client.get(activity_id.replace("http://events.test", ""), headers=AP)
    assert served.json["id"] == activity_id


@pytest.mark.parametrize("ci, outcome", [("true", "2 errors"), ("", "2 skipped")])
def test_missing_fixtures_fail_in_ci_and_skip_elsewhere(tmp_path, ci, outcome):
    """A clean clone without ../shared: in CI the fixture tests must fail, never pass as skipped."""
    tests = Path(__file__).resolve().parents[1]
    copy = tmp_path / "clone" / "tests"
    shutil.copytree(tests, copy, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k",
                          "defensive_parser", str(copy / "federation" / "test_discovery.py")],
                         cwd=tmp_path / "clone", env=dict(os.environ, CI=ci), capture_output=True, text=True,
                         timeout=120)
    assert (run.returncode != 0) == bool(ci), run.stdout[-2000:]
    assert outcome in run.stdout.splitlines()[-1] and "passed" not in run.stdout.splitlines()[-1]
