"""run.py reindex builds the search index again, showing its progress, and says what it did."""
import sqlite3

from mobilizon_lite import create_app
from mobilizon_lite.models import Place

from ..helpers import make_event, run_cli


def test_reindex_indexes_every_event_again(tmp_path):
    path = tmp_path / "instance"
    created = run_cli(path, "create-user", "ann@example.org", "--identity", "ann", "--password-stdin",
                      stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    app = create_app(instance_path=str(path))
    for number in range(3):
        make_event(app, title=f"Concert à Montréal {number}")
    database = app.config["DATABASE"]
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO event_search (event_search) VALUES ('delete-all')")
        assert db.execute("SELECT COUNT(*) FROM event_search WHERE event_search MATCH 'montreal'").fetchone() == (0,)
    done = run_cli(path, "reindex")
    assert done.returncode == 0, done.stderr
    assert "event: 3/3" in done.stdout and "event: 3 indexed" in done.stdout
    assert "Indexed 3 events and" in done.stdout and "town names" in done.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM event_search WHERE event_search MATCH 'montreal'").fetchone() == (3,)
    with app.app_context():
        assert Place.select().where(Place.key == "montreal").exists()
