"""Sign-up: the happy path, registration modes, and every bad input refused with nothing written."""
import pytest

from mobilizon_lite.models import Account, Actor
from mobilizon_lite.services import instance

from ..helpers import PASSWORD, errors, make_account, submit

GOOD = {
    "email": "Ann@Example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "username": "ann",
    "name": "Ann",
}


def counts(app):
    with app.app_context():
        return Account.select().count(), Actor.select().count()


def test_signup_creates_account_identity_and_logs_in(app, client):
    response = submit(client, "/signup", GOOD)
    assert response.status_code == 302
    with app.app_context():
        account = Account.get()
        assert account.email == "ann@example.org"
        assert account.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert PASSWORD not in account.password_hash
        identity = Actor.get(Actor.account == account)
        assert identity.preferred_username == "ann"
        assert identity.ap_id == "http://events.test/@ann"
    page = client.get("/").get_data(as_text=True)
    assert "@ann" in page and "Log out" in page


@pytest.mark.parametrize("change, field_message", [
    ({"email": "not-an-email"}, "This is not a valid email address."),
    ({"email": "x" * 250 + "@example.org"}, "This email address is too long."),
    ({"password": "short", "confirm": "short"}, "Use between 8 and 256 characters."),
    ({"confirm": "something else"}, "The two passwords differ."),
    ({"username": "Ann"}, "Use 1 to 30 lowercase letters, digits or underscores (_)."),
    ({"username": "ann smith"}, "Use 1 to 30 lowercase letters, digits or underscores (_)."),
    ({"username": "a" * 31}, "Use 1 to 30 lowercase letters, digits or underscores (_)."),
    ({"username": ""}, "Choose a username."),
    ({"username": "admin"}, "This username is reserved."),
    ({"name": "n" * 101}, "At most 100 characters."),
])
def test_bad_signup_input_is_refused_beside_its_field(app, client, change, field_message):
    response = submit(client, "/signup", dict(GOOD, **change))
    assert response.status_code == 400
    assert field_message in errors(response)
    assert counts(app) == (0, 0)
    # What the person typed is kept (except passwords).
    if "email" in change and len(change["email"]) < 100:
        assert change["email"] in response.get_data(as_text=True)


def test_duplicate_email_and_username_are_refused(app, client):
    make_account(app, email="ann@example.org", username="ann")
    before = counts(app)
    response = submit(client, "/signup", dict(GOOD, email="ANN@example.org", username="other"))
    assert response.status_code == 400
    assert "An account already uses this email address." in errors(response)
    response = submit(client, "/signup", dict(GOOD, email="new@example.org", username="ann"))
    assert response.status_code == 400
    assert "This username is already taken." in errors(response)
    assert counts(app) == before


def test_missing_csrf_token_is_refused(app, client):
    response = client.post("/signup", data=GOOD)
    assert response.status_code == 400
    assert "This form has expired or did not come from this site" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_closed_registrations_refuse_signup(app, client):
    with app.app_context():
        instance.set_registrations_mode("closed")
    assert client.get("/signup").status_code == 403
    response = submit(client, "/signup", GOOD, page="/login")
    assert response.status_code == 403
    assert counts(app) == (0, 0)


def test_invite_registrations_need_a_single_use_invite(app, client):
    with app.app_context():
        instance.set_registrations_mode("invite")
        link = instance.create_invite()
    assert client.get("/signup").status_code == 403
    path = link.replace("http://events.test", "")
    token = path.split("invite=")[1]
    assert client.get(path).status_code == 200
    response = submit(client, "/signup", dict(GOOD, invite=token), page=path)
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": ""})
    second = app.test_client()
    response = submit(second, "/signup", dict(GOOD, email="bob@example.org", username="bob", invite=token),
                      page="/login")
    assert response.status_code == 403
    assert counts(app) == (1, 1)
