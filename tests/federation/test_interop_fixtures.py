"""Payloads captured from Mobilizon, Mastodon, Pleroma and Gancio, signed and posted to a running instance's
inbox by loopback servers standing in for the servers they name: each makes the right state, or is refused
for a stated reason."""
import functools
import json
import re
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.signatures import sign_headers

from ..helpers import event_fields, loopback_server, wait_until
from .captured import FIXTURES, needs_fixtures
from .live import NEXT_YEAR, handled, identity_id, one, post_form

pytestmark = [pytest.mark.slow, needs_fixtures]

AP = "application/activity+json"
# Activity types whose fixtures must all be sent (test_every_fixture_carrying_an_activity_is_sent).
CARRIED = {"Event", "Join", "Leave", "Accept", "Reject", "Note", "Delete", "Update", "Follow", "Undo"}
ACTOR_TYPES = {"Person", "Group", "Application", "Organization", "Service"}
# Properties naming the servers taking part; hosts only seen elsewhere (links, media, @context) stay as they are.
PARTY_KEYS = {"id", "actor", "attributedTo", "object", "target", "inReplyTo", "to", "cc", "inbox", "outbox",
              "followers", "following", "owner", "sharedInbox"}
PUBLIC_HOST = "www.w3.org"
# Rebased's copies of these real payloads name mobilizon.org/@tcit as the actor of activities that
# mobilizon.mkljczk.pl made; sent from one server, they are what that server emitted.
MKLJCZK = {"mobilizon.org": "mobilizon.mkljczk.pl"}

JOIN, LEAVE = "mobilizon-join-activity.json", "mobilizon-leave-activity.json"
EXTERNAL_JOIN, JOIN_ACCEPT = "external/mobilizon-event-join.json", "external/mobilizon-event-join-accept.json"
EXTERNAL_EVENT = "external/mobilizon.org-event.json"
FOLLOW, UNFOLLOW = "mastodon-follow-activity.json", "mastodon-unfollow-activity.json"
ACCEPT, REJECT = "mastodon-accept-activity.json", "mastodon-reject-activity.json"
NOTE, DELETE = "mastodon-post-activity.json", "mastodon-delete.json"
UPDATE, DELETE_USER = "mastodon-update.json", "mastodon-delete-user.json"

EVENTS = [
    ("mobilizon-post-activity.json", {"visibility": "public", "locality": "Lyon", "online_url": "https://google.com"}),
    ("mobilizon-post-activity-media.json", {"visibility": "public", "place_name": "Locaux de Framasoft"}),
    ("mobilizon-post-activity-media-1.json", {"visibility": "public", "street": "10 Rue Jangot"}),
    # Addressed to its group only, not to the Public: only those who take part see it here.
    ("mobilizon-post-activity-group.json", {"visibility": "private", "title": "My first event"}),
    ("gancio-event-activity.json", {"visibility": "public", "place_name": "Colosseo", "timezone": "Etc/GMT-2"}),
    (EXTERNAL_EVENT, {"visibility": "public", "locality": "Nantes", "capacity": None, "join_mode": "free"}),
]
NOTES = [(NOTE, True), ("mastodon-post-activity-hashtag.json", True), ("mastodon-status.json", True),
         ("pleroma-comment-object.json", True), ("mastodon-post-activity-private.json", False)]

def no_handler(what):
    """The state of an activity no handler takes: what names its verb, and its object's kind when looked at."""
    return ("ignored", f"no handler for {what}")


AS_CAPTURED = [
    ("mastodon-announce.json", 202, "accepted", no_handler("Announce")),
    # Its target is no identity here (test_remote_members posts it naming one: an invitation).
    ("mobilizon-invite-activity.json", 202, "accepted",
     ("ignored", "the invited person is not an identity of this instance")),
    ("mastodon-undo-announce.json", 202, "accepted", no_handler("Undo of Announce")),
    # Objects on their own, not activities: stored, and nothing else.
    ("pleroma-comment-object.json", 202, "accepted", no_handler("Note")),
    (EXTERNAL_EVENT, 202, "accepted", no_handler("Event")),
    ("mastodon-status.json", 400, "activity without an actor", None),
    # A Note answering nothing is no comment; a Delete of a status never seen deletes nothing.
    ("mastodon-post-activity-hashtag.json", 202, "accepted", ("ignored", "")),
    (DELETE, 202, "accepted", ("ignored", "")),
    (DELETE_USER, 202, "unknown actor deleted", None),
    (EXTERNAL_JOIN, 400, "the activity's id is not an http(s) URL on its actor's server", None),
    (JOIN_ACCEPT, 400, "the activity's id is not an http(s) URL on its actor's server", None),
]
COVERED = ({path for path, *_ in EVENTS + NOTES + AS_CAPTURED}
           | {JOIN, LEAVE, EXTERNAL_JOIN, JOIN_ACCEPT, FOLLOW, UNFOLLOW, ACCEPT, REJECT, NOTE, DELETE, UPDATE,
              DELETE_USER})


# Fixtures as captured ------------------------------------------------------------------------------------

def fixture_text(path):
    return (FIXTURES / path).read_text()


def original(path):
    """A fixture's document exactly as captured."""
    return json.loads(fixture_text(path))


@functools.cache
def captured_actors():
    """Captured actor documents by id: served as they are (with a test key) when a fixture names that actor."""
    documents = (original(path.relative_to(FIXTURES)) for path in FIXTURES.rglob("*.json"))
    return {doc["id"]: doc for doc in documents if isinstance(doc, dict) and doc.get("type") in ACTOR_TYPES}


@functools.cache
def key_of(sender):
    """One RSA key pair per original sender, shared by its stand-ins (a key costs tens of milliseconds)."""
    return generate_key_pair()


def carried_types(document):
    """The type of a document and of the object it embeds."""
    inner = document.get("object")
    return {document.get("type"), inner.get("type") if isinstance(inner, dict) else None}


def sender_of(document):
    value = document.get("actor") or document.get("attributedTo")
    return value if isinstance(value, str) else None


def as_create(document):
    """A bare Event or Note as its author's server delivers it: in a Create."""
    if document["type"] not in ("Event", "Note"):
        return document
    return {"@context": document["@context"], "id": f"{document['id']}/activity", "type": "Create",
            "actor": sender_of(document), "to": document.get("to", []), "cc": document.get("cc", []),
            "object": document}


def replace_urls(text, mapping):
    """text with each URL of mapping (longest first, whole URLs or prefixes ending at a separator) replaced."""
    if not mapping:
        return text
    pattern = "|".join(map(re.escape, sorted(mapping, key=len, reverse=True)))
    return re.sub(f"(?:{pattern})(?![\\w.-])", lambda match: mapping[match.group(0)], text)


def refresh_dates(text):
    """Events from 2018 could no longer be listed or joined: they move to next year, same day and time."""
    return re.sub(r'("(?:startTime|endTime)"\s*:\s*")\d{4}', rf"\g<1>{NEXT_YEAR}", text)


def party_hosts(node, key=None):
    """Hosts of the URLs under PARTY_KEYS anywhere in a document."""
    if isinstance(node, dict):
        return set().union(*(party_hosts(value, name) for name, value in node.items()))
    if isinstance(node, list):
        return set().union(*(party_hosts(value, key) for value in node))
    if key in PARTY_KEYS and isinstance(node, str) and node.startswith(("http://", "https://")):
        return {urlsplit(node).netloc} - {PUBLIC_HOST}
    return set()


def minimal_actor(url):
    """What a server with no captured actor document serves for one of its actors."""
    name = url.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
    return {"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"], "id": url,
            "type": "Person", "preferredUsername": name, "inbox": f"{url}/inbox",
            "publicKey": {"id": f"{url}#main-key", "owner": url, "publicKeyPem": ""}}


# Stand-ins for the other servers -------------------------------------------------------------------------

class StandIn(BaseHTTPRequestHandler):
    """Serves its world's documents, and takes whatever the instance delivers."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        document = self.server.world.documents.get(self.server.url + self.path)
        self.answer(200 if document else 404, document or {})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.world.delivered.append(json.loads(body))
        self.answer(202, {})

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", AP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class World:
    """The servers one test talks as: each original host becomes its own loopback server (its own host:port,
    so the instance's same-server checks keep their meaning), fresh for each test so fixtures never clash."""

    def __init__(self, instance, same_server):
        self.instance, self.same_server = instance, same_server
        self.servers, self.documents, self.delivered, self.keys = {}, {}, [], {}
        self.serving = ExitStack()

    def base(self, host):
        host = self.same_server.get(host, host)
        if host not in self.servers:
            self.servers[host] = self.serving.enter_context(loopback_server(StandIn, world=self))
        return self.servers[host]

    def translate(self, text):
        """Every host taking part moved to its stand-in, and each URL under it along."""
        hosts = party_hosts(json.loads(text)) - {urlsplit(self.instance.base).netloc}
        return replace_urls(text, {f"{scheme}://{host}": self.base(host) for host in hosts
                                   for scheme in ("http", "https")})

    def actor(self, url):
        """Serve the actor of an original URL (its captured document if any) with a test key; its new URL."""
        text = json.dumps(captured_actors().get(url) or minimal_actor(url))
        document = json.loads(self.translate(text))
        if document["id"] not in self.documents:
            self.keys[document["id"]] = key_of(url)
            self.serve(document)
        return document["id"]

    def serve(self, document):
        """Publish an actor document (its key replaced by the test key) at its id."""
        document["publicKey"]["publicKeyPem"] = self.keys[document["id"]][1]
        self.documents[document["id"]] = document

    def load(self, path, local=()):
        """A fixture as this world sends it: local references (original URL -> URL) first, then hosts."""
        text = replace_urls(refresh_dates(fixture_text(path)), dict(local))
        sender = sender_of(json.loads(text))
        if sender:
            self.actor(sender)
        return json.loads(self.translate(text))

    def post(self, activity):
        """Sign (when its actor is ours) and POST to the instance's shared inbox: (status, reason), once what
        it stored is handled."""
        body = json.dumps(activity).encode()
        url = f"{self.instance.base}/inbox"
        actor = activity.get("actor")
        headers = {"Content-Type": AP}
        if actor in self.keys:
            key_id = self.documents[actor]["publicKey"]["id"]
            headers.update(sign_headers("POST", url, key_id, self.keys[actor][0], body=body))
        response = requests.post(url, data=body, headers=headers, timeout=10)
        if response.status_code == 202 and isinstance(activity.get("id"), str):
            handled(self.instance, activity["id"])
        return response.status_code, response.json()["status"]

    def received(self, verb):
        """The first activity of this type the instance delivered to any stand-in, once it arrives."""
        return wait_until(lambda: next((a for a in self.delivered if a.get("type") == verb), None), timeout=15)

    def close(self):
        self.serving.close()


# The instance ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def instance(tmp_path_factory, federating):
    with federating(tmp_path_factory.mktemp("interop"), "127.0.0.2", "interop", "ann") as server:
        yield server


@pytest.fixture(scope="module")
def worlds(instance):
    """A factory of worlds; kept up until the end, so late deliveries of the instance still land."""
    made = []

    def world(same_server=None):
        made.append(World(instance, same_server or {}))
        return made[-1]

    yield world
    for each in made:
        each.close()


@pytest.fixture(scope="module")
def ann(instance):
    """ann's session, her identity (form value and actor URL) and a free public event she organises."""
    session = instance.session("ann@example.org")
    identity = identity_id(instance, session)
    fields = event_fields(identity=identity, start_date=f"{NEXT_YEAR}-07-01")
    response = post_form(instance, session, "/events/new", fields, page="/events/new")
    assert response.status_code == 302, response.text[-2000:]
    event_path = urlsplit(response.headers["Location"]).path
    return SimpleNamespace(session=session, identity=identity, actor=f"{instance.base}/@ann",
                           event=instance.base + event_path, event_path=event_path)


def inbox_state(instance, activity_id):
    item = one(instance, "SELECT state, error FROM inbox_item WHERE activity_id = ?", activity_id)
    return (item["state"], item["error"]) if item else None


def role(instance, event, actor):
    found = one(instance, "SELECT p.role FROM participation p JOIN event e ON e.id = p.event_id "
                          "JOIN actor a ON a.id = p.actor_id WHERE e.ap_id = ? AND a.ap_id = ?", event, actor)
    return found and found["role"]


def follow_of(instance, follower, followed):
    return one(instance, "SELECT f.ap_id, f.accepted FROM follow f JOIN actor a ON a.id = f.follower_id "
                         "JOIN actor b ON b.id = f.followed_id WHERE a.ap_id = ? AND b.ap_id = ?", follower, followed)


def remote_actor(instance, ap_id):
    return one(instance, "SELECT * FROM actor WHERE ap_id = ?", ap_id)


def follow_by_form(instance, ann, url):
    """ann follows an actor by its URL, through the web form: the instance fetches it from its stand-in."""
    response = post_form(instance, ann.session, "/identities/follow", {"identity": ann.identity, "handle": url})
    assert response.status_code == 302, response.text[-2000:]
    return follow_of(instance, ann.actor, url)


# The fixtures, one behaviour each ------------------------------------------------------------------------

def test_every_fixture_carrying_an_activity_is_sent():
    documents = {str(path.relative_to(FIXTURES)): json.loads(path.read_text()) for path in FIXTURES.rglob("*.json")}
    carrying = {path for path, doc in documents.items() if isinstance(doc, dict) and carried_types(doc) & CARRIED}
    assert carrying and carrying <= COVERED, carrying - COVERED


@pytest.mark.parametrize("path, status, reason, state", AS_CAPTURED, ids=[case[0] for case in AS_CAPTURED])
def test_as_captured(instance, worlds, path, status, reason, state):
    world = worlds()
    activity = world.load(path)
    assert world.post(activity) == (status, reason)
    assert inbox_state(instance, activity["id"]) == state


@pytest.mark.parametrize("path, expected", EVENTS, ids=[case[0] for case in EVENTS])
def test_create_event(instance, worlds, path, expected):
    world = worlds()
    activity = as_create(world.load(path))
    assert world.post(activity) == (202, "accepted")
    event = one(instance, "SELECT e.*, a.ap_id AS organizer FROM event e JOIN actor a ON a.id = e.organizer_id "
                          "WHERE e.ap_id = ?", activity["object"]["id"])
    assert event["organizer"] == activity["actor"]
    assert {name: event[name] for name in expected} == expected
    home = requests.get(instance.base + "/", timeout=10).text
    listed = f"/events/{event['uuid']}" in home
    assert listed == (expected["visibility"] == "public")
    assert listed == (f"on {urlsplit(activity['actor']).netloc}" in home)


@pytest.mark.parametrize("path, shown", NOTES, ids=[case[0] for case in NOTES])
def test_reply_to_an_event(instance, ann, worlds, path, shown):
    world = worlds()
    activity = as_create(world.load(path))
    activity["object"]["inReplyTo"] = ann.event  # what a reply to ann's event carries
    assert world.post(activity) == (202, "accepted")
    comment = one(instance, "SELECT text FROM comment WHERE ap_id = ?", activity["object"]["id"])
    author = world.documents[activity["actor"]]["preferredUsername"]
    handle = f"@{author}@{urlsplit(activity['actor']).netloc}"
    page = requests.get(instance.base + ann.event_path, timeout=10).text
    assert (comment is not None, handle in page) == (shown, shown)
    assert inbox_state(instance, activity["id"]) == (("done", "") if shown else ("ignored", ""))


def test_delete_of_a_comment(instance, ann, worlds):
    world = worlds()
    create = world.load(NOTE)
    create["object"]["inReplyTo"] = ann.event
    assert world.post(create) == (202, "accepted")
    # mastodon-delete.json is gargron's; here its author deletes the Note above.
    note, deleted = original(NOTE), original(DELETE)
    delete = world.load(DELETE, local={deleted["object"]["id"]: note["object"]["id"], deleted["actor"]: note["actor"]})
    assert world.post(delete) == (202, "accepted")
    assert one(instance, "SELECT id FROM comment WHERE ap_id = ?", create["object"]["id"]) is None
    assert inbox_state(instance, delete["id"]) == ("done", "")


def test_join_then_leave(instance, ann, worlds):
    world = worlds()
    local = {original(JOIN)["object"]: ann.event}
    join = world.load(JOIN, local)
    assert world.post(join) == (202, "accepted")
    assert role(instance, ann.event, join["actor"]) == "participant"
    assert world.received("Accept")["object"]["id"] == join["id"]
    leave = world.load(LEAVE, local)
    # Mobilizon's fixture gives the Leave the Join's id: a replay for any inbox, which changes nothing.
    assert world.post(leave) == (202, "already received")
    assert role(instance, ann.event, join["actor"]) == "participant"
    # Mobilizon itself names a Leave /leave/event/<participant id>.
    leave["id"] = leave["id"].replace("/join/", "/leave/")
    assert world.post(leave) == (202, "accepted")
    assert role(instance, ann.event, join["actor"]) is None


def test_join_by_a_current_mobilizon(instance, ann, worlds):
    world = worlds(MKLJCZK)
    join = world.load(EXTERNAL_JOIN, {original(EXTERNAL_JOIN)["object"]: ann.event})
    assert world.post(join) == (202, "accepted")
    assert role(instance, ann.event, join["actor"]) == "participant"
    assert world.received("Accept")["object"]["id"] == join["id"]


def test_accept_of_a_join_ann_sent(instance, ann, worlds):
    world = worlds(MKLJCZK)
    create = as_create(world.load(EXTERNAL_EVENT))
    assert world.post(create) == (202, "accepted")
    event = one(instance, "SELECT uuid, ap_id FROM event WHERE ap_id = ?", create["object"]["id"])
    page = f"/events/{event['uuid']}"
    response = post_form(instance, ann.session, f"{page}/join", {"identity": ann.identity, "message": ""}, page=page)
    assert response.status_code == 302
    assert role(instance, event["ap_id"], ann.actor) == "not_approved"
    join_id = world.received("Join")["id"]  # it reached the organiser's server
    # The captured Accept answers a Join of pleroma.mkljczk.pl to another event of that server: ann's, here.
    captured = original(JOIN_ACCEPT)["object"]
    accept = world.load(JOIN_ACCEPT, {captured["actor"]: ann.actor, captured["id"]: join_id,
                                      captured["object"]: original(EXTERNAL_EVENT)["id"]})
    assert world.post(accept) == (202, "accepted")
    assert role(instance, event["ap_id"], ann.actor) == "participant"


def test_follow_then_undo(instance, ann, worlds):
    world = worlds()
    local = {original(FOLLOW)["object"]: ann.actor}
    follow = world.load(FOLLOW, local)
    assert world.post(follow) == (202, "accepted")
    assert follow_of(instance, follow["actor"], ann.actor) == {"ap_id": follow["id"], "accepted": 1}
    assert world.received("Accept")["object"]["id"] == follow["id"]
    undo = world.load(UNFOLLOW, local)
    assert world.post(undo) == (202, "accepted")
    assert follow_of(instance, follow["actor"], ann.actor) is None


@pytest.mark.parametrize("path, accepted", [(ACCEPT, 1), (REJECT, None)])
def test_answer_to_a_follow_ann_sent(instance, ann, worlds, path, accepted):
    world = worlds()
    captured = original(path)
    followed = world.actor(captured["actor"])
    sent = follow_by_form(instance, ann, followed)
    assert sent["accepted"] == 0
    inner = captured["object"]
    answer = world.load(path, {inner["actor"]: ann.actor, inner["id"]: sent["ap_id"]})
    assert world.post(answer) == (202, "accepted")
    found = follow_of(instance, ann.actor, followed)
    assert (found and found["accepted"]) == accepted


def test_update_of_a_person_is_fetched_again(instance, ann, worlds):
    world = worlds()
    url = world.actor(original(UPDATE)["actor"])
    follow_by_form(instance, ann, url)  # the instance stores the profile its server serves now
    assert remote_actor(instance, url)["name"] == ""
    update = world.load(UPDATE)
    world.serve(update["object"])  # from now on its server serves the new profile
    assert world.post(update) == (202, "accepted")
    stored = remote_actor(instance, url)
    assert (stored["name"], stored["summary"]) == ("nextsoft", "<p>Some bio</p>")


def test_delete_of_a_known_person(instance, ann, worlds):
    world = worlds()
    url = world.actor(original(DELETE_USER)["actor"])
    follow_by_form(instance, ann, url)
    delete = world.load(DELETE_USER)
    assert world.post(delete) == (202, "accepted")
    assert remote_actor(instance, url)["deleted_at"] is not None
    assert follow_of(instance, ann.actor, url) is None
