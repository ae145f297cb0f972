"""Schema migrations: a database made by an earlier release is brought up to date, its data kept."""
import sqlite3

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.vocab import AS_PUBLIC
from mobilizon_lite.migrations import STEPS, _account_confirmation, _activity_objects, _listed_activities
from mobilizon_lite.models import Account, Activity, Actor

from ..helpers import log_in, make_account


def test_activities_published_before_learn_their_object(tmp_path, app_config):
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"))
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
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"))
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
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"))
    make_account(create_app(config, instance_path=str(tmp_path / "i")))
    with sqlite3.connect(config["DATABASE"]) as db:
        db.execute("ALTER TABLE account DROP COLUMN confirmed_at")
        db.execute(f"PRAGMA user_version = {STEPS.index(_account_confirmation)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        account = Account.get()
        assert account.confirmed_at == account.created_at
    log_in(app.test_client())
