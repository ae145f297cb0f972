"""The online address of an event whose organisers choose who takes part travels only to those
taking part: never in what is sent to followers, and in the served document only when a
participant's own key signs the GET (signed here by bovine, software we did not write)."""
import asyncio
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import pytest
from bovine.crypto import build_validate_http_signature_raw
from bovine.crypto.http_signature import build_signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from bovine.utils import get_gmt_now

from mobilizon_lite.models import Activity, Actor, Event, Participation

from ..helpers import log_in, loopback_server, make_event
from .remote import ACTOR, REMOTE, send

SECRET = "https://meet.example/room-4412"
AP = {"Accept": "application/activity+json"}


def signed_by(key_id, private_pem, url):
    """Headers of a GET of url as bovine signs it."""
    parts = urlsplit(url)
    signature = build_signature(parts.netloc or "events.test", "get", parts.path).with_field("date", get_gmt_now())
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
    # A participant's GET signed for another server, replayed here, proves nothing here.
    replayed = signed_by(f"{ACTOR}#main-key", alice_private, f"http://elsewhere.example{url}")
    assert replayed["host"] == "elsewhere.example"
    assert SECRET not in document(fed, restricted, replayed)


def test_what_is_sent_to_followers_leaves_the_online_address_out(fed, restricted):
    with fed.app_context():
        [create] = Activity.select().where(Activity.type == "Create")
        assert create.body["object"]["id"] == restricted.ap_id
        assert SECRET not in json.dumps(create.body)


def test_events_anyone_may_join_carry_their_online_address(fed):
    event = make_event(fed, online_url=SECRET)
    assert SECRET in document(fed, event)


class OrganiserServer:
    """Another server holding a restricted event: bovine checks the signature of each GET, and only
    ann's own key gets the document with the online address."""

    def __init__(self, participant_id, participant_pem):
        outer = self
        self.base = self.organiser = None  # known once served (see the organiser_server fixture)
        self.owners, self.unusable = [], False

        async def key(key_id):
            return (CryptographicIdentifier.from_pem(participant_pem, participant_id)
                    if key_id == f"{participant_id}#main-key" else None)

        verify = build_validate_http_signature_raw(key)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                headers = {name.lower(): value for name, value in self.headers.items()}
                owner = asyncio.run(verify("get", outer.base + self.path, headers, None))
                outer.owners.append(owner)
                full = owner == participant_id
                document = outer.event(online=full)
                if outer.unusable:
                    document["startTime"] = "9999-12-31T20:00:00Z"
                body = json.dumps(document).encode()
                self.send_response(200 if self.path == "/events/9" else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.handler = Handler

    def event(self, online=False):
        document = {"id": f"{self.base}/events/9", "type": "Event", "name": "Strike meeting",
                    "startTime": "2027-06-21T18:00:00+02:00", "timezone": "Europe/Paris",
                    "to": ["https://www.w3.org/ns/activitystreams#Public"], "actor": self.organiser,
                    "attributedTo": self.organiser, "joinMode": "restricted", "attachment": []}
        if online:
            document["attachment"].append({"type": "Link", "href": SECRET, "mediaType": "text/html", "name": "Website"})
        return document


@pytest.fixture
def app_config(app_config):
    return dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32")


@pytest.fixture
def organiser_server(fed, remote_keys):
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    server = OrganiserServer(ann.ap_id, ann.public_key_pem)
    with loopback_server(server.handler) as url:
        server.base, server.organiser = url, f"{url}/users/org"
        with fed.app_context():
            Actor.create(preferred_username="org", domain=urlsplit(url).netloc, ap_id=server.organiser,
                         public_key_pem=remote_keys[0][1], inbox=f"{server.organiser}/inbox")
        yield server


def test_our_participants_of_a_restricted_event_elsewhere_fetch_its_online_address(fed, remote_keys,
                                                                                    organiser_server):
    server, key = organiser_server, remote_keys[0][0]
    assert send(fed, key, "Create", server.event(), 1, actor=server.organiser).status_code == 202
    with fed.app_context():
        event = Event.get(Event.ap_id == f"{server.base}/events/9")
        assert event.online_url == "" and event.join_mode == "restricted"
        ann = Actor.get(Actor.preferred_username == "ann")
        Participation.create(event=event, actor=ann, role="not_approved", ap_id="http://events.test/activities/j1")
    assert server.owners == []  # nobody of ours takes part yet: nothing to ask
    # The organiser's server accepts ann: we fetch the event again, signed with ann's key.
    assert send(fed, key, "Accept", "http://events.test/activities/j1", 2, actor=server.organiser).status_code == 202
    assert server.owners == [ann.ap_id]
    with fed.app_context():
        assert Event.get_by_id(event.id).online_url == SECRET
    # Later changes arrive without it, and are fetched again the same way.
    assert send(fed, key, "Update", dict(server.event(), name="Strike meeting (moved)"), 3,
                actor=server.organiser).status_code == 202
    with fed.app_context():
        assert Event.get_by_id(event.id).online_url == SECRET
    log_in_client = fed.test_client()
    log_in(log_in_client)
    assert SECRET in log_in_client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert SECRET not in fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)


def test_an_unusable_copy_fetched_for_participants_is_not_the_senders_fault(fed, remote_keys, organiser_server):
    server, key = organiser_server, remote_keys[0][0]
    assert send(fed, key, "Create", server.event(), 1, actor=server.organiser).status_code == 202
    with fed.app_context():
        event = Event.get(Event.ap_id == f"{server.base}/events/9")
        Participation.create(event=event, actor=Actor.get(Actor.preferred_username == "ann"), role="participant",
                             ap_id="http://events.test/activities/j1")
    server.unusable = True  # what ann's signed GET brings back is out of every calendar
    assert send(fed, key, "Update", dict(server.event(), name="Strike meeting (moved)"), 2,
                actor=server.organiser).status_code == 202
    assert len(server.owners) == 1
    with fed.app_context():
        assert Event.get_by_id(event.id).title == "Strike meeting (moved)"
