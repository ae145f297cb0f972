"""Mobilizon's group payloads (the captured Create of a group's event, and the Announces a Mobilizon group
sends of it) signed and posted to a running instance by stand-ins of the servers they name: the event is
stored as the group's, changed and deleted through the group, and an object the group did not write is
taken from its origin, never from the Announce."""
import json
import uuid

import pytest
from cryptography.hazmat.primitives import serialization

from . import test_interop_fixtures as interop
from .captured import needs_fixtures
from .live import one
from .test_interop_fixtures import fixture_text, inbox_state, key_of

pytestmark = [pytest.mark.slow, needs_fixtures]

GROUP_CREATE = "mobilizon-post-activity-group.json"
FRAMASOFT = "external/mobilizon.fr-group-framasoft.json"
GROUP, MEMBER = "http://mobilizon1.com/@group", "http://mobilizon1.com/@user"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# A running instance of this module's own, and the stand-ins of the servers the payloads name.
instance, worlds = interop.instance, interop.worlds


def pkcs1(public_pem):
    """A public key as Mobilizon publishes it (PKCS#1)."""
    key = serialization.load_pem_public_key(public_pem.encode())
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()


def serve_group(world, url=GROUP, origin="https://mobilizon.fr"):
    """Framasoft's captured Group document served as the group at url, with a test key in PKCS#1."""
    text = fixture_text(FRAMASOFT).replace(f"{origin}/@framasoft", url).replace(origin, url.rsplit("/", 1)[0])
    document = json.loads(world.translate(text))
    world.keys[document["id"]] = key_of(url)
    world.serve(document)
    document["publicKey"]["publicKeyPem"] = pkcs1(document["publicKey"]["publicKeyPem"])
    return document["id"]


def stored_event(instance, ap_id):
    return one(instance, "SELECT e.title, e.visibility, g.ap_id AS grp, o.ap_id AS organizer FROM event e "
                         "LEFT JOIN actor g ON g.id = e.attributed_to_id JOIN actor o ON o.id = e.organizer_id "
                         "WHERE e.ap_id = ?", ap_id)


def announce(group, obj, to=None):
    """An Announce as Mobilizon's groups relay their content (`maybe_relay_if_group_activity`)."""
    host = group.rsplit("/", 1)[0]
    return {"@context": ["https://www.w3.org/ns/activitystreams"], "id": f"{host}/announces/{uuid.uuid4()}",
            "type": "Announce", "actor": group, "object": obj, "to": to or [f"{group}/members"], "cc": []}


def test_the_captured_create_of_a_group_event_is_stored_as_the_groups(instance, worlds):
    world = worlds()
    group = serve_group(world)
    create = world.load(GROUP_CREATE)
    assert world.post(create) == (202, "accepted")
    assert inbox_state(instance, create["id"]) == ("done", "")
    assert stored_event(instance, create["object"]["id"]) == {
        "title": "My first event", "visibility": "private", "grp": group, "organizer": create["actor"]}
    stored_group = one(instance, "SELECT type, name FROM actor WHERE ap_id = ?", group)
    assert stored_group == {"type": "Group", "name": "Framasoft"}


def test_a_groups_announces_create_change_and_delete_its_event(instance, worlds):
    world = worlds()
    group = serve_group(world)
    event = world.load(GROUP_CREATE)["object"]
    event.update(to=[PUBLIC], cc=[f"{group}/followers"])
    world.actor(MEMBER)

    # Mobilizon relays the Event itself; the member who made it is fetched from the group's server.
    first = announce(group, event)
    assert world.post(first) == (202, "accepted")
    assert inbox_state(instance, first["id"]) == ("done", "")
    assert stored_event(instance, event["id"]) == {
        "title": "My first event", "visibility": "public", "grp": group, "organizer": event["actor"]}

    # An Update inside the Announce: the group changes its event, whoever made it.
    changed = {**event, "name": "My first event, moved"}
    update = announce(group, {"id": f"{event['id']}/update/1", "type": "Update", "actor": event["actor"],
                              "object": changed, "to": [PUBLIC]})
    assert world.post(update) == (202, "accepted")
    assert stored_event(instance, event["id"])["title"] == "My first event, moved"

    # A Delete is believed once the origin no longer serves the event.
    world.documents[event["id"]] = changed
    tombstone = {"type": "Tombstone", "id": event["id"]}
    delete = announce(group, {"id": f"{event['id']}/delete", "type": "Delete", "actor": event["actor"],
                              "object": tombstone})
    assert world.post(delete) == (202, "accepted")
    assert inbox_state(instance, delete["id"]) == ("ignored", "")
    assert stored_event(instance, event["id"]) is not None
    del world.documents[event["id"]]
    delete["id"] += "/again"
    assert world.post(delete) == (202, "accepted")
    assert stored_event(instance, event["id"]) is None
    # A replay of the first Announce does not bring it back: its origin says it is gone.
    first["id"] += "/replayed"
    assert world.post(first) == (202, "accepted")
    assert stored_event(instance, event["id"]) is None


def test_an_object_the_group_did_not_write_comes_from_its_origin(instance, worlds):
    world = worlds()
    group = serve_group(world)
    other = serve_group(world, "http://other.example/@rivals")
    event = world.load(GROUP_CREATE)["object"]
    event.update(to=[PUBLIC], name="The real title")
    world.actor(MEMBER)
    world.documents[event["id"]] = event

    # Another group signs a copy of this group's event with other words: the origin's copy is not its own.
    forged = announce(other, {**event, "name": "Forged"})
    assert world.post(forged) == (202, "accepted")
    assert inbox_state(instance, forged["id"]) == ("ignored", "")
    assert stored_event(instance, event["id"]) is None

    # The group announcing its event by its id alone: fetched from the origin.
    by_id = announce(group, event["id"])
    assert world.post(by_id) == (202, "accepted")
    assert stored_event(instance, event["id"])["title"] == "The real title"


def test_a_groups_article_is_stored_as_its_post(instance, worlds):
    world = worlds()
    group = serve_group(world)
    article = {"type": "Article", "id": "http://mobilizon1.com/p/news", "url": "http://mobilizon1.com/p/news",
               "name": "News", "content": "<p>Hello<script>x</script></p>", "actor": MEMBER, "attributedTo": GROUP,
               "to": [PUBLIC], "published": "2025-01-02T10:00:00Z"}
    article = json.loads(world.translate(json.dumps(article)))
    create = announce(group, {"id": f"{article['id']}/activity", "type": "Create", "actor": article["actor"],
                              "object": article})
    assert world.post(create) == (202, "accepted")
    post = one(instance, "SELECT p.title, p.body, p.visibility, g.ap_id AS grp FROM post p "
                         "JOIN actor g ON g.id = p.group_id WHERE p.ap_id = ?", article["id"])
    assert post == {"title": "News", "body": "<p>Hello</p>", "visibility": "public", "grp": group}


def test_a_deleted_groups_posts_go(instance, worlds):
    world = worlds()
    group = serve_group(world)
    article = json.loads(world.translate(json.dumps({
        "type": "Article", "id": "http://mobilizon1.com/p/bye", "name": "Bye", "content": "<p>Bye</p>",
        "attributedTo": GROUP, "to": [PUBLIC]})))
    assert world.post(announce(group, article)) == (202, "accepted")
    assert one(instance, "SELECT id FROM post WHERE ap_id = ?", article["id"]) is not None
    delete = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{group}#delete", "type": "Delete",
              "actor": group, "object": group, "to": [PUBLIC]}
    assert world.post(delete) == (202, "accepted")
    assert one(instance, "SELECT id FROM post WHERE ap_id = ?", article["id"]) is None
