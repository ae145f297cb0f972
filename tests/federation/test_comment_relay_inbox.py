"""The relay of comments, one instance through its inbox: as the event's server it Announces a comment
from elsewhere to the other servers holding the event (not back to its author's); as a server holding
a copy it believes an announced comment only from its author's server, else from its origin, and a
relayed deletion only once the origin says the comment is gone."""
import pytest

from mobilizon_lite import create_app
from mobilizon_lite.models import Activity, Actor, Comment

from ..helpers import make_account, make_event, make_group
from .remote import ACTOR, EVE, EVENT_ID, REMOTE, ActorServer, post, remote_event, send

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def keys(remote_keys):
    return remote_keys[0][0], remote_keys[1][0]


def note(note_id, author, in_reply_to, content="<p>Count me in</p>"):
    return {"id": note_id, "type": "Note", "attributedTo": author, "inReplyTo": in_reply_to, "content": content,
            "to": [PUBLIC], "cc": []}


def announce(number, actor, obj):
    host = actor.split("/")[2]
    return {"id": f"https://{host}/announces/{number}", "type": "Announce", "actor": actor, "object": obj,
            "to": [PUBLIC]}


def texts(app):
    with app.app_context():
        return {row.ap_id: row.text for row in Comment.select()}


def relays(app):
    """(Announce body, its inboxes) of each relay of a comment the app queued, oldest first."""
    with app.app_context():
        return [(row.body, sorted(d.inbox_url for d in row.deliveries))
                for row in Activity.select().where(Activity.type == "Announce").order_by(Activity.id)
                if row.body["object"]["type"] in ("Note", "Tombstone")]


def test_the_events_server_relays_a_remote_comment_to_the_other_servers(fed, keys):
    group = make_group(fed)
    event = make_event(fed, group=group)
    send(fed, keys[0], "Join", event.ap_id, 1)
    send(fed, keys[1], "Join", event.ap_id, 2, actor=EVE)
    alice_note = note(f"{REMOTE}/notes/1", ACTOR, event.ap_id)
    send(fed, keys[0], "Create", alice_note, 3, to=[PUBLIC])
    # The group speaks for its event: its Announce goes to eve's server, not back to alice's.
    [(relay, inboxes)] = relays(fed)
    assert relay["actor"] == group.ap_id and relay["object"]["id"] == alice_note["id"]
    assert relay["object"]["content"] == "<p>Count me in</p>" and relay["to"] == [PUBLIC]
    assert inboxes == [f"{EVE}/inbox"]
    # eve answers alice: alice's server, whose author eve answers, hears of it.
    send(fed, keys[1], "Create", note("https://elsewhere.example/notes/2", EVE, alice_note["id"], "<p>Me too</p>"),
         4, actor=EVE, to=[PUBLIC])
    assert relays(fed)[-1][1] == [f"{REMOTE}/inbox"]
    # alice's edit and deletion are relayed as well: the new text, then a Tombstone.
    send(fed, keys[0], "Update", {**alice_note, "content": "<p>Count me in, twice</p>"}, 5)
    assert relays(fed)[-1][0]["object"]["content"] == "<p>Count me in, twice</p>"
    send(fed, keys[0], "Delete", {"type": "Tombstone", "id": alice_note["id"]}, 6)
    relay, inboxes = relays(fed)[-1]
    assert relay["object"] == {**relay["object"], "type": "Tombstone", "id": alice_note["id"]}
    assert inboxes == [f"{EVE}/inbox"]


def test_an_event_of_a_person_is_relayed_by_its_organiser_and_our_own_comments_never(fed, keys):
    event = make_event(fed)
    send(fed, keys[1], "Join", event.ap_id, 1, actor=EVE)
    send(fed, keys[0], "Create", note(f"{REMOTE}/notes/1", ACTOR, event.ap_id), 2, to=[PUBLIC])
    [(relay, inboxes)] = relays(fed)
    assert relay["actor"] == event.organizer.ap_id and inboxes == [f"{EVE}/inbox"]
    # A comment on an event of elsewhere is not ours to relay.
    send(fed, keys[0], "Create", remote_event(), 3)
    send(fed, keys[0], "Create", note(f"{REMOTE}/notes/2", ACTOR, EVENT_ID), 4, to=[PUBLIC])
    assert len(relays(fed)) == 1 and f"{REMOTE}/notes/2" in texts(fed)


def test_an_announce_from_the_authors_server_is_believed_others_are_not_fetched(fed, keys):
    send(fed, keys[0], "Create", remote_event(), 1)
    # mallory's server is alice's: its copy of her comment is hers.
    mallory = f"{REMOTE}/users/mallory"
    send(fed, keys[1], "Announce", note(f"{REMOTE}/notes/1", ACTOR, EVENT_ID), 2, actor=mallory, to=[PUBLIC])
    assert texts(fed) == {f"{REMOTE}/notes/1": "<p>Count me in</p>"}
    # A comment on nothing we show is nothing to fetch: ignored at once.
    send(fed, keys[1], "Announce", note(f"{REMOTE}/notes/2", ACTOR, f"{REMOTE}/events/404"), 3, actor=EVE)
    assert len(texts(fed)) == 1


@pytest.fixture
def origin(tmp_path, app_config, actor_server, remote_keys):
    """An instance that may fetch from the ActorServer, where carol wrote an event and a comment on it;
    eve, of another server, is known."""
    (private, public), (_other, other_public) = remote_keys
    app = create_app(dict(app_config, ALLOWED_PRIVATE_NETWORKS="127.0.0.2/32"), instance_path=str(tmp_path / "i"))
    make_account(app)
    carol = f"{actor_server}/users/carol"
    ActorServer.documents["/users/carol"] = {
        "id": carol, "type": "Person", "preferredUsername": "carol", "inbox": f"{carol}/inbox",
        "publicKey": {"id": f"{carol}#main-key", "owner": carol, "publicKeyPem": public}}
    with app.app_context():
        Actor.create(preferred_username="eve", domain="elsewhere.example", ap_id=EVE, public_key_pem=other_public,
                     inbox=f"{EVE}/inbox")
    event = remote_event(id=f"{actor_server}/events/1", actor=carol, attributedTo=carol)
    comment = note(f"{actor_server}/notes/1", carol, event["id"])
    ActorServer.documents["/notes/1"] = comment
    for number, document in enumerate((event, comment)):
        activity = {"id": f"{actor_server}/a/{number}", "type": "Create", "actor": carol, "object": document,
                    "to": [PUBLIC]}
        assert post(app, activity, key=private, key_id=f"{carol}#main-key").status_code == 202
    assert texts(app) == {comment["id"]: comment["content"]}
    return app, event, comment


def test_a_forged_announce_stores_what_the_origin_serves(origin, keys):
    app, event, comment = origin
    second = comment["id"].removesuffix("/1") + "/2"
    ActorServer.documents["/notes/2"] = note(second, comment["attributedTo"], event["id"], "<p>The real words</p>")
    for number, note_id in enumerate((comment["id"], second)):
        forged = announce(number, EVE, note(note_id, comment["attributedTo"], event["id"], "<p>Forged</p>"))
        assert post(app, forged, key=keys[1], key_id=f"{EVE}#main-key").status_code == 202
    assert texts(app) == {comment["id"]: "<p>Count me in</p>", second: "<p>The real words</p>"}
    assert ("/notes/2", True) in ActorServer.hits  # fetched, signed


def test_a_relayed_deletion_counts_once_the_origin_says_so(origin, keys):
    app, event, comment = origin
    tombstone = {"type": "Tombstone", "id": comment["id"]}
    assert post(app, announce(1, EVE, tombstone), key=keys[1], key_id=f"{EVE}#main-key").status_code == 202
    assert comment["id"] in texts(app)  # its server still serves it
    del ActorServer.documents["/notes/1"]
    assert post(app, announce(2, EVE, tombstone), key=keys[1], key_id=f"{EVE}#main-key").status_code == 202
    assert texts(app) == {}
    # Once deleted, an announced copy from elsewhere does not bring it back.
    post(app, announce(3, EVE, comment), key=keys[1], key_id=f"{EVE}#main-key")
    assert texts(app) == {}
