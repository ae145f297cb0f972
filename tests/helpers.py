"""Helpers shared by the tests: forms with their CSRF token, accounts, events, a mail catcher (and, from
tests/harness.py, the loopback servers, run.py processes and polling every kind of test uses)."""
import contextlib
import functools
import hashlib
import io
import logging
import random
import re
import threading
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

import requests
from aiosmtpd.controller import Controller
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mobilizon_lite.services import accounts

from . import databases
from .harness import CSRF_RE, PASSWORD, form_token, free_port, loopback_server, run_py, wait_until  # noqa: F401

ERROR_RE = re.compile(r'class="error[^"]*"[^>]*>([^<]+)<')
BASE_URL = "http://events.test"
# A year all ahead: events that listings of upcoming events show, on any day the tests run.
NEXT_YEAR = datetime.now(UTC).year + 1


def _next_july_first(today):
    """The first of July at least two months after today."""
    july = date(today.year, 7, 1)
    return july if july - today >= timedelta(days=60) else date(today.year + 1, 7, 1)


# The day of the events tests make unless told otherwise: always ahead of the day the suite runs (a
# fixed date would fall into the past and out of every list), always in summer time (14:00 in Paris
# is 12:00 UTC, +02:00), so that what tests assert of its times holds on any date.
EVENT_DAY = _next_july_first(date.today())


def day_text(day, locale="en"):
    """A day written in full as event pages write it: "Thursday, July 1, 2027", "jeudi 1 juillet 2027"."""
    from babel.dates import format_date

    return format_date(day, "full", locale=locale)


def csrf_token(client, url="/login"):
    """The CSRF token of the form on the page at url, for this client's session."""
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def submit(client, url, data, page=None, **kwargs):
    """POST data to url the way a browser does: with the token of the form on page (or url), when it
    holds one (forms of pages kept for every visitor hold none)."""
    match = CSRF_RE.search(client.get(page or url).get_data(as_text=True))
    data = dict(data, csrf_token=match.group(1)) if match else data
    headers = {"Referer": f"http://localhost{page or url}", **kwargs.pop("headers", {})}
    if kwargs.get("content_type") == "multipart/form-data":
        # Encoded here, in memory: werkzeug's test client spools a large body to a file it never closes.
        boundary, data = encode_multipart({name: FileStorage(*value) if isinstance(value, tuple) else value
                                           for name, value in data.items()})
        kwargs["content_type"] = f"multipart/form-data; boundary={boundary}"
    return client.post(url, data=data, headers=headers, **kwargs)


def page_statements(client, path, warm_up=True):
    """(SQL statements run, text) of the page at path asked a second time: the first visit may set up
    what later visits reuse (the session, the locale); warm_up=False counts the first visit (a page kept
    for everyone would be answered from the page cache the second time)."""
    if warm_up:
        client.get(path)
    with sql_log() as records:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(records), response.get_data(as_text=True)


@contextlib.contextmanager
def sql_log():
    """The log records of the SQL statements run inside the block (peewee logs each one)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("peewee")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def errors(response):
    """The error messages shown on a page."""
    return ERROR_RE.findall(response.get_data(as_text=True))


def assert_not_found(client, *paths):
    """Each of paths answers client 404: a bad address is never a 500."""
    for path in paths:
        assert client.get(path).status_code == 404, path


def make_account(app, email="ann@example.org", username="ann", password=PASSWORD, admin=False):
    """An account made through the same service the CLI uses."""
    with app.app_context():
        return accounts.register(email, password, username, admin=admin, by_admin=True)


def log_in(client, email="ann@example.org", password=PASSWORD, **extra):
    """Log client in through the log-in form."""
    response = submit(client, "/login", dict(email=email, password=password, **extra))
    assert response.status_code == 302, errors(response)
    return response


def staff_clients(app):
    """Accounts ann (a user), modo (a moderator) and boss (an administrator), each with a logged-in client:
    the clients by role."""
    from mobilizon_lite.models import Account

    make_account(app, "ann@example.org", "ann")
    make_account(app, "mod@example.org", "modo")
    make_account(app, "root@example.org", "boss", admin=True)
    with app.app_context():
        Account.update(role="moderator").where(Account.email == "mod@example.org").execute()
    clients = {}
    for name, email in (("user", "ann@example.org"), ("moderator", "mod@example.org"),
                        ("admin", "root@example.org")):
        clients[name] = app.test_client()
        log_in(clients[name], email)
    return clients


def open_instance(instance_path, settings=None):
    """The app of the instance folder at instance_path, opened as run.py opens it (its config.py; on
    PostgreSQL, the folder's database), with settings added."""
    from mobilizon_lite import create_app

    return create_app({**(settings or {}), **databases.instance_settings(instance_path)},
                      instance_path=str(instance_path))


def run_cli(instance_path, *args, stdin="", env=None):
    """run.py with args on an instance folder, as a script runs it: the finished process."""
    return run_py(*args, "--instance-path", str(instance_path), stdin=stdin, env=env)


def logged_in(base, email, page):
    """(a requests session logged in as email, with PASSWORD, on the server at base; the CSRF token of the
    form on page)."""
    session = requests.Session()
    token = form_token(session, base + "/login")
    session.post(base + "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}, timeout=30)
    return session, form_token(session, page)


def all_at_once(press, calls):
    """press(*args) for each args of calls, from as many threads released together; once all are done."""
    barrier = threading.Barrier(len(calls))

    def pressing(*args):
        barrier.wait()
        press(*args)

    threads = [threading.Thread(target=pressing, args=args) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)


class MailCatcher:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def wait_for(self, count=1):
        """The first count messages, waiting for them to arrive."""
        wait_until(lambda: len(self.messages) >= count)
        return self.messages[:count]


@functools.cache
def phone_photo(orientation=None):
    """A JPEG of about 12 MB as a 12-megapixel phone takes it (4032 × 3024, fine noise defeating the
    compression), with a camera's EXIF data: a GPS position, and orientation when given."""
    from PIL import Image

    image = Image.frombytes("RGB", (4032, 3024), random.Random(4032).randbytes(4032 * 3024 * 3))
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0)}  # GPSInfo
    if orientation:
        exif[0x0112] = orientation
    output = io.BytesIO()
    image.save(output, "JPEG", quality=60, subsampling=0, exif=exif)
    return output.getvalue()


def event_fields(**overrides):
    """Event form fields as a browser posts them, for an event on EVENT_DAY in Paris."""
    fields = {
        "title": "Repair café", "description": "Bring your **toaster**.",
        "timezone": "Europe/Paris", "start_date": EVENT_DAY.isoformat(), "start_time": "14:00",
        "end_date": "", "end_time": "18:00", "status": "confirmed", "visibility": "public",
        "join_mode": "free", "external_participation_url": "", "capacity": "",
        "show_remaining_seats": "y", "comment_mode": "allow_all", "place_name": "Maison des associations",
        "street": "1 rue de la Paix", "postal_code": "75001", "locality": "Paris", "region": "",
        "country": "France", "online_url": "", "tags": "",
        "category": "CRAFTS", "language": "fr",
    }
    for index in range(3):
        fields.update({f"links-{index}-type": "visio", f"links-{index}-url": "", f"links-{index}-label": ""})
    fields.update(overrides)
    return fields


def service_fields(**overrides):
    """The same event as the events service reads it (typed values)."""
    from datetime import time

    data = {
        "title": "Repair café", "description": "Bring your **toaster**.", "timezone": "Europe/Paris",
        "start_date": EVENT_DAY, "start_time": time(14, 0), "end_date": None,
        "end_time": time(18, 0), "status": "confirmed", "visibility": "public", "join_mode": "free",
        "capacity": None, "show_remaining_seats": True, "comment_mode": "allow_all",
        "place_name": "Maison des associations", "locality": "Paris", "country": "France",
        "category": "CRAFTS", "language": "fr", "links": [],
    }
    data.update(overrides)
    return data


def make_event(app, organizer_username="ann", group=None, **overrides):
    """An event created through the events service by a local identity (as group, when given)."""
    from mobilizon_lite.models import Actor
    from mobilizon_lite.services import events

    with app.app_context():
        organizer = Actor.get(Actor.preferred_username == organizer_username)
        return events.create_event(organizer, service_fields(**overrides), group=group)


def make_group(app, username="club", creator_username="ann", **settings):
    """A local group created through the groups service, creator_username its first administrator."""
    from mobilizon_lite.models import Actor
    from mobilizon_lite.services import groups

    with app.app_context():
        creator = Actor.get(Actor.preferred_username == creator_username)
        return groups.create_group(creator, username, **settings)


class failing_disk:
    """Within the block, every new connection of app's database fails to write as a broken disk does.

    "readonly" sets PRAGMA query_only (SQLite answers "attempt to write a readonly database"), on
    PostgreSQL default_transaction_read_only (a standby's SQLSTATE 25006); "full" caps PRAGMA
    max_page_count at the file's size ("database or disk is full"), on SQLite only.
    """

    LIFTED = {"readonly": ("query_only", 0), "full": ("max_page_count", 1073741823)}

    def __init__(self, app, kind):
        self.app, self.kind = app, kind
        if app.config["DATABASE_URL"] and kind == "full":
            import pytest

            pytest.skip("a PostgreSQL database has no size cap a test could fill")

    def _set(self, value):
        from mobilizon_lite.db import EXTENSION_KEY, database

        if self.app.config["DATABASE_URL"]:
            databases.session().configure(self.app.config["DATABASE_URL"], "default_transaction_read_only",
                                          "on" if value else "off")
            self.app.extensions[EXTENSION_KEY].close_all()  # the setting holds for new connections
            return
        name = self.LIFTED[self.kind][0]
        with self.app.app_context():
            if value is None:
                value = database.execute_sql("PRAGMA page_count").fetchone()[0]
            database.pragma(name, value, permanent=True)

    def __enter__(self):
        self._set(1 if self.kind == "readonly" else None)
        return self

    def __exit__(self, *_exc):
        self._set(self.LIFTED[self.kind][1])


class CalendarFeed(BaseHTTPRequestHandler):
    """A calendar address on a loopback_server(CalendarFeed, feed=Feed(...)): it serves feed.body with an
    ETag and a Last-Modified of that body, answers 304 to a request whose conditions still hold, and
    records each request's headers; feed.status (another answer), feed.location (a redirect) and
    feed.streamed (that many bytes of a body claimed that long) make it hostile."""

    def do_GET(self):
        feed = self.server.feed
        feed.requests.append(dict(self.headers))
        if feed.location:
            self.send_response(302)
            self.send_header("Location", feed.location)
            self.end_headers()
            return
        etag = f'"{hashlib.sha256(feed.body).hexdigest()[:16]}"'
        if feed.status != 200:
            self.send_response(feed.status)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == etag and self.headers.get("If-Modified-Since") == feed.modified:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", feed.content_type)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", feed.modified)
        self.send_header("Content-Length", str(feed.streamed or len(feed.body)))
        self.end_headers()
        try:
            if feed.streamed:
                chunk = b"X" * (1 << 20)
                for _megabyte in range(feed.streamed >> 20):
                    self.wfile.write(chunk)
            else:
                self.wfile.write(feed.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its limit

    def log_message(self, *args):
        pass


class Feed:
    """What a CalendarFeed serves (body, at most once per body change "modified"), and what it was asked."""

    def __init__(self, body=b""):
        self.requests, self.status, self.location, self.streamed, self.version = [], 200, "", 0, 0
        self.serve(body)

    def serve(self, body, content_type="text/calendar; charset=utf-8"):
        """Serve body from now on, with a new Last-Modified."""
        self.body, self.content_type, self.version = body, content_type, self.version + 1
        self.modified = formatdate(1_700_000_000 + 60 * self.version, usegmt=True)
