"""The inbox answers once the activity is stored, the handling job does the rest: two statements per
request from a known sender, keys trusted from the cache only while they are the stored ones, the job
started by the storing, failures given up after their last retry."""
import logging
import threading

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from mobilizon_lite import create_app
from mobilizon_lite.models import Actor, Follow
from mobilizon_lite.scheduler import build_scheduler
from mobilizon_lite.services import inbound

from ..harness import wait_until
from ..helpers import make_account
from .remote import ACTOR, due_now, follow, items, post


@pytest.fixture
def inbox_app(tmp_path, app_config, remote_keys):
    """An app knowing alice and her key; its handling job runs every hour unless storing starts it."""
    (_private, public), _other = remote_keys
    app = create_app(dict(app_config, INBOX_INTERVAL=3600), instance_path=str(tmp_path / "i"))
    make_account(app)
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR,
                     inbox=f"{ACTOR}/inbox", public_key_pem=public)
    return app


def sql_statements(caplog):
    """The SQL statements peewee logged (each as a (sql, params) pair)."""
    return [record.msg[0] for record in caplog.records if record.name == "peewee" and isinstance(record.msg, tuple)]


def test_a_known_sender_costs_the_request_three_statements_and_the_handling_waits(inbox_app, remote_keys, caplog):
    (private, _public), _other = remote_keys
    assert post(inbox_app, follow(1), key=private).status_code == 202  # alice's key is now cached
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        response = post(inbox_app, follow(2), key=private, handle=False)
    assert response.status_code == 202 and response.json["status"] == "accepted"
    statements = sql_statements(caplog)
    # The domain blocks' version (one row, read once per request), the cached key, the stored item.
    assert len(statements) == 3 and statements[0].startswith("SELECT version FROM domain_block_version"), statements
    assert statements[1].startswith('SELECT "t1"."public_key_pem" FROM "actor"'), statements
    # INSERT OR IGNORE on SQLite, INSERT … ON CONFLICT DO NOTHING on PostgreSQL.
    assert statements[2].startswith(('INSERT OR IGNORE INTO "inbox_item"', 'INSERT INTO "inbox_item"')), statements
    assert [item.state for item in items(inbox_app)] == ["done", "received"]
    # A replay is recognised before any handling, and stores nothing more.
    replay = post(inbox_app, follow(2), key=private, handle=False)
    assert replay.status_code == 202 and replay.json["status"] == "already received"
    with inbox_app.app_context():
        assert inbound.handle_received() == 1
        assert Follow.get().ap_id.endswith("/activities/2")  # the newest Follow stands
    assert [item.state for item in items(inbox_app)] == ["done", "done"]


def test_a_cached_key_is_trusted_only_while_it_is_the_stored_one(inbox_app, remote_keys):
    (private, _public), (other_private, other_public) = remote_keys
    assert post(inbox_app, follow(1), key=private).status_code == 202
    with inbox_app.app_context():
        # The actor's key changed, as when its profile is fetched again after an Update.
        Actor.update(public_key_pem=other_public).where(Actor.ap_id == ACTOR).execute()
    assert post(inbox_app, follow(2), key=private).status_code == 401
    assert post(inbox_app, follow(3), key=other_private).status_code == 202
    assert [item.activity_id.rsplit("/", 1)[1] for item in items(inbox_app)] == ["1", "3"]


def test_storing_starts_the_job_at_once_and_never_a_second_run(inbox_app, remote_keys, caplog):
    (private, _public), _other = remote_keys
    scheduler = build_scheduler(inbox_app)
    runs = threading.Semaphore(0)
    scheduler.add_listener(lambda event: event.job_id == inbound.HANDLE_JOB and runs.release(), EVENT_JOB_EXECUTED)
    scheduler.start()
    try:
        with caplog.at_level(logging.WARNING, logger="apscheduler"):
            for number in range(1, 21):
                assert post(inbox_app, follow(number), key=private, handle=False).status_code == 202
            wait_until(lambda: {item.state for item in items(inbox_app)} == {"done"}, timeout=30)
        assert runs.acquire(timeout=5)  # within seconds, though the job's interval is an hour
    finally:
        scheduler.shutdown()
    # Stored while the job ran, an activity is taken by that run, not by a second one refused with a warning.
    assert not [record.getMessage() for record in caplog.records
                if record.name.startswith("apscheduler") and "Handle received activities" in record.getMessage()]


def test_an_activity_failing_every_time_is_given_up_and_holds_nothing_back(inbox_app, remote_keys, monkeypatch):
    (private, _public), _other = remote_keys

    def broken(item):
        raise RuntimeError("always")

    monkeypatch.setitem(inbound.HANDLERS, ("Follow", "Actor"), broken)
    post(inbox_app, follow(1), key=private)
    for _retry in range(inbound.MAX_ATTEMPTS - 1):
        due_now(inbox_app)
        with inbox_app.app_context():
            inbound.handle_received()
    [item] = items(inbox_app)
    assert (item.state, item.attempts, item.next_attempt_at) == ("failed", inbound.MAX_ATTEMPTS, None)
    assert item.body == {"id": item.activity_id, "type": "Follow"} and "always" in item.error
    monkeypatch.undo()
    post(inbox_app, follow(2), key=private)  # alice's next activity is not held behind the given-up one
    assert [item.state for item in items(inbox_app)] == ["failed", "done"]
