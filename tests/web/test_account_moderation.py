"""/admin/users and the account actions: who may do what to whom, the log line each writes, and what a
suspension does to log-in, sessions, identity pages and the event listings."""
import pytest

from mobilizon_lite.models import Account, Actor, Event, ModerationLog
from mobilizon_lite.services import account_moderation
from mobilizon_lite.services.errors import PermissionDenied

from ..helpers import PASSWORD, csrf_token, errors, log_in, make_account, make_event, submit

AS_JSON = {"Accept": "application/activity+json"}


@pytest.fixture
def staff(app):
    """Clients logged in as a user (ann), a moderator (mod) and an administrator (root); eve, a user
    logged in too, organises an event."""
    make_account(app, "ann@example.org", "ann")
    make_account(app, "mod@example.org", "modo")
    make_account(app, "root@example.org", "boss", admin=True)
    make_account(app, "eve@example.org", "eve")
    make_event(app, "eve", title="Spam party")
    with app.app_context():
        Account.update(role="moderator").where(Account.email == "mod@example.org").execute()
    clients = {}
    for name, email in (("user", "ann@example.org"), ("moderator", "mod@example.org"),
                        ("admin", "root@example.org"), ("eve", "eve@example.org")):
        clients[name] = app.test_client()
        log_in(clients[name], email)
    return clients


def account_id(app, email):
    with app.app_context():
        return Account.get(Account.email == email).id


def last_line(app):
    with app.app_context():
        line = ModerationLog.select().order_by(ModerationLog.id.desc()).first()
        return line and (line.moderator.email if line.moderator else None, line.action, line.target_type,
                         line.target_label, line.reason)


def act(client, app, email, action, **data):
    return submit(client, f"/admin/users/{account_id(app, email)}/{action}", data)


def test_the_list_shows_each_account_and_finds_by_email_username_role_and_state(app, staff):
    page = staff["moderator"].get("/admin/users/").get_data(as_text=True)
    for text in ("ann@example.org", "root@example.org", "@eve", "Administrator", "Moderator", "Active"):
        assert text in page
    # mod logged in just now; nobody else since the fixture
    with app.app_context():
        assert Account.get(Account.email == "mod@example.org").last_login_at is not None
    found = staff["moderator"].get("/admin/users/?q=eve").get_data(as_text=True)
    assert "eve@example.org" in found and "ann@example.org" not in found
    by_name = staff["moderator"].get("/admin/users/?q=boss").get_data(as_text=True)
    assert "root@example.org" in by_name and "eve@example.org" not in by_name
    admins = staff["moderator"].get("/admin/users/?role=admin").get_data(as_text=True)
    assert "root@example.org" in admins and "ann@example.org" not in admins
    with app.app_context():
        Account.update(confirmed_at=None).where(Account.email == "ann@example.org").execute()
    unconfirmed = staff["moderator"].get("/admin/users/?state=unconfirmed").get_data(as_text=True)
    assert "ann@example.org" in unconfirmed and "eve@example.org" not in unconfirmed


def test_the_list_is_paged(app, staff):
    for number in range(account_moderation.ACCOUNTS_PER_PAGE):
        make_account(app, f"p{number}@example.org", f"p{number}")
    first = staff["moderator"].get("/admin/users/").get_data(as_text=True)
    assert "page=2" in first and "ann@example.org" not in first
    assert "ann@example.org" in staff["moderator"].get("/admin/users/?page=2").get_data(as_text=True)


@pytest.mark.parametrize("action", ["suspend", "unsuspend", "delete", "confirm", "role"])
def test_a_user_reaches_no_account_page_nor_action(app, staff, action):
    target = account_id(app, "eve@example.org")
    assert staff["user"].get("/admin/users/").status_code == 403
    assert staff["user"].get(f"/admin/users/{target}").status_code == 403
    token = csrf_token(staff["user"], "/settings/")
    assert staff["user"].post(f"/admin/users/{target}/{action}",
                              data={"reason": "x", "role": "admin", "csrf_token": token}).status_code == 403
    assert app.test_client().get("/admin/users/").status_code == 302  # to the log-in page
    assert last_line(app) is None


@pytest.mark.parametrize("action", ["suspend", "delete", "role"])
def test_a_moderator_cannot_act_on_an_administrator(app, staff, action):
    response = act(staff["moderator"], app, "root@example.org", action, reason="coup", role="user")
    assert response.status_code == 403
    assert last_line(app) is None


def test_nobody_acts_on_their_own_account(app, staff):
    assert act(staff["moderator"], app, "mod@example.org", "suspend", reason="tired").status_code == 403
    assert act(staff["admin"], app, "root@example.org", "role", role="user").status_code == 403
    assert last_line(app) is None


def test_only_administrators_change_roles(app, staff):
    assert act(staff["moderator"], app, "eve@example.org", "role", role="moderator").status_code == 403
    response = act(staff["admin"], app, "eve@example.org", "role", role="moderator")
    assert response.status_code == 302
    with app.app_context():
        assert Account.get(Account.email == "eve@example.org").role == "moderator"
    assert last_line(app) == ("root@example.org", "set_role", "account", "eve@example.org", "user → moderator")


def test_the_last_administrator_is_neither_demoted_nor_deleted(app, staff):
    with app.app_context():
        root = Account.get(Account.email == "root@example.org")
        for attempt in (lambda: account_moderation.set_role(root, "user", None),
                        lambda: account_moderation.delete_account(root, None),
                        lambda: account_moderation.suspend(root, None)):
            with pytest.raises(PermissionDenied, match="last administrator"):
                attempt()
    # With a second administrator, one may demote the other.
    act(staff["admin"], app, "eve@example.org", "role", role="admin")
    assert act(staff["eve"], app, "root@example.org", "role", role="user").status_code == 302
    with app.app_context():
        assert Account.get(Account.email == "root@example.org").role == "user"


def test_suspension_ends_sessions_refuses_log_in_and_takes_pages_and_events_away(app, staff):
    visitor = app.test_client()
    with app.app_context():
        event = Event.get(Event.title == "Spam party")
    assert "Spam party" in visitor.get("/").get_data(as_text=True)
    assert "Spam party" in visitor.get("/search?q=spam").get_data(as_text=True)
    assert b"Spam party" in visitor.get("/feed/instance/ics").data
    page = staff["moderator"].get(f"/admin/users/{account_id(app, 'eve@example.org')}/suspend")
    assert "Reason (kept in the moderation log)" in page.get_data(as_text=True)
    response = act(staff["moderator"], app, "eve@example.org", "suspend", reason="spam, every day")
    assert response.status_code == 302
    assert last_line(app) == ("mod@example.org", "suspend", "account", "eve@example.org", "spam, every day")
    # Her open session is over, and she cannot log in again.
    assert staff["eve"].get("/settings/").status_code == 302
    refused = submit(app.test_client(), "/login", {"email": "eve@example.org", "password": PASSWORD})
    assert refused.status_code == 400 and any("suspended" in error for error in errors(refused))
    # Her identity is gone, as a page and as an actor; her event leaves every list.
    assert visitor.get("/@eve").status_code == 410
    document = visitor.get("/@eve", headers=AS_JSON)
    assert document.status_code == 410 and document.get_json()["type"] == "Tombstone"
    assert "Spam party" not in visitor.get("/").get_data(as_text=True)
    assert "Spam party" not in visitor.get("/search?q=spam").get_data(as_text=True)
    assert b"Spam party" not in visitor.get("/feed/instance/ics").data
    assert visitor.get(f"/events/{event.uuid}").status_code == 410
    assert visitor.get("/.well-known/webfinger?resource=acct:eve@localhost").status_code == 404

    assert act(staff["moderator"], app, "eve@example.org", "unsuspend", reason="appeal").status_code == 302
    assert last_line(app) == ("mod@example.org", "unsuspend", "account", "eve@example.org", "appeal")
    log_in(app.test_client(), "eve@example.org")
    assert visitor.get("/@eve").status_code == 200
    assert "Spam party" in visitor.get("/").get_data(as_text=True)


def test_a_second_suspension_is_refused_on_the_page(app, staff):
    act(staff["moderator"], app, "eve@example.org", "suspend", reason="spam")
    again = act(staff["moderator"], app, "eve@example.org", "suspend", reason="spam")
    assert again.status_code == 400 and "This account is already suspended." in errors(again)


def test_deletion_deletes_events_and_identities_and_forgets_the_address(app, staff):
    with app.app_context():
        uuid = Event.get(Event.title == "Spam party").uuid
    assert act(staff["admin"], app, "eve@example.org", "delete", reason="gone").status_code == 302
    assert last_line(app) == ("root@example.org", "delete", "account", "@eve", "gone")
    visitor = app.test_client()
    assert visitor.get("/@eve").status_code == 410
    assert visitor.get(f"/events/{uuid}").status_code == 404
    refused = submit(visitor, "/login", {"email": "eve@example.org", "password": PASSWORD})
    assert refused.status_code == 400
    assert staff["eve"].get("/settings/").status_code == 302
    assert "eve@example.org" not in staff["admin"].get("/admin/users/").get_data(as_text=True)
    with app.app_context():
        assert not Account.select().where(Account.email == "eve@example.org").exists()
        assert Actor.get(Actor.preferred_username == "eve").deleted_at is not None  # the name stays taken


def test_an_address_is_confirmed_by_hand(app, staff):
    make_account(app, "new@example.org", "newbie")
    with app.app_context():
        Account.update(confirmed_at=None).where(Account.email == "new@example.org").execute()
    client = app.test_client()
    assert submit(client, "/login", {"email": "new@example.org", "password": PASSWORD}).status_code == 400
    assert act(staff["moderator"], app, "new@example.org", "confirm").status_code == 302
    assert last_line(app) == ("mod@example.org", "confirm_email", "account", "new@example.org", "")
    log_in(client, "new@example.org")


def test_a_too_long_reason_is_refused_on_the_page(app, staff):
    response = act(staff["moderator"], app, "eve@example.org", "suspend", reason="x" * 2001)
    assert response.status_code == 400 and "The reason is too long." in errors(response)
    assert last_line(app) is None


def test_the_account_page_offers_what_the_viewer_may_do(app, staff):
    eve = staff["moderator"].get(f"/admin/users/{account_id(app, 'eve@example.org')}").get_data(as_text=True)
    assert "Suspend" in eve and "Delete the account" in eve and "Change the role" not in eve
    root = staff["moderator"].get(f"/admin/users/{account_id(app, 'root@example.org')}").get_data(as_text=True)
    assert "Suspend" not in root
    assert staff["moderator"].get("/admin/users/999999").status_code == 404
