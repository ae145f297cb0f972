"""The federation benchmarks' common ground: a receiving server standing in for every remote inbox,
and throw-away instances with one identity (used by bench/inbox.py and bench/delivery.py)."""
import threading
from collections import Counter
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler

from common import HOST, RunningInstance, loopback_server

USERNAME = "inbox_bench"
EMAIL = "inbox_bench@example.org"
PASSWORD = "inbox bench password"
ALLOWED = "127.0.0.0/8"
# No measuring loop runs longer than this, whatever the counts say.
PHASE_SECONDS = 300
PROFILE_TOP = 15


class Receiver:
    """A loopback server on 127.0.0.1 answering 202 to any POST and counting them by path."""

    def __init__(self):
        counts = self.counts = Counter()
        lock = self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as the servers it stands in for (Mastodon, Mobilizon) answer.
            protocol_version = "HTTP/1.1"

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

        self.serving = ExitStack()
        self.base = self.serving.enter_context(loopback_server(Handler, HOST))

    def posts(self, prefix=""):
        """(POSTs, distinct paths) received under a path prefix."""
        with self.lock:
            hits = [count for path, count in self.counts.items() if path.startswith(prefix)]
        return sum(hits), len(hits)

    def close(self):
        self.serving.close()


def bench_instance(instance_path, log=None):
    """A RunningInstance (not started) of instance_path, allowed to reach the receiver, whose one account has
    the identity USERNAME: its actor is http://HOST:port/@USERNAME."""
    instance = RunningInstance(instance_path, HOST, env={"MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS": ALLOWED},
                               log=log)
    instance.create_user(USERNAME, email=EMAIL, password=PASSWORD)
    return instance


def make_app(instance_path, port):
    from mobilizon_lite import create_app

    return create_app({"ALLOWED_PRIVATE_NETWORKS": ALLOWED}, default_base_url=f"http://{HOST}:{port}",
                      instance_path=str(instance_path))


def local_identity():
    from mobilizon_lite.models import Actor

    return Actor.get(Actor.domain.is_null() & (Actor.preferred_username == USERNAME))


def states(counts):
    return " ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "none"

