"""The federation benchmarks' common ground: a receiving server standing in for every remote inbox,
and throw-away instances with one identity (used by bench/inbox.py and bench/delivery.py)."""
import os
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import HOST, RUN_PY

USERNAME = "inbox_bench"
EMAIL = "inbox_bench@example.org"
PASSWORD = "inbox bench password"
ALLOWED = "127.0.0.0/8"
CLI_TIMEOUT = 120
# No measuring loop runs longer than this, whatever the counts say.
PHASE_SECONDS = 300
PROFILE_TOP = 15


class Receiver:
    """A ThreadingHTTPServer on 127.0.0.1 answering 202 to any POST and counting them by path."""

    def __init__(self):
        counts = self.counts = Counter()
        lock = self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, 1 << 20))
                with lock:
                    counts[self.path] += 1
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://{HOST}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def posts(self, prefix=""):
        """(POSTs, distinct paths) received under a path prefix."""
        with self.lock:
            hits = [count for path, count in self.counts.items() if path.startswith(prefix)]
        return sum(hits), len(hits)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def server_env():
    return dict(os.environ, MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS=ALLOWED)


def create_identity(instance_path, port):
    """`run.py create-user` with the URL the instance will have: its actor is http://HOST:port/@USERNAME."""
    result = subprocess.run(
        [sys.executable, str(RUN_PY), "create-user", EMAIL, "--identity", USERNAME, "--password-stdin",
         "--host", HOST, "--port", str(port), "--instance-path", str(instance_path)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=CLI_TIMEOUT, env=server_env(),
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"create-user failed ({result.returncode}):\n{result.stderr[-3000:]}")


def make_app(instance_path, port):
    from mobilizon_lite import create_app

    return create_app({"ALLOWED_PRIVATE_NETWORKS": ALLOWED}, default_base_url=f"http://{HOST}:{port}",
                      instance_path=str(instance_path))


def local_identity():
    from mobilizon_lite.models import Actor

    return Actor.get(Actor.domain.is_null() & (Actor.preferred_username == USERNAME))


def states(counts):
    return " ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "none"

