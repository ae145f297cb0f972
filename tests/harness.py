"""Real run.py instances and loopback HTTP servers, for the tests and for bench/.

Only the standard library and requests (an install dependency) are imported here, so that the
benchmark scripts use the same harness without the test dependencies.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

import requests

from . import databases

ROOT = Path(__file__).resolve().parents[1]
RUN_PY = ROOT / "run.py"
PASSWORD = "correct horse battery"
CLI_TIMEOUT = 120
START_TIMEOUT = 60
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port(host="127.0.0.1"):
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.05):
    """Poll predicate until it returns something truthy, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def instant(value):
    """A stored date as an aware UTC datetime, whether the database gave text (SQLite) or a datetime
    (PostgreSQL)."""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def form_token(session, url):
    """The CSRF token of the form on the page at url, for a requests session."""
    match = CSRF_RE.search(session.get(url, timeout=10).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def run_py(*args, stdin="", env=None, timeout=CLI_TIMEOUT):
    """run.py with args, as a script runs it (env added to ours): the finished process. On PostgreSQL, the
    instance folder named by --instance-path has its own database."""
    env = databases.instance_env([str(arg) for arg in args], env or {})
    return subprocess.run([sys.executable, str(RUN_PY), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, **env))


@contextmanager
def loopback_server(handler, host="127.0.0.1", **attributes):
    """A threaded HTTP server of handler on a free port of host, for the block; yields its base URL.

    The handler reads the base URL as self.server.url, and each of attributes as self.server.<name>."""
    httpd = ThreadingHTTPServer((host, 0), handler)
    httpd.daemon_threads = True
    httpd.url = f"http://{host}:{httpd.server_address[1]}"
    for name, value in attributes.items():
        setattr(httpd, name, value)
    # A short poll keeps shutting many of them down quick.
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield httpd.url
    finally:
        httpd.shutdown()
        httpd.server_close()


class RunningInstance:
    """run.py serving its own instance folder on a loopback address, its output in a log file.

    Admin commands run with the same --host and --port, so the first one (or the first start)
    writes the address the instance serves as its BASE_URL. env is added to the processes'
    environment (name, when given, becomes INSTANCE_NAME); log defaults to <path>.log beside the
    folder; serve_args are added to the server's command line (--workers 2). Used as a context manager, it
    is started for the block and stopped after it."""

    def __init__(self, path, host="127.0.0.1", port=None, env=None, name=None, log=None, serve_args=()):
        self.host, self.port = host, port or free_port(host)
        self.serve_args = list(serve_args)
        self.path = Path(path)
        self.base = f"http://{host}:{self.port}"
        self.log = Path(log) if log else self.path.with_name(self.path.name + ".log")
        self.env = databases.instance_env(self._args(), dict(env or {}))
        if name:
            self.env.setdefault("MOBILIZON_LITE_INSTANCE_NAME", name)
        self.process = None

    @property
    def database(self):
        """The instance's SQLite file (the default name; on PostgreSQL, env names its database)."""
        return self.path / "mobilizon_lite.sqlite3"

    def query(self, sql, *params):
        """The rows (dicts) a query of the instance's database finds; placeholders are written `?`."""
        return databases.query(self.env.get(databases.INSTANCE_ENV) or self.database, sql, params)

    def _args(self):
        return ["--host", self.host, "--port", str(self.port), "--instance-path", str(self.path)]

    def run(self, *args, stdin="", check=True):
        """An admin command of run.py on this instance: the finished process (check: exit 0 or fail)."""
        result = run_py(*args, *self._args(), stdin=stdin, env=self.env)
        if check and result.returncode != 0:
            raise AssertionError(f"run.py {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result

    def create_user(self, username, email=None, password=PASSWORD):
        """An account (username@example.org unless email is given) with the identity @username."""
        self.run("create-user", email or f"{username}@example.org", "--identity", username, "--password-stdin",
                 stdin=password + "\n")

    def start(self, timeout=START_TIMEOUT):
        """Serve, and return once the home page answers (fails at once if the process exits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            self.process = subprocess.Popen([sys.executable, str(RUN_PY), *self._args(), *self.serve_args], stdout=log,
                                            stderr=subprocess.STDOUT, env=dict(os.environ, **self.env))

        def up():
            if self.process.poll() is not None:
                raise AssertionError(f"run.py exited ({self.process.returncode}):\n{self.output()[-3000:]}")
            return self.answers()

        try:
            wait_until(up, timeout=timeout)
        except BaseException:
            self.stop()  # a server that never answered is not left running: nothing else would stop it
            raise
        return self

    def answers(self):
        """The home page's answer once the server listens, else None."""
        try:
            response = requests.get(self.base + "/", timeout=2)
        except (requests.ConnectionError, requests.Timeout):  # not yet listening, or still starting on a busy machine
            return None
        return response if response.ok else None

    def stop(self, sig=signal.SIGTERM):
        """Stop the server with sig (killed when it does not end within 10 s); returns its output so far."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.output()

    def output(self):
        """What the server printed so far, in all its runs."""
        return self.log.read_text() if self.log.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def session(self, email, password=PASSWORD):
        """A requests session logged in through the log-in form."""
        session = requests.Session()
        session.post(self.base + "/login", data={"csrf_token": form_token(session, self.base + "/login"),
                                                 "email": email, "password": password}, timeout=10)
        return session

    def collection_size(self, path):
        """totalItems of one of the instance's ActivityStreams collections."""
        response = requests.get(self.base + path, headers={"Accept": "application/activity+json"}, timeout=5)
        return response.json()["totalItems"]
