"""The scheduler lease: every server process of an instance runs a scheduler, and the one holding the lease
(a database row, renewed every few seconds) alone has the timed jobs in it; another takes them over once a
holder that died lets the lease expire."""
import logging
import os
import secrets
import socket
import threading
import time

from .db import utcnow
from .models import processes
from .scheduler import LEASE, add_jobs, build_scheduler, remove_jobs

log = logging.getLogger(__name__)

# Seconds between tries after the database failed to answer.
RETRY_AFTER_ERROR = 1.0


class SchedulerLease:
    """This process's part in the lease: a thread taking or renewing it, adding the timed jobs to the
    scheduler when it gets it and removing them when it is lost."""

    def __init__(self, app):
        self.app = app
        self.scheduler = build_scheduler(app, jobs=False)
        # Unique among the processes of every machine, and never that of a process that ended.
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.seconds = app.config["SCHEDULER_LEASE_SECONDS"]
        self.renew_every = app.config["SCHEDULER_RENEW_SECONDS"]
        # time.monotonic() until which this process may run the jobs: the lease's end, less one renewal
        # period, so that it stops before any other process may take over (clocks differ a little).
        self.valid_until = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler-lease", daemon=True)
        app.extensions[LEASE] = self

    @property
    def held(self):
        """True while this process holds the lease (and runs the timed jobs)."""
        return self.valid_until is not None and time.monotonic() < self.valid_until

    def start(self):
        """Start the scheduler (holding only what kicks add, until the lease comes) and the renewals."""
        self.scheduler.start()
        self._thread.start()
        return self

    def stop(self):
        """Stop renewing and let the lease go at once, so another process takes it without waiting."""
        self._stopping.set()
        self._thread.join(timeout=self.seconds)
        if self.valid_until is not None:
            self._lose("this process stops", logging.INFO)
            try:
                with self.app.app_context():
                    processes.release_lease(processes.SCHEDULER, self.holder)
            except Exception:  # noqa: BLE001 - stopping goes on; the lease expires by itself
                log.exception("could not release the scheduler lease")
        self.scheduler.shutdown(wait=False)

    def _loop(self):
        while not self._stopping.is_set():
            self._stopping.wait(self.step())

    def step(self):
        """Try to take or renew the lease once; returns the seconds to wait before the next try."""
        started = time.monotonic()
        try:
            with self.app.app_context():
                taken = processes.take_lease(processes.SCHEDULER, self.holder, self.seconds)
                holder, expires_at = (None, None) if taken else processes.lease_holder(processes.SCHEDULER)
        except Exception:  # noqa: BLE001 - a busy or failing database: try again shortly
            log.exception("could not renew the scheduler lease")
            if self.valid_until is not None and not self.held:
                self._lose("it could not be renewed in time")
            return RETRY_AFTER_ERROR
        if taken:
            gained = self.valid_until is None
            self.valid_until = started + self.seconds - self.renew_every
            if gained:
                log.info("this process (%s) holds the scheduler lease: it runs the timed jobs", self.holder)
                add_jobs(self.app, self.scheduler)
            return self.renew_every
        if self.valid_until is not None:
            self._lose(f"{holder} holds it")
        # Tried again as it expires: a holder that died is replaced within the lease's time.
        left = (expires_at - utcnow()).total_seconds()
        return min(self.renew_every, max(left, 0) + 0.05)

    def _lose(self, why, level=logging.WARNING):
        self.valid_until = None
        remove_jobs(self.scheduler)
        log.log(level, "this process (%s) no longer holds the scheduler lease (%s): it stopped the timed jobs",
                    self.holder, why)
