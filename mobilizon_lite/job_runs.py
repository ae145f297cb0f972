"""Jobs that arriving work starts early: one run at a time, and a kick during a run makes that run look
again instead of starting a second one (which APScheduler would refuse with a warning, or run twice)."""
import random
import threading
import time

from apscheduler.jobstores.base import JobLookupError
from flask import current_app

from .db import utcnow

# app.extensions key of the scheduler's run_once(job_id), for a job this process's scheduler lacks.
RUN_ONCE = "mobilizon_lite.run_job_once"


def backoff(attempt, scale=1.0):
    """Seconds before retry number `attempt` (1, 2, …): n⁴ + 15 plus jitter, as Mastodon does."""
    return scale * (attempt ** 4 + 15 + random.uniform(0, 30 * (attempt + 1)))


class KickedJob:
    """The scheduler job `job_id`, whose run() works in steps while there is work, one run at a time."""

    def __init__(self, job_id):
        self.job_id = job_id
        self._key = f"mobilizon_lite.job.{job_id}"

    def flags(self):
        """This app's flags for the job: running, again (kicked during the run) and arrived (the
        time.monotonic() of the last kick)."""
        return current_app.extensions.setdefault(
            self._key, {"lock": threading.Lock(), "running": False, "again": False, "arrived": float("-inf")})

    def kick(self):
        """Ask the scheduler (when this process runs one) to run the job now; called once the transaction
        that made the work has committed, so that the run sees it. Returns whether a running scheduler
        will run it (False: built but not started, as in a test or an admin command)."""
        scheduler = current_app.extensions.get("scheduler")
        if scheduler is None or not scheduler.running:
            return False
        flags = self.flags()
        flags["arrived"] = time.monotonic()
        with flags["lock"]:
            if flags["running"]:
                flags["again"] = True  # rather than a second run: the running one looks again
                return True
        job = scheduler.get_job(self.job_id)
        # The run is only ever moved earlier, so steady kicks cannot keep postponing it.
        if job is not None and (job.next_run_time is None or job.next_run_time > utcnow()):
            try:
                scheduler.modify_job(self.job_id, next_run_time=utcnow())
            except JobLookupError:
                job = None  # a run once just ended, or the lease just went
        if job is None:
            # Another process holds the scheduler lease (and this job's interval): the work that arrived
            # here is started here, once.
            current_app.extensions[RUN_ONCE](self.job_id)
        return True

    def run(self, step, seconds):
        """Call step(deadline) -> (done, more) until it has no more and no kick came meanwhile, for at
        most `seconds`; returns the sum of done (0 when another run is going: that one looks again)."""
        flags = self.flags()
        with flags["lock"]:
            if flags["running"]:
                flags["again"] = True
                return 0
            flags["running"], flags["again"] = True, False
        deadline = time.monotonic() + seconds
        total = 0
        try:
            while time.monotonic() < deadline:
                done, more = step(deadline)
                total += done
                with flags["lock"]:
                    # Stopping is decided under the lock in the same step as a kick's look at
                    # `running`, so a kick either finds this run going or starts the next one.
                    if not (more or flags["again"]):
                        flags["running"] = False
                        break
                    flags["again"] = False
        finally:
            with flags["lock"]:
                flags["running"] = False
        return total
