"""The converters' contract: pure functions of their inputs and of the id they are given (the caller
mints it), addressed by the rules of activitypub/audience.py, whole documents with their @context."""
import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mobilizon_lite.activitypub import audience
from mobilizon_lite.activitypub.convert import activities
from mobilizon_lite.activitypub.convert.comment import comment_to_ap
from mobilizon_lite.activitypub.convert.event import event_to_ap
from mobilizon_lite.activitypub.convert.tombstone import tombstone_document, tombstone_to_ap
from mobilizon_lite.activitypub.vocab import AS_PUBLIC, CONTEXT
from mobilizon_lite.models import Actor, Comment, Event

CONVERT = Path(__file__).resolve().parents[2] / "mobilizon_lite" / "activitypub" / "convert"
DELETED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REMOTE = "https://remote.example/users/zoe"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def people():
    ann = Actor(type="Person", preferred_username="ann", ap_id="http://events.test/@ann")
    zoe = Actor(type="Person", preferred_username="zoe", domain="remote.example", ap_id=REMOTE,
                inbox=f"{REMOTE}/inbox", shared_inbox="https://remote.example/inbox")
    return ann, zoe


def event_of(organizer, visibility="public"):
    moment = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    return Event(uuid="e1", ap_id="http://events.test/events/e1", organizer=organizer, title="Repair café",
                 description="", begins_on=moment, timezone="Europe/Paris", visibility=visibility, status="confirmed",
                 join_mode="free", comment_mode="allow_all", tags=[], links=[], created_at=moment,
                 updated_at=moment)


def every_activity(activity_id):
    """One document of each kind we send, built with activity_id."""
    ann, zoe = people()
    event = event_of(ann)
    follow = activities.follow_to_ap("https://remote.example/follows/1", zoe, ann)
    join = activities.join_to_ap("https://remote.example/joins/1", zoe, event, "Hi")
    return {
        "Create": activities.change_to_ap(activity_id, "Create", ann, {"id": event.ap_id, "published": "x"},
                                          [AS_PUBLIC], []),
        "Delete": activities.change_to_ap(activity_id, "Delete", ann, tombstone_to_ap(event.ap_id, "Event", DELETED),
                                          [AS_PUBLIC], []),
        "Delete actor": activities.delete_actor_to_ap(activity_id, ann),
        "Follow": activities.follow_to_ap(activity_id, ann, zoe),
        "Join": activities.join_to_ap(activity_id, ann, event),
        "Leave": activities.leave_to_ap(activity_id, ann, event),
        "Accept Follow": activities.answer_to_ap(activity_id, "Accept", ann, follow),
        "Reject Join": activities.answer_to_ap(activity_id, "Reject", ann, join),
        "Undo": activities.undo_to_ap(activity_id, ann, follow),
    }


def test_converters_are_pure_and_carry_the_id_they_are_given(ctx):
    first, again = every_activity("https://x.example/a/1"), every_activity("https://x.example/a/1")
    other = every_activity("https://x.example/a/2")
    assert first == again
    for kind, document in first.items():
        assert document["id"] == "https://x.example/a/1", kind
        assert other[kind] == {**document, "id": "https://x.example/a/2"}, kind
        assert document["@context"] == CONTEXT, kind


def test_no_converter_mints_an_id():
    """Ids come from the callers (publish.new_activity_id): nothing under convert/ reaches for one."""
    for path in CONVERT.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "publish" not in (node.module or "") and "uuid" not in (node.module or ""), path.name
                assert all(alias.name not in ("publish", "new_activity_id") for alias in node.names), path.name
            elif isinstance(node, ast.Import):
                assert all("uuid" not in alias.name for alias in node.names), path.name


def test_embedded_activities_carry_no_context_of_their_own(ctx):
    sent = every_activity("https://x.example/a/1")
    for kind in ("Accept Follow", "Reject Join", "Undo"):
        assert "@context" not in sent[kind]["object"], kind
    assert sent["Undo"]["object"] == {"id": "https://remote.example/follows/1", "type": "Follow",
                                      "actor": REMOTE, "object": "http://events.test/@ann"}


def test_activities_are_addressed_by_the_audience_rules(ctx):
    ann, zoe = people()
    sent = every_activity("https://x.example/a/1")
    assert sent["Join"]["to"] == audience.to_organizer(event_of(ann)) == ["http://events.test/@ann"]
    assert sent["Join"]["cc"] == [] and sent["Leave"]["to"] == ["http://events.test/@ann"]
    # The answer to a Join goes to whoever asked; the answer to a Follow names nobody.
    assert sent["Reject Join"]["to"] == [REMOTE] and "to" not in sent["Accept Follow"]
    assert (sent["Delete actor"]["to"], sent["Delete actor"]["cc"]) == audience.of_identity_deletion(ann) == (
        [AS_PUBLIC], ["http://events.test/@ann/followers"])
    for visibility in ("public", "unlisted", "private"):
        local = event_of(ann, visibility)
        document = event_to_ap(local, 0, "", "", [])
        assert (document["to"], document["cc"]) == audience.of_event(local), visibility
        comment = Comment(uuid="c1", ap_id="http://events.test/c/1", event=local, actor=zoe, text="Hi",
                          created_at=DELETED, updated_at=DELETED)
        note = comment_to_ap(comment, local.ap_id)
        assert (note["to"], note["cc"]) == audience.of_comment(local), visibility
    assert audience.of_event(event_of(ann, "unlisted")) == (["http://events.test/@ann/followers"], [AS_PUBLIC])
    assert audience.of_event_change(event_of(ann), [zoe]) == ([AS_PUBLIC], ["http://events.test/@ann/followers",
                                                                            REMOTE])


def test_a_delete_goes_to_everyone_yet_stays_unlisted_when_its_object_was():
    followers = "http://events.test/@ann/followers"
    assert audience.of_change("Update", [followers], [AS_PUBLIC]) == ([followers], [AS_PUBLIC], False)
    assert audience.of_change("Delete", [followers], [AS_PUBLIC]) == ([followers, AS_PUBLIC], [], False)
    assert audience.of_change("Delete", [AS_PUBLIC], [followers]) == ([AS_PUBLIC, followers], [], True)


def test_a_create_is_published_when_its_object_was_and_a_delete_carries_a_tombstone(ctx):
    sent = every_activity("https://x.example/a/1")
    assert sent["Create"]["published"] == "x"
    assert sent["Delete"]["object"] == {"type": "Tombstone", "id": "http://events.test/events/e1",
                                        "formerType": "Event", "deleted": "2026-03-01T12:00:00Z"}
    assert tombstone_document("http://events.test/events/e1", "Event", DELETED) == {
        "@context": CONTEXT, **sent["Delete"]["object"]}


def test_inboxes_are_distinct_and_prefer_the_shared_one(ctx):
    ann, zoe = people()
    mia = Actor(type="Person", domain="remote.example", ap_id="https://remote.example/users/mia",
                inbox="https://remote.example/users/mia/inbox", shared_inbox="https://remote.example/inbox")
    solo = Actor(type="Person", domain="solo.example", ap_id="https://solo.example/u", inbox="https://solo.example/u/in")
    gone = Actor(type="Person", domain="gone.example", ap_id="https://gone.example/u", inbox="https://gone.example/in",
                 deleted_at=DELETED)
    assert audience.inboxes([ann, zoe, mia, solo, gone]) == {"https://remote.example/inbox": "remote.example",
                                                            "https://solo.example/u/in": "solo.example"}


def test_every_link_kind_reads_back_as_written_and_social_profiles_as_websites(ctx):
    from mobilizon_lite.activitypub.convert.event import event_from_ap
    from mobilizon_lite.models.events import LINK_TYPES

    ann, _zoe = people()
    links = [{"type": kind, "url": f"https://{kind}.example/", "label": kind} for kind in LINK_TYPES]
    document = event_to_ap(event_of(ann), 0, "", "", links)
    read = event_from_ap(document, {"MEETING"}, {"en"})["links"]
    assert [link["type"] for link in read] == list(LINK_TYPES)
    # Mobilizon's mz:social:* keys name a profile elsewhere (Mastodon, Instagram): a website, not a chat.
    document["attachment"] = [{"type": "PropertyValue", "propertyID": "mz:social:fediverse", "name": "Mastodon",
                               "value": "https://mastodon.example/@repair"}]
    assert event_from_ap(document, {"MEETING"}, {"en"})["links"][0]["type"] == "website"
