"""on_commit: callbacks run once the work is committed, never for work rolled back; per database and
thread. And the delivery queue's drain is woken by it."""
import threading
from datetime import timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.delivery import DRAIN_JOB
from mobilizon_lite.activitypub.publish import new_activity_id, publish
from mobilizon_lite.db import database, on_postgres, open_database, utcnow
from mobilizon_lite.models import Activity, Actor
from mobilizon_lite.scheduler import build_scheduler

from ..helpers import make_account


@pytest.fixture
def target(tmp_path, new_database):
    """What open_database() opens: an SQLite file, or an empty PostgreSQL database."""
    return new_database(empty=True).get("DATABASE_URL") or str(tmp_path / "hooks.sqlite3")


@pytest.fixture
def db(target):
    db = open_database(target)
    db.execute_sql(f"CREATE TABLE note (id {'SERIAL' if on_postgres(db) else 'INTEGER'} PRIMARY KEY, text TEXT)")
    yield db
    db.close_all()


def committed(target):
    """The notes another connection sees: what is committed."""
    other = open_database(target)
    try:
        return [row[0] for row in other.execute_sql("SELECT text FROM note ORDER BY id")]
    finally:
        other.close_all()


def write(db, text):
    db.execute_sql(f"INSERT INTO note (text) VALUES ({db.param})", (text,))


def test_outside_a_transaction_the_callback_runs_at_once(db):
    calls = []
    db.on_commit(lambda: calls.append("now"))
    assert calls == ["now"]


def test_inside_nested_blocks_it_runs_after_the_outermost_commit(db, target):
    seen = []
    with db.atomic():
        write(db, "outer")
        with db.atomic():
            write(db, "inner")
            db.on_commit(lambda: seen.append(committed(target)))
        assert seen == []  # the savepoint is released, nothing is committed yet
    assert seen == [["outer", "inner"]]  # once, and the other connection saw the work


def test_a_failing_callback_is_logged_and_the_others_still_run(db, target, caplog):
    calls = []

    def broken():
        raise RuntimeError("scheduler gone")

    with db.atomic():
        write(db, "kept")
        db.on_commit(broken)
        db.on_commit(lambda: calls.append("after"))
    assert calls == ["after"] and committed(target) == ["kept"]
    db.on_commit(broken)  # outside a transaction too: the caller is not failed
    assert [record.message.startswith("on_commit callback") for record in caplog.records] == [True, True]


@pytest.mark.parametrize("how", ["exception", "explicit"])
def test_a_rollback_drops_the_callbacks(db, target, how):
    calls = []
    if how == "exception":
        with pytest.raises(RuntimeError), db.atomic():
            write(db, "lost")
            with db.atomic():
                db.on_commit(lambda: calls.append("inner"))
            db.on_commit(lambda: calls.append("outer"))
            raise RuntimeError("the work fails")
    else:
        with db.atomic() as block:
            write(db, "lost")
            db.on_commit(lambda: calls.append("outer"))
            block.rollback()
    assert calls == [] and committed(target) == []


def test_a_savepoint_rolled_back_drops_only_its_own_callbacks(db, target):
    calls = []
    with db.atomic():
        write(db, "kept")
        db.on_commit(lambda: calls.append("before"))
        with pytest.raises(ValueError), db.atomic():
            write(db, "undone")
            db.on_commit(lambda: calls.append("undone"))
            with db.atomic():
                db.on_commit(lambda: calls.append("undone too"))
            raise ValueError("this part fails")
        with db.atomic() as savepoint:
            db.on_commit(lambda: calls.append("rolled back"))
            savepoint.rollback()
            db.on_commit(lambda: calls.append("after the rollback"))
        db.on_commit(lambda: calls.append("after"))
    assert calls == ["before", "after the rollback", "after"] and committed(target) == ["kept"]


def test_a_commit_in_the_middle_runs_what_it_commits(db):
    calls = []
    with db.atomic() as block:
        db.on_commit(lambda: calls.append("first"))
        block.commit()
        assert calls == ["first"]
        db.on_commit(lambda: calls.append("second"))
        assert calls == ["first"]
    assert calls == ["first", "second"]


def test_each_thread_and_each_database_has_its_own_transactions(db, tmp_path, new_database):
    other_db = open_database(new_database(empty=True).get("DATABASE_URL") or str(tmp_path / "other.sqlite3"))
    calls = []
    with db.atomic():
        db.on_commit(lambda: calls.append("main"))
        # Another thread, and another database in this thread, are outside any transaction.
        worker = threading.Thread(target=lambda: db.on_commit(lambda: calls.append("thread")))
        worker.start()
        worker.join()
        other_db.on_commit(lambda: calls.append("other database"))
        assert calls == ["thread", "other database"]
    assert calls == ["thread", "other database", "main"]
    other_db.close()


def test_the_app_database_opens_hooked_blocks(app):
    calls = []
    with app.app_context():
        with database.atomic():
            database.on_commit(lambda: calls.append("app"))
            assert calls == []
    assert calls == ["app"]


def update_of(actor):
    return {"id": new_activity_id(), "type": "Update", "actor": actor.ap_id, "object": actor.ap_id}


def test_publishing_with_a_scheduler_built_but_not_started(app):
    make_account(app)
    scheduler = build_scheduler(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        publish(ann, update_of(ann), [])  # its kick finds nothing to wake
        assert Activity.select().count() == 1
    assert not scheduler.running


def test_publishing_wakes_the_drain_once_committed(tmp_path, app_config):
    app = create_app(dict(app_config, DELIVERY_INTERVAL=3600), instance_path=str(tmp_path / "i"))
    make_account(app)
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)  # run times are kept, nothing runs
    try:
        later = scheduler.get_job(DRAIN_JOB).next_run_time
        assert later > utcnow() + timedelta(minutes=30)
        with app.app_context():
            ann = Actor.get(Actor.preferred_username == "ann")
            with database.atomic():
                publish(ann, update_of(ann), [])
                assert scheduler.get_job(DRAIN_JOB).next_run_time == later  # not before the commit
            assert scheduler.get_job(DRAIN_JOB).next_run_time <= utcnow()
    finally:
        scheduler.shutdown(wait=False)
