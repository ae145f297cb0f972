"""run.py backup while a real server takes writes, then restore into a new instance folder; restores refused
while the server runs, for a damaged file and for a newer schema. These instances use SQLite whichever
database the other tests use (test_backup_restore_postgres.py has PostgreSQL's)."""
import hashlib
import re
import signal
import sqlite3
import tarfile
import threading

import requests

from mobilizon_lite import create_app
from mobilizon_lite.db import EXTENSION_KEY
from mobilizon_lite.migrations import STEPS

from .. import databases
from ..harness import RunningInstance, form_token, run_py, wait_until
from ..helpers import PASSWORD, make_account, make_event

PICTURES = {"a1b2c3.jpg": b"\xff\xd8 a picture", "a1b2c3.thumb.webp": b"RIFF a thumbnail"}
# Comments the writer may post during the test, however fast the machine.
UNLIMITED = {"MOBILIZON_LITE_RATE_LIMIT_COMMENTS": "100000 per minute"}
ON_SQLITE = {databases.INSTANCE_ENV: ""}


def tables(path):
    """Every table's rows in rowid order (full-text indexes apart: they follow their tables by triggers)."""
    with sqlite3.connect(path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite%' AND name NOT LIKE '%search%'")]
        return {name: db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}


def comment_count(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM comment").fetchone()[0]


def fingerprint(folder):
    """The instance folder's database and pictures, to tell that a refused restore changed nothing."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "server.lock":
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def instance_with_an_event(tmp_path, test_settings, instance_env, env=ON_SQLITE):
    """A seeded instance (on SQLite, unless env names a database) with an event, an account that may write
    comments without limit, and two picture files; (server, event)."""
    server = RunningInstance(tmp_path / "instance", env=dict(instance_env, **UNLIMITED, **env))
    server.run("seed-demo", "--events", "60")
    app = create_app(dict(test_settings, DATABASE_URL=server.env.get(databases.INSTANCE_ENV, "")),
                     instance_path=str(server.path))
    make_account(app, "writer@example.org", "writer")
    event = make_event(app, "writer")
    # A restore on PostgreSQL waits for no session: this process keeps none open.
    app.extensions[EXTENSION_KEY].close_all()
    uploads = server.path / "uploads"
    uploads.mkdir(exist_ok=True)
    for name, data in PICTURES.items():
        (uploads / name).write_bytes(data)
    return server, event


def test_a_backup_made_while_the_server_writes_restores_into_a_new_instance(tmp_path, test_settings, instance_env):
    server, event = instance_with_an_event(tmp_path, test_settings, instance_env)
    page = f"{server.base}/events/{event.uuid}"
    stop, posted = threading.Event(), []

    def write(session):
        token = form_token(session, page)
        while not stop.is_set():
            text = f"comment {len(posted)}"
            response = session.post(page + "/comments", data={"csrf_token": token, "text": text}, timeout=30,
                                    allow_redirects=False)
            assert response.status_code == 302, response.text[:500]
            posted.append(text)

    server.start()
    try:
        writer = threading.Thread(target=write, args=(server.session("writer@example.org", PASSWORD),))
        writer.start()
        wait_until(lambda: len(posted) >= 5, timeout=30)
        archive = tmp_path / "saved" / "instance.tar.gz"
        before = len(posted)
        result = server.run("backup", str(archive))
        after = len(posted)
        wait_until(lambda: len(posted) >= after + 5, timeout=30)  # the server kept taking writes
        stop.set()
        writer.join(timeout=30)
    finally:
        stop.set()
        output = server.stop()
    assert "Traceback" not in output

    assert before < after, "no comment was posted while the backup ran"
    assert "database: " in result.stdout
    summary = re.search(r"Wrote .*instance\.tar\.gz \(([\d.]+) MB\) in ([\d.]+) s: schema version (\d+), "
                        r"(\d+) tables \(account: (\d+), .*comment: (\d+).*\), 2 picture files\.", result.stdout)
    assert summary, result.stdout
    assert int(summary[3]) == len(STEPS)
    assert archive.stat().st_mode & 0o077 == 0  # it holds the instance's keys

    fresh = RunningInstance(tmp_path / "restored", env=dict(instance_env, **ON_SQLITE))
    restored = run_py("restore", str(archive), "--instance-path", str(fresh.path), env=fresh.env)
    assert restored.returncode == 0, restored.stderr
    assert "config.py" in restored.stdout

    original, copy = tables(server.database), tables(fresh.database)
    assert original.keys() == copy.keys()
    # The copy is the database at one moment: every comment posted up to it, none after, none half-written.
    count = len(copy["comment"])
    assert before <= count <= len(original["comment"]) and count == int(summary[6])
    assert int(summary[5]) == len(copy["account"]) == len(original["account"])
    assert copy["comment"] == original["comment"][:count]
    for name in ("account", "actor", "event", "participation", "member", "post", "setting", "place"):
        assert copy[name] == original[name], name
    assert (fresh.path / "config.py").read_text() == (server.path / "config.py").read_text()
    for name, data in PICTURES.items():
        assert (fresh.path / "uploads" / name).read_bytes() == data

    with fresh:
        shown = requests.get(f"{fresh.base}/events/{event.uuid}", timeout=10)
        assert shown.status_code == 200 and event.title in shown.text


def damaged(archive, into, change):
    """A copy of archive whose database change(path) altered."""
    folder = into.with_suffix("")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    change(folder / "database.sqlite3")
    with tarfile.open(into, "w:gz") as tar:
        for name in ("backup.json", "database.sqlite3", "config.py"):
            tar.add(folder / name, name)
    return into


def scribble(path):
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # every third page from the third
        data[start:start + 200] = b"\x0dgarbage" * 25
    path.write_bytes(bytes(data))


def from_the_future(path):
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(STEPS) + 1}")


def test_restore_checks_the_backup_and_the_server_before_replacing_anything(tmp_path, test_settings, instance_env):
    server, _event = instance_with_an_event(tmp_path, test_settings, instance_env)
    archive = tmp_path / "good.tar.gz"
    server.run("backup", str(archive))
    noise = tmp_path / "noise.tar.gz"
    noise.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 40)
    refusals = [(noise, "cannot be read as a backup"),
                (damaged(archive, tmp_path / "damaged.tar.gz", scribble), "damaged"),
                (damaged(archive, tmp_path / "future.tar.gz", from_the_future),
                 f"newer release .*schema version {len(STEPS) + 1}; this one knows up to {len(STEPS)}")]

    server.start()
    try:
        as_it_was = fingerprint(server.path)
        refused = server.run("restore", str(archive), check=False)
        assert refused.returncode == 1
        assert "the server is running" in refused.stderr and "stop it first" in refused.stderr
        assert fingerprint(server.path) == as_it_was
    finally:
        # Killed: the lock file stays behind, but no process holds its lock any more.
        server.stop(signal.SIGKILL)
    assert (server.path / "server.lock").exists()

    as_it_was = fingerprint(server.path)
    for path, message in refusals:
        refused = server.run("restore", str(path), check=False)
        assert refused.returncode == 1, refused.stdout
        assert re.search(message, refused.stderr), refused.stderr
        assert fingerprint(server.path) == as_it_was
        assert not list(server.path.glob("replaced-*")) and not list(server.path.glob(".restoring-*"))

    comments = comment_count(server.database)
    restored = server.run("restore", str(archive))
    assert "was kept" in restored.stdout
    aside = list(server.path.glob("replaced-*"))
    assert len(aside) == 1 and (aside[0] / "mobilizon_lite.sqlite3").exists() and (aside[0] / "uploads").is_dir()
    assert comment_count(server.database) == comments
    with server:  # it starts on the restored files
        assert server.answers()
