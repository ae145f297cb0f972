"""The scheduler's wiring and jobs, and the README's promises: CI runs its test command, the
commands it shows exist."""
import logging
import re
import threading
from datetime import timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_EXECUTED

from mobilizon_lite import create_app
from mobilizon_lite.cli.commands import build_parser
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import PasswordResetToken
from mobilizon_lite.scheduler import build_scheduler

from ..helpers import make_account

ROOT = Path(__file__).resolve().parents[2]


def test_scheduler_is_built_for_a_small_busy_machine(app):
    scheduler = build_scheduler(app)
    assert not scheduler.running  # create_app and build_scheduler never start it
    assert {job.id for job in scheduler.get_jobs()} == {"purge_expired_tokens", "purge_unconfirmed",
                                                        "purge_throttles", "purge_rate_limits", "purge_submissions",
                                                        "purge_unconfirmed_reports",
                                                        "purge_received", "purge_published",
                                                        "drain_deliveries", "handle_inbox", "send_group_digests",
                                                        "send_mail_queue", "purge_mail", "send_due_reminders",
                                                        "sync_upcoming", "advance_series", "refresh_series",
                                                        "sync_due_subscriptions", "purge_held", "purge_held_pictures"}
    assert app.extensions["scheduler"] is scheduler
    assert scheduler._job_defaults["misfire_grace_time"] >= 60
    assert scheduler._job_defaults["coalesce"] is True
    for job in scheduler.get_jobs():  # names people read in the log, not function names
        assert " " in job.name and job.name[0].isupper(), job.name


def test_routine_runs_are_not_logged_at_info(tmp_path, app_config, caplog):
    app = create_app(dict(app_config, DELIVERY_INTERVAL=1), instance_path=str(tmp_path / "i"))
    scheduler = build_scheduler(app)
    drained = threading.Semaphore(0)
    scheduler.add_listener(lambda event: event.job_id == "drain_deliveries" and drained.release(),
                           EVENT_JOB_EXECUTED)
    caplog.set_level(logging.INFO)
    scheduler.start()
    try:
        for _ in range(2):
            assert drained.acquire(timeout=30)
    finally:
        scheduler.shutdown()
    assert not [r for r in caplog.records if r.name.startswith("apscheduler.executors") and r.levelno < logging.WARNING]
    assert any("Deliver queued activities" in r.getMessage() for r in caplog.records)  # "Added job …"


def test_purge_job_removes_only_dead_reset_tokens(app):
    account = make_account(app)
    with app.app_context():
        now = utcnow()
        PasswordResetToken.create(account=account, token_hash="a" * 64, expires_at=now - timedelta(minutes=1))
        PasswordResetToken.create(account=account, token_hash="b" * 64, expires_at=now + timedelta(hours=1),
                                  used_at=now)
        PasswordResetToken.create(account=account, token_hash="c" * 64, expires_at=now + timedelta(hours=1))
    build_scheduler(app).get_job("purge_expired_tokens").func()  # runs in its own app context
    with app.app_context():
        assert [t.token_hash[0] for t in PasswordResetToken.select()] == ["c"]


def test_ci_runs_the_readme_test_command_then_the_suite_on_postgresql():
    lines = (ROOT / ".ci/run").read_text().strip().splitlines()
    command = next(line for line in lines if line.startswith("python3 -m venv .venv"))
    readme = (ROOT / "README.md").read_text()
    assert command.replace(" -q", "") in readme.replace(" -q", "")
    after = "\n".join(lines[lines.index(command) + 1:])
    assert "MOBILIZON_LITE_TEST_DATABASE_URL=$(tests/postgres.sh start" in after
    assert ".venv/bin/python -m pytest" in after and "tests/postgres.sh stop" in after


def test_the_readme_commands_parse():
    blocks = re.findall(r"^```\w*\n(.*?)^```", (ROOT / "README.md").read_text(), re.MULTILINE | re.DOTALL)
    commands = re.findall(r"\.venv/bin/python run\.py\b([^#&\n]*)", "".join(blocks))
    assert len(commands) >= 10
    parser = build_parser()
    for command in commands:
        parser.parse_args(command.split())  # exits (fails the test) on an unknown command or option
