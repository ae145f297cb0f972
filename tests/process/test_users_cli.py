"""run.py users: list, suspend, unsuspend, set-role and delete accounts from the command line, as
scripts run it; each action lands in the moderation log as the command line's."""
import pytest

from mobilizon_lite.models import Account, ModerationLog

from ..helpers import open_instance, run_cli


@pytest.fixture
def instance_path(tmp_path):
    """An instance with an administrator (boss) and a user (eve)."""
    path = tmp_path / "instance"
    for email, extra in (("boss@example.org", ["--admin"]), ("eve@example.org", [])):
        created = run_cli(path, "create-user", email, *extra, "--password-stdin", stdin="a long enough password\n")
        assert created.returncode == 0, created.stderr
    return path


def users(instance_path, *args, stdin=""):
    return run_cli(instance_path, "users", *args, stdin=stdin)


def log_lines(instance_path):
    app = open_instance(instance_path)
    with app.app_context():
        return [(line.moderator_id, line.action, line.target_label, line.reason)
                for line in ModerationLog.select().order_by(ModerationLog.id)]


def test_list_filters_by_role_state_and_search(instance_path):
    listing = users(instance_path, "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[-1] == "2 accounts."
    assert any(line.startswith("eve@example.org") and "user" in line and "active" in line and "@eve" in line
               and "never" in line for line in lines)
    admins = users(instance_path, "list", "--role", "admin").stdout
    assert "boss@example.org" in admins and "eve@example.org" not in admins and "1 account." in admins
    assert "0 accounts." in users(instance_path, "list", "--state", "suspended").stdout
    assert "eve@example.org" in users(instance_path, "list", "--search", "eve").stdout
    refused = users(instance_path, "list", "--state", "sleeping")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


def test_suspend_then_unsuspend(instance_path):
    done = users(instance_path, "suspend", "eve@example.org", "--reason", "spam")
    assert done.returncode == 0, done.stderr
    assert "Suspended eve@example.org" in done.stdout
    assert "eve@example.org" in users(instance_path, "list", "--state", "suspended").stdout
    again = users(instance_path, "suspend", "eve@example.org")
    assert again.returncode == 1 and "error: This account is already suspended." in again.stderr
    assert users(instance_path, "unsuspend", "eve@example.org").returncode == 0
    assert log_lines(instance_path) == [(None, "suspend", "eve@example.org", "spam"),
                                        (None, "unsuspend", "eve@example.org", "")]
    app = open_instance(instance_path)
    assert app.test_client().get("/@eve").status_code == 200


def test_set_role_and_the_last_administrator(instance_path):
    done = users(instance_path, "set-role", "eve@example.org", "moderator")
    assert done.returncode == 0 and "eve@example.org is now moderator." in done.stdout
    last = users(instance_path, "set-role", "boss@example.org", "user")
    assert last.returncode == 1 and "last administrator" in last.stderr
    assert users(instance_path, "set-role", "eve@example.org", "king").returncode == 2


def test_delete_asks_unless_yes(instance_path):
    kept = users(instance_path, "delete", "eve@example.org", stdin="n\n")
    assert kept.returncode == 1 and "Nothing deleted." in kept.stdout
    assert "2 accounts." in users(instance_path, "list").stdout
    done = users(instance_path, "delete", "eve@example.org", "--yes")
    assert done.returncode == 0 and "Deleted eve@example.org (@eve)" in done.stdout
    assert "1 account." in users(instance_path, "list").stdout
    unknown = users(instance_path, "delete", "eve@example.org", "--yes")
    assert unknown.returncode == 1 and "No account uses this email address." in unknown.stderr
    app = open_instance(instance_path)
    with app.app_context():
        assert not Account.select().where(Account.email == "eve@example.org").exists()
    assert log_lines(instance_path) == [(None, "delete", "@eve", "")]
