"""The scheduler's wiring and jobs, and the README's promise that CI runs its test command."""
from datetime import timedelta
from pathlib import Path

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import PasswordResetToken
from mobilizon_lite.scheduler import build_scheduler

from ..helpers import make_account

ROOT = Path(__file__).resolve().parents[2]


def test_scheduler_is_built_for_a_small_busy_machine(app):
    scheduler = build_scheduler(app)
    assert not scheduler.running  # create_app and build_scheduler never start it
    assert {job.id for job in scheduler.get_jobs()} == {"purge_expired_tokens", "purge_unconfirmed",
                                                        "purge_received", "purge_published",
                                                        "drain_deliveries", "retry_inbox"}
    assert app.extensions["scheduler"] is scheduler
    assert scheduler._job_defaults["misfire_grace_time"] >= 60
    assert scheduler._job_defaults["coalesce"] is True


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


def test_ci_runs_the_readme_test_command():
    command = (ROOT / ".ci/run").read_text().strip().splitlines()[-1]
    assert command.startswith("python3 -m venv .venv")
    readme = (ROOT / "README.md").read_text()
    assert command.replace(" -q", "") in readme.replace(" -q", "")
