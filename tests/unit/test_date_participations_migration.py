"""The step that lets a participation name one date of a series: participations made before it stay
whole-series ones, and one whole-series participation per person stays the rule."""
import sqlite3
from datetime import timedelta

import pytest
from peewee import IntegrityError

from mobilizon_lite import create_app
from mobilizon_lite.migrations import STEPS, _date_participations
from mobilizon_lite.models import Actor, Participation
from mobilizon_lite.models.participation import PARTICIPANT

from ..helpers import make_account, make_event


def _as_before(path):
    """Bring the database back to the schema the release before the step left."""
    with sqlite3.connect(path) as db:
        for name in ("participation_event_id_actor_id_recurrence_id", "participation_event_id_email_recurrence_id",
                     "participation_whole_actor", "participation_whole_email"):
            db.execute(f"DROP INDEX {name}")
        db.execute("ALTER TABLE participation DROP COLUMN recurrence_id")
        db.execute('CREATE UNIQUE INDEX "participation_event_id_actor_id" ON participation (event_id, actor_id)')
        db.execute('CREATE UNIQUE INDEX "participation_event_id_email" ON participation (event_id, email)')
        db.execute(f"PRAGMA user_version = {STEPS.index(_date_participations)}")


def test_participations_made_before_become_whole_series_ones(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    event = make_event(app)
    with app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        Participation.create(event=event.id, actor=bob, role=PARTICIPANT)
        Participation.create(event=event.id, email="eve@example.org", role=PARTICIPANT)
    _as_before(config["DATABASE"])
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        rows = list(Participation.select().order_by(Participation.id))
        assert [(row.role, row.recurrence_id) for row in rows] == [
            ("creator", None), (PARTICIPANT, None), (PARTICIPANT, None)]
        # Still one whole-series participation per identity and per address…
        with pytest.raises(IntegrityError):
            Participation.create(event=event.id, actor=bob, role=PARTICIPANT)
        with pytest.raises(IntegrityError):
            Participation.create(event=event.id, email="eve@example.org", role=PARTICIPANT)
        # …and one per date, beside it.
        date = event.begins_on + timedelta(weeks=1)
        Participation.create(event=event.id, actor=bob, role=PARTICIPANT, recurrence_id=date)
        Participation.create(event=event.id, email="eve@example.org", role=PARTICIPANT, recurrence_id=date)
        with pytest.raises(IntegrityError):
            Participation.create(event=event.id, actor=bob, role=PARTICIPANT, recurrence_id=date)
    with sqlite3.connect(config["DATABASE"]) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(STEPS),)
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'participation'")}
        assert "participation_event_id_actor_id" not in names and "participation_whole_actor" in names
