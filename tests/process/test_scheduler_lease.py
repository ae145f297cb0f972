"""Two real server processes on one instance: one holds the scheduler lease and runs the timed jobs; killed
(kill -9), it is replaced within the lease's time; paused past it, it stops its jobs once it runs again."""
import os
import signal
import time
from datetime import UTC, datetime

import pytest

from ..harness import RunningInstance, instant, wait_until

LEASE_SECONDS = 3
# Settling a takeover: the poll of this test, a process's start of its jobs, a busy machine.
SLACK_SECONDS = 1.5
HOLDS = ") holds the scheduler lease"
LOST = "no longer holds the scheduler lease"


@pytest.fixture
def two_servers(tmp_path, instance_env):
    env = dict(instance_env, MOBILIZON_LITE_SCHEDULER_LEASE_SECONDS=str(LEASE_SECONDS),
               MOBILIZON_LITE_SCHEDULER_RENEW_SECONDS="1")
    first = RunningInstance(tmp_path / "instance", env=env, log=tmp_path / "first.log")
    second = RunningInstance(tmp_path / "instance", env=env, log=tmp_path / "second.log")
    try:
        first.start()
        wait_until(lambda: holder(first) == first.process.pid)
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


def holder(server):
    """The pid of the process holding the instance's scheduler lease (None when it has expired)."""
    lease = server.query("SELECT holder, expires_at FROM lease WHERE name = 'scheduler'")[0]
    alive = lease["holder"] and instant(lease["expires_at"]) > datetime.now(UTC)
    return int(lease["holder"].split(":")[1]) if alive else None


def renewed_by(server, pid, times):
    """Wait until the lease was renewed `times` times, held by pid all along."""
    seen = set()

    def renewed():
        assert holder(server) == pid
        seen.add(server.query("SELECT expires_at FROM lease")[0]["expires_at"])
        return len(seen) > times

    wait_until(renewed, timeout=10)


def test_a_killed_holder_is_replaced_within_the_lease_time(two_servers):
    first, second = two_servers
    renewed_by(first, first.process.pid, 2)  # the second tries all along: the lease stays
    assert HOLDS not in second.output()
    killed = time.monotonic()
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    wait_until(lambda: holder(second) == second.process.pid, timeout=LEASE_SECONDS + 10, interval=0.02)
    assert time.monotonic() - killed <= LEASE_SECONDS + SLACK_SECONDS
    # It started the timed jobs, once; the killed one never got to say anything more.
    wait_until(lambda: 'Added job "Email the reminders due before events"' in second.output())
    assert second.output().count(HOLDS) == 1 and LOST not in first.output()
    renewed_by(second, second.process.pid, 1)


def test_a_holder_paused_past_the_lease_stops_its_jobs_when_it_runs_again(two_servers):
    first, second = two_servers
    os.kill(first.process.pid, signal.SIGSTOP)
    try:
        wait_until(lambda: holder(second) == second.process.pid, timeout=LEASE_SECONDS + 10)
    finally:
        os.kill(first.process.pid, signal.SIGCONT)
    # Its jobs may say first that they no longer run; the lease's own check then stops them.
    wait_until(lambda: f"{LOST} (" in first.output(), timeout=10)
    assert "holds it): it stopped the timed jobs" in first.output()
    renewed_by(second, second.process.pid, 2)  # and it does not take the lease back
    assert first.output().count(HOLDS) == 1
