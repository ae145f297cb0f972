"""run.py users delete: the rules of /settings/delete (groups handed over first, events handed on or
deleted), from a real process."""
import pytest

from mobilizon_lite.models import Account, Actor, Event
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services.groups import new_member_row

from ..helpers import make_account, make_event, make_group, open_instance, run_cli


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


@pytest.fixture
def app(tmp_path, test_settings):
    """An instance made by run.py init, opened in the test as the command line opens it."""
    assert run_cli(tmp_path / "instance", "init").returncode == 0
    return open_instance(tmp_path / "instance", test_settings)


def test_the_command_line_deletes_by_the_same_rules(app, tmp_path):
    make_account(app, "eve@example.org", "eve")
    make_account(app, "bob@example.org", "bob")
    make_group(app, "club", "eve")
    make_event(app, "eve", title="Eve's party")
    refused = run_cli(tmp_path / "instance", "users", "delete", "eve@example.org", "--yes")
    assert refused.returncode == 1 and "Last administrator of @club" in refused.stdout
    assert actor(app, "eve").deleted_at is None
    bob = actor(app, "bob")
    with app.app_context():
        new_member_row(Actor.get(Actor.preferred_username == "club"), bob, Role.ADMINISTRATOR)
    done = run_cli(tmp_path / "instance", "users", "delete", "eve@example.org", "--yes", "--events-to", "club")
    assert done.returncode == 0, done.stderr
    assert "goes to the group @club" in done.stdout and "usernames stay taken" in done.stdout
    with app.app_context():
        event = Event.get(Event.title == "Eve's party")
        assert event.organizer_id == bob.id and event.attributed_to.preferred_username == "club"
        assert actor(app, "eve").deleted_at is not None
        assert not Account.select().where(Account.email == "eve@example.org").exists()
