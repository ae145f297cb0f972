"""run.py reindex builds the search index again, showing its progress, and says what it did."""
from mobilizon_lite import create_app
from mobilizon_lite.db import database, on_postgres
from mobilizon_lite.models import Event, Place, search_index

from .. import databases
from ..helpers import make_event, run_cli


def found(app, words):
    with app.app_context():
        found, _score = search_index.narrowed(search_index.EVENTS, Event.select(Event.id),
                                              search_index.match_text(words, 8))
        return found.count()


def test_reindex_indexes_every_event_again(tmp_path):
    path = tmp_path / "instance"
    created = run_cli(path, "create-user", "ann@example.org", "--identity", "ann", "--password-stdin",
                      stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    app = create_app(databases.instance_settings(path), instance_path=str(path))
    for number in range(3):
        make_event(app, title=f"Concert à Montréal {number}")
    with app.app_context():
        # The words forgotten behind the triggers' back.
        database.execute_sql("UPDATE event SET search_vector = NULL" if on_postgres()
                             else "INSERT INTO event_search (event_search) VALUES ('delete-all')")
    assert found(app, "montreal") == 0
    done = run_cli(path, "reindex")
    assert done.returncode == 0, done.stderr
    assert "event: 3/3" in done.stdout and "event: 3 indexed" in done.stdout
    assert "Indexed 3 events and" in done.stdout and "town names" in done.stdout
    assert found(app, "montreal") == 3
    with app.app_context():
        assert Place.select().where(Place.key == "montreal").exists()
