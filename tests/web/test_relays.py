"""/admin/relays: administrators only; addresses that name no instance refused with a message and nothing
written; the approval setting, the instance actor's collections and the log lines it writes."""
import pytest

from mobilizon_lite.models import Follow, ModerationLog
from mobilizon_lite.models.accounts import Account
from mobilizon_lite.services.actors import instance_actor

from ..helpers import errors, log_in, make_account, submit

PAGE = "/admin/relays/"
AP = {"Accept": "application/activity+json"}


def test_only_administrators_reach_the_page(app, admin):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "mod@example.org", "modo")
    with app.app_context():
        Account.update(role="moderator").where(Account.email == "mod@example.org").execute()
    for email in ("ann@example.org", "mod@example.org"):
        client = app.test_client()
        log_in(client, email)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE + "approval").status_code in (400, 403)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "This instance follows no other instance." in page and "No instance follows this one." in page
    assert 'href="/admin/relays/"' in admin.get("/admin/log").get_data(as_text=True)


@pytest.mark.parametrize("address, status, message", [
    ("", 400, "Enter the domain of an instance."),
    ("not a domain", 400, "Enter the domain of an instance, such as"),
    ("ftp://files.example.org", 400, "Enter the domain of an instance, such as"),
    ("events.test", 400, "This is the address of this instance."),
    ("http://events.test/relay", 400, "This is the address of this instance."),
    ("x" * 3000, 400, "Field cannot be longer than 2048 characters."),
    # Not a server this instance may reach (a private address): nobody there.
    ("localhost", 404, "Nobody could be found at relay@localhost."),
])
def test_an_address_that_names_no_instance_is_refused(app, admin, address, status, message):
    response = submit(admin, PAGE + "follow", {"address": address}, page=PAGE)
    assert response.status_code == status and any(message in shown for shown in errors(response)), errors(response)
    with app.app_context():
        assert Follow.select().count() == 0 and ModerationLog.select().count() == 0


def test_approval_is_the_default_and_a_setting(app, admin):
    assert admin.get("/relay", headers=AP).get_json()["manuallyApprovesFollowers"] is True
    response = submit(admin, PAGE + "approval", {}, page=PAGE)
    assert response.status_code == 302
    assert admin.get("/relay", headers=AP).get_json()["manuallyApprovesFollowers"] is False
    with app.app_context():
        assert instance_actor().manually_approves_followers is False
        line = ModerationLog.get()
        assert (line.action, line.target_label, line.moderator.email) == (
            "instance_follow_approval", "automatic", "root@example.org")
    submit(admin, PAGE + "approval", {"manual": "y"}, page=PAGE)
    assert admin.get("/relay", headers=AP).get_json()["manuallyApprovesFollowers"] is True


def test_the_instance_actor_has_its_collections(admin):
    document = admin.get("/relay", headers=AP).get_json()
    for name in ("followers", "following"):
        assert document[name] == f"http://events.test/relay/{name}"
        assert admin.get(f"/relay/{name}", headers=AP).get_json()["totalItems"] == 0


def test_unknown_requests_and_followings_are_not_found(admin):
    assert admin.post(PAGE + "following/12345/unfollow", data={}).status_code in (400, 404)
    assert submit(admin, PAGE + "followers/12345/accept", {}, page=PAGE).status_code == 404
    assert submit(admin, PAGE + "following/12345/unfollow", {}, page=PAGE).status_code == 404
    assert submit(admin, PAGE + "followers/12345/maybe", {}, page=PAGE).status_code == 400
