"""The online address of an event whose organisers choose who takes part travels only to those
taking part: never in what is sent to followers, and in the served document only when a
participant's own key signs the GET (signed here by bovine, software we did not write)."""
import json
from urllib.parse import urlsplit

import pytest
from bovine.crypto.http_signature import build_signature
from bovine.crypto.types import CryptographicSecret
from bovine.utils import get_gmt_now

from mobilizon_lite.models import Activity, Actor, Participation

from ..helpers import make_event
from .conftest import ACTOR, REMOTE

SECRET = "https://meet.example/room-4412"
AP = {"Accept": "application/activity+json"}


def signed_by(key_id, private_pem, url):
    """Headers of a GET of url as bovine signs it."""
    parts = urlsplit(url)
    signature = build_signature("localhost", "get", parts.path).with_field("date", get_gmt_now())
    header = signature.sign_for_http_draft(CryptographicSecret.from_pem(key_id, private_pem))
    return {**AP, **signature.headers, "signature": header}


@pytest.fixture
def restricted(fed):
    """A restricted event of ann's with an online address: alice takes part, mallory waits."""
    event = make_event(fed, join_mode="restricted", online_url=SECRET)
    with fed.app_context():
        Participation.create(event=event.id, actor=Actor.get(Actor.ap_id == ACTOR), role="participant")
        Participation.create(event=event.id, actor=Actor.get(Actor.ap_id == f"{REMOTE}/users/mallory"),
                             role="not_approved")
    return event


def document(fed, event, headers=AP):
    response = fed.test_client().get(f"/events/{event.uuid}", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return json.dumps(response.json)


def test_an_unsigned_get_gets_the_document_without_the_online_address(fed, restricted):
    text = document(fed, restricted)
    assert SECRET not in text and '"isOnline"' in text


def test_a_get_signed_by_a_participant_gets_the_online_address(fed, remote_keys, restricted):
    (alice_private, _public), (other_private, _other_public) = remote_keys
    url = f"/events/{restricted.uuid}"
    assert SECRET in document(fed, restricted, signed_by(f"{ACTOR}#main-key", alice_private, url))
    # Someone still waiting, and a signature that does not verify, get the public document.
    mallory = f"{REMOTE}/users/mallory#main-key"
    assert SECRET not in document(fed, restricted, signed_by(mallory, other_private, url))
    assert SECRET not in document(fed, restricted, signed_by(f"{ACTOR}#main-key", other_private, url))


def test_what_is_sent_to_followers_leaves_the_online_address_out(fed, restricted):
    with fed.app_context():
        [create] = Activity.select().where(Activity.type == "Create")
        assert create.body["object"]["id"] == restricted.ap_id
        assert SECRET not in json.dumps(create.body)


def test_events_anyone_may_join_carry_their_online_address(fed):
    event = make_event(fed, online_url=SECRET)
    assert SECRET in document(fed, event)
