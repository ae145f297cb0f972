"""run.py move-to-postgres: an SQLite instance with content copied into an empty PostgreSQL database (rows
of every table, ids, sequences), then served from it; refused while the server runs and for a database
that holds tables. Needs the PostgreSQL server of MOBILIZON_LITE_TEST_DATABASE_URL (tests/postgres.sh)."""
import re
import sqlite3

import pytest
import requests

from mobilizon_lite import create_app
from mobilizon_lite.models import Actor, Delivery, Event, Follow, Participation

from .. import databases
from ..harness import RunningInstance
from ..helpers import make_account, make_event

pytestmark = pytest.mark.skipif(not databases.server_url(), reason="needs MOBILIZON_LITE_TEST_DATABASE_URL")

# The source instance stays on SQLite whichever database the other tests use.
ON_SQLITE = {databases.INSTANCE_ENV: ""}
REMOTE = "https://remote.example"


def sqlite_counts(path):
    """Rows of each table of the SQLite file, but its search index's (derived, rebuilt on the other side)."""
    with sqlite3.connect(path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite%' AND name NOT LIKE '%search%'")]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


REPLIES = "SELECT id, in_reply_to_id FROM comment WHERE in_reply_to_id IS NOT NULL ORDER BY id"


def sqlite_replies(path):
    with sqlite3.connect(path) as db:
        return db.execute(REPLIES).fetchall()


def postgres_replies(url):
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(REPLIES)
        replies = cursor.fetchall()
    connection.close()
    return replies


def postgres_counts(url, names):
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
    connection.close()
    return counts


def seeded_instance(tmp_path, test_settings, instance_env):
    """An SQLite instance with demo content, a remote follower and a delivery to it; (server, event id)."""
    server = RunningInstance(tmp_path / "instance", env=dict(instance_env, **ON_SQLITE))
    server.run("seed-demo", "--events", "40")
    app = create_app(dict(test_settings, DATABASE_URL=""), instance_path=str(server.path))
    make_account(app, "mover@example.org", "mover")
    with app.app_context():
        follower = Actor.create(preferred_username="far", domain="remote.example", ap_id=f"{REMOTE}/users/far",
                                inbox=f"{REMOTE}/users/far/inbox")
        Follow.create(follower=follower, followed=Actor.get(Actor.preferred_username == "mover"),
                      ap_id=f"{REMOTE}/follows/1", accepted=True)
    # Published to the follower: an Activity and its Delivery row.
    event = make_event(app, "mover", tags="picnic, Été")
    return server, event.id


def fields(row, *names):
    return {name: getattr(row, name) for name in names}


def spot_checks(app, event_id):
    """What the spot checks compare: an event with its tags, a participation, a delivery."""
    with app.app_context():
        event = Event.get_by_id(event_id)
        participation = Participation.select().order_by(Participation.id.desc()).get()
        delivery = Delivery.get()
        return (fields(event, "id", "uuid", "title", "tags", "begins_on", "ends_on", "timezone", "organizer_id",
                       "visibility", "sequence"),
                fields(participation, "id", "event_id", "actor_id", "role", "created_at"),
                fields(delivery, "id", "inbox_url", "state", "attempts", "next_attempt_at")
                | {"body": delivery.activity.body})


def test_an_instance_moves_to_postgres_with_every_row_and_id(tmp_path, test_settings, instance_env, new_database):
    server, event_id = seeded_instance(tmp_path, test_settings, instance_env)
    target = new_database(empty=True)["DATABASE_URL"]
    cluttered = new_database(empty=True)["DATABASE_URL"]
    import psycopg2

    with psycopg2.connect(cluttered) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE notes (id integer)")
    connection.close()

    with server:
        refused = server.run("move-to-postgres", target, check=False)
    assert refused.returncode == 1 and "the server is running" in refused.stderr
    refused = server.run("move-to-postgres", cluttered, check=False)
    assert refused.returncode == 1 and "is not empty (1 tables: notes)" in refused.stderr

    moved = server.run("move-to-postgres", target)
    summary = re.search(r"Moved (\d+) rows in (\d+) tables in [\d.]+ s: the rows copied and counted in [\d.]+ s "
                        r"\((\d+) rows/s\)", moved.stdout)
    assert summary, moved.stdout
    assert f"DATABASE_URL = {target!r}" in moved.stdout
    assert "participation: " in moved.stdout  # the progress of each table

    before = sqlite_counts(server.database)
    after = postgres_counts(target, before)
    assert after == before
    assert sum(before.values()) == int(summary[1]) and before["delivery"] == 1 and before["participation"] > 40
    # Replies name other rows of their own table: filled once every comment is in.
    assert postgres_replies(target) == sqlite_replies(server.database) != []

    on_sqlite = create_app(dict(test_settings, DATABASE_URL=""), instance_path=str(server.path))
    on_postgres = create_app(dict(test_settings, DATABASE_URL=target), instance_path=str(server.path))
    assert spot_checks(on_postgres, event_id) == spot_checks(on_sqlite, event_id)
    assert spot_checks(on_postgres, event_id)[0]["tags"] == ["picnic", "été"]
    # The sequences go on after the ids copied.
    account = make_account(on_postgres, "new@example.org", "newcomer")
    assert account.id == before["account"] + 1

    moved_again = server.run("move-to-postgres", target, check=False)
    assert moved_again.returncode == 1 and "is not empty" in moved_again.stderr

    served = RunningInstance(server.path, port=server.port, env=dict(instance_env, **{databases.INSTANCE_ENV: target}),
                             log=tmp_path / "postgres.log")
    with served:
        with on_postgres.app_context():
            uuid = Event.get_by_id(event_id).uuid
        page = requests.get(f"{served.base}/events/{uuid}", timeout=10)
        assert page.status_code == 200 and "picnic" in page.text
