"""KickedJob: one run at a time; a kick or a second start during a run makes that run look again."""
import threading

import pytest

from mobilizon_lite.job_runs import KickedJob


def test_a_second_start_during_a_run_makes_the_run_look_again(app):
    job = KickedJob("test_job")
    looks, second = [], []

    def step(_deadline):
        looks.append(1)
        if len(looks) == 1:
            # Another run starts while this one works: it gives way, and this run looks again.
            thread = threading.Thread(target=lambda: second.append(in_context(lambda: job.run(step, 5))))
            thread.start()
            thread.join()
        return 1, False

    def in_context(call):
        with app.app_context():
            return call()

    with app.app_context():
        assert job.run(step, 5) == 2
        assert second == [0] and len(looks) == 2
        assert job.flags()["running"] is False


def test_a_run_stops_when_its_step_has_no_more_and_goes_on_while_it_has(app):
    job = KickedJob("test_job")
    batches = [3, 3, 1]

    def step(_deadline):
        done = batches.pop(0)
        return done, done == 3

    with app.app_context():
        assert job.run(step, 5) == 7
        assert batches == []


def test_a_kick_without_a_running_scheduler_does_nothing(app):
    with app.app_context():
        job = KickedJob("test_job")
        job.kick()  # no scheduler (a test, an admin command): nothing to wake, nothing recorded
        assert job.flags()["arrived"] == float("-inf")


def test_a_failing_step_leaves_the_job_free_for_the_next_run(app):
    job = KickedJob("test_job")

    def failing(_deadline):
        raise RuntimeError("disk full")

    with app.app_context():
        with pytest.raises(RuntimeError):
            job.run(failing, 5)
        assert job.run(lambda _deadline: (1, False), 5) == 1
