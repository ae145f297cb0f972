"""The search index: what typed words become in FTS5's and tsquery's syntax, the box around a point, the
distance in SQL, and the index of a database made before it existed."""
import sqlite3

import pytest
from peewee import Select, fn

from mobilizon_lite import create_app
from mobilizon_lite.db import database
from mobilizon_lite.geo import bounding_box, distance_km
from mobilizon_lite.migrations import STEPS, _search_index
from mobilizon_lite.models import Event, search_index, search_tsvector

from ..helpers import make_account, make_event


@pytest.mark.parametrize(("typed", "text"), [
    ("montréal jazz", '"montréal"* "jazz"*'),
    ('say "hi"', '"say"* """hi"""*'),
    ("AND OR NOT NEAR(", '"AND"* "OR"* "NOT"* "NEAR("*'),
    ('" * - ( ) ^ :', None),
    ("", None),
    ("a b c d e f g h i j", '"a"* "b"* "c"* "d"* "e"* "f"* "g"* "h"*'),
])
def test_words_become_quoted_prefixes(typed, text):
    assert search_index.match_text(typed, 8) == text


@pytest.mark.parametrize(("typed", "text"), [
    ("montréal jazz", "('montréal':*) & ('jazz':*)"),
    ("ciné-club l'été", "('ciné' <-> 'club':*) & ('l' <-> 'été':*)"),
    ("AND & | ! <-> :* jazz:AB 'x' \\y", "('AND':*) & ('jazz' <-> 'AB':*) & ('x':*) & ('y':*)"),
    ("snake_case x86_64", "('snake' <-> 'case':*) & ('x86' <-> '64':*)"),
])
def test_words_become_tsquery_prefixes_of_letters_and_digits_only(typed, text):
    assert search_tsvector.match_text(search_index.words(typed, 8)) == text


def test_the_distance_in_sql_is_the_python_one(app):
    points = [(0.0, 179.9, 0.0, -179.9), (45.5017, -73.5673, 48.8566, 2.3522), (89.9, 10.0, 89.9, -170.0),
              (-33.87, 151.21, 51.51, -0.13), (1.0, 2.0, 1.0, 2.0)]
    with app.app_context():
        for point in points:
            assert Select(columns=[fn.distance_km(*point)]).bind(database).scalar() == pytest.approx(
                distance_km(*point), rel=1e-12)
        assert Select(columns=[fn.distance_km(None, 1.0, 2.0, 3.0)]).bind(database).scalar() is None


def test_the_box_crosses_the_antimeridian_and_holds_the_circle():
    south, north, ranges = bounding_box(0.0, 179.9, 50)
    assert ranges == [(pytest.approx(179.45, abs=0.01), 180.0), (-180.0, pytest.approx(-179.65, abs=0.01))]
    assert south < -0.44 and north > 0.44
    assert distance_km(0.0, 179.9, 0.0, -179.9) == pytest.approx(22.24, abs=0.01)
    assert bounding_box(89.9, 10, 50)[2] == [(-180.0, 180.0)]
    assert distance_km(None, 1, 2, 3) is None


def test_a_database_made_before_the_index_gets_its_events_indexed(tmp_path, app_config):
    # An SQLite file an earlier release left (a PostgreSQL database starts at the latest step).
    config = dict(app_config, DATABASE=str(tmp_path / "old.sqlite3"), DATABASE_URL="")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    make_account(app)
    event = make_event(app, title="Fête à Montréal")
    with sqlite3.connect(config["DATABASE"]) as db:
        for name in ("event_search", "actor_search"):
            for trigger in ("insert", "update", "delete"):
                db.execute(f"DROP TRIGGER {name}_{trigger}")
            db.execute(f"DROP TABLE {name}")
        db.execute("DROP TABLE place")
        db.execute(f"PRAGMA user_version = {STEPS.index(_search_index)}")
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        found, _score = search_index.narrowed(search_index.EVENTS, Event.select(Event.id),
                                              search_index.match_text("fete montreal", 8))
        assert [row.id for row in found] == [event.id]
        assert Event.get_by_id(event.id).title == "Fête à Montréal"
