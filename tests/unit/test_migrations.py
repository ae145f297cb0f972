"""Schema migrations: a database made by an earlier release is brought up to date, its data kept."""
import sqlite3

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.vocab import AS_PUBLIC
from mobilizon_lite.migrations import (
    STEPS,
    _account_confirmation,
    _activity_objects,
    _inbox_queue,
    _listed_activities,
)
from mobilizon_lite.models import Account, Activity, Actor, InboxItem
from mobilizon_lite.services import inbound

from ..helpers import log_in, make_account


def test_activities_published_before_learn_their_object(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for number, (verb, obj) in enumerate((("Create", {"id": "http://events.test/events/1", "type": "Event"}),
                                              ("Delete", "http://events.test/events/2"),
                                              ("Follow", "https://remote.example/u/bob"))):
            Activity.create(ap_id=f"http://events.test/activities/{number}", actor=ann, type=verb,
                            body={"object": obj}, public=True)
    with sqlite3.connect(config["DATABASE"]) as db:
        # As the release before object_ap_id left it: the column absent, the schema one step back.
        db.execute("DROP INDEX activity_object_ap_id")
        db.execute("ALTER TABLE activity DROP COLUMN object_ap_id")
        db.execute(f"PRAGMA user_version = {STEPS.index(_activity_objects)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        assert [(a.type, a.object_ap_id) for a in Activity.select().order_by(Activity.id)] == [
            ("Create", "http://events.test/events/1"), ("Delete", "http://events.test/events/2"), ("Follow", None)]
    with sqlite3.connect(config["DATABASE"]) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(STEPS),)


def test_unlisted_activities_published_before_leave_the_outbox(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    # Creates as addressed then; Deletes had `to` + `cc` in `to` (of a public event, of an unlisted one).
    audiences = [("Create", [AS_PUBLIC], ["f"]), ("Create", ["f"], [AS_PUBLIC]), ("Create", AS_PUBLIC, []),
                 ("Create", ["f"], []), ("Delete", [AS_PUBLIC, "f"], []), ("Delete", ["f", AS_PUBLIC], [])]
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for number, (kind, to, cc) in enumerate(audiences):
            Activity.create(ap_id=f"http://events.test/activities/{number}", actor=ann, type=kind,
                            body={"to": to, "cc": cc}, public=number != 3, listed=True)
    with sqlite3.connect(config["DATABASE"]) as db:
        # As the release before `listed` left it: the column absent, the schema one step back.
        db.execute("ALTER TABLE activity DROP COLUMN listed")
        db.execute(f"PRAGMA user_version = {STEPS.index(_listed_activities)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        assert [a.listed for a in Activity.select().order_by(Activity.id)] == [True, False, True, False, True, False]


def test_accounts_made_before_sign_up_confirmation_stay_usable(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    make_account(create_app(config, instance_path=str(tmp_path / "i")))
    with sqlite3.connect(config["DATABASE"]) as db:
        db.execute("ALTER TABLE account DROP COLUMN confirmed_at")
        db.execute(f"PRAGMA user_version = {STEPS.index(_account_confirmation)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        account = Account.get()
        assert account.confirmed_at == account.created_at
    log_in(app.test_client())


def test_activities_received_before_the_handling_job_are_taken_up_by_it(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    # Left by the release that handled activities inside the request: one interrupted, one failed
    # that may be retried, one failed for good, one done.
    states = [("received", 0), ("failed", 1), ("failed", 5), ("done", 1)]
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for number, (state, attempts) in enumerate(states):
            InboxItem.create(activity_id=f"https://remote.example/a/{number}", actor=ann, type="Like",
                             body={"type": "Like"}, state=state, attempts=attempts)
    with sqlite3.connect(config["DATABASE"]) as db:
        # As the release before the handling job left it: the column and its indexes absent.
        db.execute("DROP INDEX inbox_item_next_attempt_at")
        db.execute("DROP INDEX inbox_item_actor_id_next_attempt_at")
        db.execute("ALTER TABLE inbox_item DROP COLUMN next_attempt_at")
        db.execute(f"PRAGMA user_version = {STEPS.index(_inbox_queue)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        waiting = [item.next_attempt_at is not None for item in InboxItem.select().order_by(InboxItem.id)]
        assert waiting == [True, True, False, False]
        assert inbound.handle_received() == 2
        assert [item.state for item in InboxItem.select().order_by(InboxItem.id)] == [
            "ignored", "ignored", "failed", "done"]
    with sqlite3.connect(config["DATABASE"]) as db:
        assert {"inbox_item_next_attempt_at", "inbox_item_actor_id_next_attempt_at"} <= {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
