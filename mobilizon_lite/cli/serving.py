"""Serving: waitress in this process, or in several processes forked from it that share its listening
socket; every serving process takes part in the scheduler lease (scheduler_lease.py)."""
import logging
import os
import signal
import socket
import sys
import time
from collections import deque

import waitress

from ..config import ConfigError
from ..db import EXTENSION_KEY
from ..memory import configure_malloc
from ..scheduler_lease import SchedulerLease

log = logging.getLogger(__name__)

# Waitress refuses bodies this many times MAX_CONTENT_LENGTH before reading them (see waitress_options).
BODY_SIZE_MARGIN = 2
# Connections the listening socket queues while every process is busy (waitress's own default).
BACKLOG = 1024
# Worker deaths within this many seconds, beyond the number of workers, that stop the server: a worker
# that dies at once each time it starts is a fault that a restart by the service manager should show.
CRASH_WINDOW = 60
# Seconds the workers get to finish their requests once told to stop, before they are killed.
STOP_TIMEOUT = 20


def waitress_options(config):
    """Waitress's limits, sized for a small machine such as a Raspberry Pi."""
    return {
        "threads": config["WAITRESS_THREADS"],
        # Waitress reads a whole body before the app runs: above this size it answers 413 at once
        # rather than wait for (and spool to disk) a body that may never end. Kept above
        # MAX_CONTENT_LENGTH so that a body a little too large still gets the app's own 413 page.
        "max_request_body_size": BODY_SIZE_MARGIN * config["MAX_CONTENT_LENGTH"],
        # Connections that send nothing for this long are closed, so stalled clients do not pile up.
        "channel_timeout": 60,
        "ident": "mobilizon_lite",
    }


def _stop_on_signal(_signum, _frame):
    # Waitress ends its loop on SystemExit; the lease is then let go. A second signal is not needed.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    raise SystemExit(0)


def serve_here(app, **where):
    """Serve app with waitress in this process (where: host and port, or sockets) until SIGTERM or SIGINT,
    taking part in the scheduler lease meanwhile."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_on_signal)
    lease = SchedulerLease(app).start()
    try:
        waitress.serve(app, **where, **waitress_options(app.config))
    finally:
        lease.stop()


def serve_workers(app, make_app, host, port, workers):
    """Serve with `workers` processes forked from this one, each with its own app from make_app(), all
    accepting on one socket bound here; returns the exit status.

    SIGTERM and SIGINT are passed on to them. A worker that dies is logged and replaced, unless workers
    die more than `workers` times within CRASH_WINDOW: then all are stopped, and the status is 1."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.create_server((host, port), family=family, backlog=BACKLOG)
    except OSError as error:
        raise ConfigError(f"cannot listen on {host} port {port}: {error.strerror or error}") from None
    # Children must not share the connections this process opened (SQLite forbids it; a PostgreSQL
    # connection's stream would be mixed up): they open their own.
    database = app.extensions[EXTENSION_KEY]
    getattr(database, "close_all", database.close)()
    children, deaths = set(), deque()
    state = {"stopping": False, "status": 0}

    def start_worker():
        pid = os.fork()
        if pid == 0:
            _worker(make_app, listener)
        children.add(pid)
        log.info("worker %d started", pid)

    def stop_all(_signum=None, _frame=None):
        if not state["stopping"]:
            state["stopping"] = True
            signal.alarm(STOP_TIMEOUT)
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    def kill_all(_signum, _frame):
        for pid in list(children):
            log.error("worker %d did not stop within %d s: killed", pid, STOP_TIMEOUT)
            _signal(pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGALRM, kill_all)
    log.info("serving on %s port %d with %d worker processes", host, port, workers)
    for _ in range(workers):
        start_worker()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid not in children:
            continue
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        if state["stopping"]:
            log.info("worker %d stopped (%s)", pid, _describe(code))
            continue
        log.error("worker %d ended unexpectedly (%s)", pid, _describe(code))
        now = time.monotonic()
        deaths.append(now)
        while deaths and deaths[0] < now - CRASH_WINDOW:
            deaths.popleft()
        if len(deaths) > workers:
            log.error("%d workers ended within %d s: stopping the server", len(deaths), CRASH_WINDOW)
            state["status"] = 1
            stop_all()
            continue
        start_worker()
    signal.alarm(0)
    listener.close()
    return state["status"]


def _worker(make_app, listener):
    """A forked worker's whole life: never returns into the parent's code."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, signal.SIG_DFL)  # the parent's handlers act on the parent's workers
    status = 0
    try:
        configure_malloc()
        serve_here(make_app(), sockets=[listener])
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - logged, and the parent logs the death
        log.exception("worker %d failed", os.getpid())
        status = 1
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        # Threads still running jobs are not waited for: their rows are claimed and taken up again.
        os._exit(status)


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _describe(code):
    return f"signal {-code}" if code < 0 else f"exit status {code}"
