"""run.py backup and restore on PostgreSQL: pg_dump while a real server takes writes, pg_restore into an
empty database of a new instance folder, and over a database in use (its tables kept aside); refused
while others are connected and for a backup of the other kind. Needs MOBILIZON_LITE_TEST_DATABASE_URL."""
import json
import re
import tarfile
import threading

import psycopg2
import pytest
import requests

from mobilizon_lite.migrations import STEPS

from .. import databases
from ..harness import RunningInstance, form_token, run_py, wait_until
from .test_backup_restore import ON_SQLITE, PICTURES, instance_with_an_event

pytestmark = pytest.mark.skipif(not databases.server_url(), reason="needs MOBILIZON_LITE_TEST_DATABASE_URL")


def tables(url, schema="public"):
    """Every table's rows in id order."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                       "AND table_type = 'BASE TABLE'", (schema,))
        names = [row[0] for row in cursor.fetchall()]
        found = {}
        for name in names:
            cursor.execute(f'SELECT * FROM "{schema}"."{name}" ORDER BY 1')
            found[name] = cursor.fetchall()
    connection.close()
    return found


def test_a_pg_dump_made_while_the_server_writes_restores_into_an_empty_database(tmp_path, test_settings,
                                                                                instance_env, new_database):
    server, event = instance_with_an_event(tmp_path, test_settings, instance_env, {})
    source = server.env[databases.INSTANCE_ENV]
    page = f"{server.base}/events/{event.uuid}"
    stop, posted = threading.Event(), []

    def write(session):
        token = form_token(session, page)
        while not stop.is_set():
            response = session.post(page + "/comments", data={"csrf_token": token, "text": f"comment {len(posted)}"},
                                    timeout=30, allow_redirects=False)
            assert response.status_code == 302, response.text[:500]
            posted.append(1)

    server.start()
    try:
        writer = threading.Thread(target=write, args=(server.session("writer@example.org", "correct horse battery"),))
        writer.start()
        wait_until(lambda: len(posted) >= 5, timeout=30)
        archive = tmp_path / "saved" / "instance.tar.gz"
        before = len(posted)
        result = server.run("backup", str(archive))
        after = len(posted)
        wait_until(lambda: len(posted) >= after + 5, timeout=30)
        stop.set()
        writer.join(timeout=30)
    finally:
        stop.set()
        server.stop()
    assert before < after, "no comment was posted while the backup ran"
    summary = re.search(r"Wrote .* in ([\d.]+) s: schema version (\d+), (\d+) tables \(account: (\d+), "
                        r".*comment: (\d+).*\), 2 picture files\.", result.stdout)
    assert summary and int(summary[2]) == len(STEPS), result.stdout
    with tarfile.open(archive) as tar:
        assert "database.pgdump" in tar.getnames() and "database.sqlite3" not in tar.getnames()
        assert json.load(tar.extractfile("backup.json"))["database"] == "postgresql"

    empty = new_database(empty=True)["DATABASE_URL"]
    fresh = RunningInstance(tmp_path / "restored", env=dict(instance_env, **{databases.INSTANCE_ENV: empty}))
    restored = run_py("restore", str(archive), "--instance-path", str(fresh.path), env=fresh.env)
    assert restored.returncode == 0, restored.stderr
    original, copy = tables(source), tables(empty)
    assert original.keys() == copy.keys()
    count = len(copy["comment"])
    assert before <= count <= len(original["comment"]) and count == int(summary[5])
    assert copy["comment"] == original["comment"][:count]
    for name in ("account", "actor", "event", "participation", "member", "post", "setting", "schema_version"):
        assert copy[name] == original[name], name
    for name, data in PICTURES.items():
        assert (fresh.path / "uploads" / name).read_bytes() == data
    with fresh:
        shown = requests.get(f"{fresh.base}/events/{event.uuid}", timeout=10)
        assert shown.status_code == 200 and event.title in shown.text


def test_restore_on_postgres_keeps_the_tables_it_replaces_and_refuses_what_it_cannot_do(
        tmp_path, test_settings, instance_env, new_database):
    server, _event = instance_with_an_event(tmp_path, test_settings, instance_env, {})
    url = server.env[databases.INSTANCE_ENV]
    archive = tmp_path / "good.tar.gz"
    server.run("backup", str(archive))
    as_it_was = tables(url)

    busy = psycopg2.connect(url)
    try:
        refused = server.run("restore", str(archive), check=False)
    finally:
        busy.close()
    assert refused.returncode == 1 and "other connections are open to the database" in refused.stderr
    assert tables(url) == as_it_was and not list(server.path.glob("replaced-*"))

    on_sqlite = RunningInstance(tmp_path / "lite", env=dict(instance_env, **ON_SQLITE))
    on_sqlite.run("init")
    refused = on_sqlite.run("restore", str(archive), check=False)
    assert refused.returncode == 1
    assert "holds a PostgreSQL database but the instance uses SQLite" in refused.stderr

    server.create_user("latecomer")
    restored = server.run("restore", str(archive))
    aside = re.search(r"the schema (replaced-[\d-]+) of the database", restored.stdout)
    assert aside, restored.stdout
    kept = tables(url, aside[1])
    assert len(kept["account"]) == len(as_it_was["account"]) + 1
    assert tables(url) == as_it_was
    with server:
        assert server.answers()
