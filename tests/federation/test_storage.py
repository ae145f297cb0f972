"""What the inbox keeps, what the hourly purge lets go, and a full or read-only disk answered 503."""
import os
from datetime import timedelta

import pytest
from peewee import DatabaseError

from mobilizon_lite.db import storage_fault, utcnow
from mobilizon_lite.models import Activity, Actor, Delivery, Event, Follow, InboxItem, Tombstone
from mobilizon_lite.models.federation import DONE, FAILED, IGNORED, PENDING, RECEIVED, SENT
from mobilizon_lite.scheduler import build_scheduler
from mobilizon_lite.services import events, inbound

from ..helpers import failing_disk, make_event
from .remote import ACTOR, REMOTE, follow, items, post, remote_event, send


def database_bytes(app):
    path = app.config["DATABASE"]
    return sum(os.path.getsize(name) for name in (path, f"{path}-wal") if os.path.exists(name))


def run_job(app, name):
    return build_scheduler(app).get_job(name).func()  # in its own app context, as the scheduler runs it


def test_an_activity_of_a_type_nobody_handles_is_kept_as_its_id_and_type(fed, remote_keys):
    (private, _public), _other = remote_keys
    before = database_bytes(fed)
    liked = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{REMOTE}/activities/like",
             "type": "Like", "actor": ACTOR, "object": "http://events.test/@ann", "content": "x" * 900_000}
    assert post(fed, liked, key=private).status_code == 202
    [item] = items(fed)
    assert item.state == IGNORED and item.body == {"id": f"{REMOTE}/activities/like", "type": "Like"}
    assert database_bytes(fed) - before < 300_000  # not the 900 kB it carried
    assert post(fed, liked, key=private).json["status"] == "already received"  # still recognised


def test_a_handled_activity_keeps_only_its_id_and_type_once_done(fed, remote_keys):
    (private, _public), _other = remote_keys
    assert post(fed, follow(), key=private).status_code == 202
    [item] = items(fed)
    assert item.state == DONE and item.body == {"id": f"{REMOTE}/activities/1", "type": "Follow"}
    with fed.app_context():
        assert Follow.get().ap_id == f"{REMOTE}/activities/1"


@pytest.mark.parametrize("kind", ["readonly", "full"])
def test_inbox_answers_503_while_the_disk_refuses_writes_and_takes_the_retry(fed, remote_keys, kind):
    (private, _public), _other = remote_keys
    # Big enough to need new pages of the file, which a full disk cannot give.
    event = remote_event(content="<p>" + "Come and share a dish. " * 10_000 + "</p>")
    with failing_disk(fed, kind):
        response = send(fed, private, "Create", event, 1)
        assert response.status_code == 503 and response.is_json, response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
    assert items(fed) == []
    # The sender tries again (signed anew): stored and handled, without a restart.
    assert send(fed, private, "Create", event, 1).status_code == 202
    with fed.app_context():
        assert [e.ap_id for e in Event.select()] == [event["id"]]
        assert InboxItem.get().state == DONE


def test_handling_stopped_by_a_storage_fault_is_taken_up_by_the_handling_job(fed):
    with fed.app_context():
        item = InboxItem.create(activity_id=f"{REMOTE}/activities/1", actor=Actor.get(Actor.ap_id == ACTOR),
                                type="Follow", body=follow())
    with failing_disk(fed, "readonly"), fed.app_context():
        with pytest.raises(DatabaseError) as refused:
            inbound.process(InboxItem.get_by_id(item.id))
        assert storage_fault(refused.value) is not None
    with fed.app_context():
        assert InboxItem.get_by_id(item.id).state == RECEIVED and not Follow.select().exists()
    with fed.app_context():
        assert inbound.handle_received() == 1  # the job's next run, once the disk works again
        assert InboxItem.get_by_id(item.id).state == DONE and Follow.select().exists()


def age(model, row_id, days, field):
    model.update({field: utcnow() - timedelta(days=days)}).where(model.id == row_id).execute()


def test_purge_lets_go_only_what_nothing_serves_sends_or_checks_any_more(fed, remote_keys):
    (private, _public), _other = remote_keys
    assert post(fed, follow(), key=private).status_code == 202  # alice follows ann: an Accept is queued
    kept_event = make_event(fed, title="Kept")
    failing_event = make_event(fed, title="Failing")
    old_gone, recent_gone = make_event(fed, title="Old gone"), make_event(fed, title="Recent gone")
    for number, verb in ((2, "Create"), (3, "Delete")):  # alice's own event, then its deletion: a tombstone
        obj = remote_event() if verb == "Create" else remote_event()["id"]
        assert send(fed, private, verb, obj, number).status_code == 202
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for event in (old_gone, recent_gone):
            events.delete_event(Event.get_by_id(event.id), ann)

        def activity(verb, event):
            return Activity.get((Activity.type == verb) & (Activity.object_ap_id == event.ap_id))

        accept = Activity.get(Activity.type == "Accept")
        kept, failing = activity("Create", kept_event), activity("Create", failing_event)
        old_create, old_delete = activity("Create", old_gone), activity("Delete", old_gone)
        recent_delete = activity("Delete", recent_gone)
        assert not old_create.public and old_delete.public  # what a deleted event leaves served
        # The Accept and the Create of "Kept" arrived long ago; "Failing" was refused 29 days ago.
        for row in (accept, kept, old_create):
            age(Activity, row.id, 40, "created_at")
        for row in (accept, kept):
            Delivery.update(state=SENT, updated_at=utcnow() - timedelta(days=8)).where(
                Delivery.activity == row.id).execute()
        Delivery.update(state=FAILED, updated_at=utcnow() - timedelta(days=29)).where(
            Delivery.activity == failing.id).execute()
        # Both Deletes are 31 days old; the old one was delivered, the recent one still waits.
        for row in (old_delete, recent_delete):
            age(Activity, row.id, 31, "created_at")
        Delivery.update(state=SENT, updated_at=utcnow() - timedelta(days=31)).where(
            Delivery.activity == old_delete.id).execute()
        assert Delivery.select().where((Delivery.activity == recent_delete.id) & (Delivery.state == PENDING)).exists()
        # Received: the Follow handled 5 days ago, the Create 3 days ago; the Delete failed 31 days ago.
        follow_item, create_item, delete_item = InboxItem.select().order_by(InboxItem.id)
        age(InboxItem, follow_item.id, 5, "received_at")
        age(InboxItem, create_item.id, 3, "received_at")
        age(InboxItem, delete_item.id, 31, "received_at")
        InboxItem.update(state=FAILED).where(InboxItem.id == delete_item.id).execute()
        # As old, but still waiting for its retry: it will be handled, so it stays.
        waiting = InboxItem.create(activity_id=f"{REMOTE}/activities/waiting", actor=delete_item.actor,
                                   type="Update", body={}, next_attempt_at=utcnow() + timedelta(minutes=5))
        age(InboxItem, waiting.id, 31, "received_at")
        [tomb] = Tombstone.select()
        Tombstone.create(ap_id=f"{REMOTE}/events/2", actor=tomb.actor)
        age(Tombstone, tomb.id, 31, "deleted_at")

    run_job(fed, "purge_published")
    run_job(fed, "purge_received")

    with fed.app_context():
        remaining = {row.id for row in Activity.select()}
        assert kept.id in remaining and failing.id in remaining  # served at their id and in the outbox
        assert recent_delete.id in remaining  # still on its way
        assert not remaining & {accept.id, old_create.id, old_delete.id}
        assert not Delivery.select().where(Delivery.activity.in_([accept.id, kept.id])).exists()
        assert Delivery.select().where(Delivery.activity == failing.id).count() == 1
        assert [i.id for i in InboxItem.select().order_by(InboxItem.id)] == [create_item.id, waiting.id]
        assert [t.ap_id for t in Tombstone.select()] == [f"{REMOTE}/events/2"]
        assert Follow.select().count() == 1  # what the activities did stays done
    outbox = fed.test_client().get("/@ann/outbox?page=1", headers={"Accept": "application/activity+json"}).json
    assert {item["id"] for item in outbox["orderedItems"]} == {kept.ap_id, failing.ap_id, recent_delete.ap_id}
    for row in (kept, failing):
        assert fed.test_client().get(row.ap_id.removeprefix("http://events.test")).status_code == 200
