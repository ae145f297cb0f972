"""Sign-up: the happy path, registration modes, and every bad input refused with nothing written."""
from datetime import timedelta

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Actor
from mobilizon_lite.services import accounts, instance
from mobilizon_lite.tokens import sign

from ..helpers import BASE_URL, PASSWORD, errors, log_in, make_account, submit

GOOD = {
    "email": "Ann@Example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "username": "ann",
    "name": "Ann",
    "accept": "y",
}


def main_part(response):
    page = response.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def counts(app):
    with app.app_context():
        return Account.select().count(), Actor.select().count()


def link_in(message, marker):
    line = next(line for line in message.get_content().splitlines() if marker in line)
    return line.strip().replace(BASE_URL, "")


def test_signup_creates_the_account_once_its_address_is_confirmed(mail_app, smtp):
    client = mail_app.test_client()
    response = submit(client, "/signup", GOOD)
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    with mail_app.app_context():
        account = Account.get()
        assert account.email == "ann@example.org" and account.confirmed_at is None
        assert account.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert PASSWORD not in account.password_hash
        identity = Actor.get(Actor.account == account)
        assert identity.preferred_username == "ann"
        assert identity.ap_id == "http://events.test/@ann"
    assert "Log out" not in client.get("/").get_data(as_text=True)
    # Nobody logs in with an address nobody has confirmed.
    response = submit(client, "/login", {"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Confirm your email address first" in " ".join(errors(response))

    # Until then the identity is nobody: no profile, no WebFinger answer, nothing to follow.
    webfinger = "/.well-known/webfinger?resource=acct:ann@events.test"
    assert client.get("/@ann").status_code == 404 and client.get(webfinger).status_code == 404

    [message] = smtp.wait_for(1)
    assert message["To"] == "ann@example.org"
    link = link_in(message, "/signup/confirm/")
    assert client.get(link).status_code == 200  # a mail scanner's visit confirms nothing
    with mail_app.app_context():
        assert Account.get().confirmed_at is None
    response = submit(client, link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    log_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "@ann" in page and "Log out" in page
    assert client.get("/@ann").status_code == 200 and client.get(webfinger).status_code == 200


def test_signup_with_a_registered_address_looks_the_same_and_emails_its_owner(mail_app, smtp):
    make_account(mail_app, email="ann@example.org", username="ann")
    before = counts(mail_app)
    new = submit(mail_app.test_client(), "/signup", dict(GOOD, email="new@example.org", username="newcomer"))
    known = submit(mail_app.test_client(), "/signup", dict(GOOD, email="ANN@example.org", username="other"))
    assert new.status_code == known.status_code == 200
    # The page differs only by the address it repeats.
    assert (main_part(new).replace("new@example.org", "ADDRESS")
            == main_part(known).replace("ann@example.org", "ADDRESS"))
    messages = {m["To"]: m for m in smtp.wait_for(2)}
    assert set(messages) == {"new@example.org", "ann@example.org"}
    notice = messages["ann@example.org"].get_content()
    assert "which already has one" in notice and "/password/forgot" in notice and "/signup/confirm/" not in notice
    assert counts(mail_app) == (before[0] + 1, before[1] + 1)  # only the new address got an account
    # Asking again at once sends nothing more to the owner.
    submit(mail_app.test_client(), "/signup", dict(GOOD, email="ann@example.org", username="third"))
    assert submit(mail_app.test_client(), "/password/forgot", {"email": "new@example.org"}).status_code == 302
    assert [m["To"] for m in smtp.wait_for(3)][2] == "new@example.org"
    assert len(smtp.messages) == 3


def test_signing_up_again_before_confirming_resends_the_link(mail_app, smtp):
    submit(mail_app.test_client(), "/signup", GOOD)
    submit(mail_app.test_client(), "/signup", dict(GOOD, username="second_try"))
    first, again = smtp.wait_for(2)
    link = link_in(again, "/signup/confirm/")
    assert "/signup/confirm/" in first.get_content()
    assert submit(mail_app.test_client(), link, {}).status_code == 302
    log_in(mail_app.test_client())
    assert counts(mail_app) == (1, 1)


def test_logging_in_unconfirmed_is_refused_and_sends_the_link_again(mail_app, smtp):
    submit(mail_app.test_client(), "/signup", GOOD)
    smtp.wait_for(1)
    client = mail_app.test_client()
    refused = submit(client, "/login", {"email": "ann@example.org", "password": PASSWORD})
    assert refused.status_code == 400
    assert errors(refused) == ["Confirm your email address first: follow the link in the message we sent to it. "
                               "A new link is on its way (one every few minutes at most; look in the spam folder "
                               "too)."]
    again = smtp.wait_for(2)[1]
    assert again["To"] == "ann@example.org"
    # A wrong password sends nothing: only the address's owner may ask for the link.
    submit(client, "/login", {"email": "ann@example.org", "password": "not the password"})
    submit(client, "/login", {"email": "ann@example.org", "password": PASSWORD})
    assert len(smtp.messages) == 2  # and at most one link every few minutes
    assert submit(client, link_in(again, "/signup/confirm/"), {}).status_code == 302
    log_in(client)


def test_confirmation_links_expire_and_unconfirmed_sign_ups_are_forgotten(mail_app, smtp):
    submit(mail_app.test_client(), "/signup", GOOD)
    link = link_in(smtp.wait_for(1)[0], "/signup/confirm/")
    with mail_app.app_context():
        account = Account.get()
        issued = int((utcnow() - accounts.CONFIRMATION_TTL - timedelta(minutes=1)).timestamp())
        expired = sign([account.id, account.created_at.isoformat(), issued], accounts.CONFIRM_PURPOSE)
    assert submit(mail_app.test_client(), f"/signup/confirm/{expired}", {}, page="/login").status_code == 404
    forged = link[:-3] + "abc"
    assert submit(mail_app.test_client(), forged, {}, page="/login").status_code == 404
    with mail_app.app_context():
        assert Account.get().confirmed_at is None
        # Kept while its link works, forgotten once it is 48 hours old.
        Account.update(created_at=utcnow() - timedelta(hours=47)).execute()
        accounts.purge_expired_tokens()
        assert Account.select().count() == 1
        Account.update(created_at=utcnow() - timedelta(hours=48, minutes=1)).execute()
        # A suspended account stays, confirmed or not: its usernames remain taken.
        Account.update(suspended_at=utcnow()).execute()
        accounts.purge_expired_tokens()
        assert Account.select().count() == 1
        Account.update(suspended_at=None).execute()
        accounts.purge_expired_tokens()
    assert counts(mail_app) == (0, 0)
    # The link named that account's creation time: it never fits another one.
    assert submit(mail_app.test_client(), link, {}, page="/login").status_code == 404


def test_a_password_reset_confirms_the_address(mail_app, smtp):
    submit(mail_app.test_client(), "/signup", GOOD)
    smtp.wait_for(1)
    submit(mail_app.test_client(), "/password/forgot", {"email": "ann@example.org"})
    reset = link_in(smtp.wait_for(2)[1], "/password/reset/")
    submit(mail_app.test_client(), reset, {"password": "reset secret 42", "confirm": "reset secret 42"})
    log_in(mail_app.test_client(), password="reset secret 42")


@pytest.mark.parametrize("change, field_message", [
    ({"email": "not-an-email"}, "This is not a valid email address."),
    ({"email": "x" * 250 + "@example.org"}, "This email address is too long."),
    ({"password": "nine char", "confirm": "nine char"},
     "Use at least 10 characters: short passwords are guessed in minutes."),
    # One of the commonest passwords, whatever its case.
    ({"password": "BasketBall", "confirm": "BasketBall"},
     "This password is one of the commonest, which are the first ones anybody guessing tries. "
     "Choose another one, for instance a few unrelated words."),
    ({"password": "p" * 257, "confirm": "p" * 257}, "Use at most 256 characters."),
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


def test_duplicate_username_is_refused(app, client):
    make_account(app, email="ann@example.org", username="ann")
    before = counts(app)
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
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    second = app.test_client()
    response = submit(second, "/signup", dict(GOOD, email="bob@example.org", username="bob", invite=token),
                      page="/login")
    assert response.status_code == 403
    assert counts(app) == (1, 1)


def test_signup_shows_the_rules_and_terms_and_needs_them_accepted(app, client):
    with app.app_context():
        instance.set_setting("rules_html", "<p>Be kind.</p>")
    page = client.get("/signup").get_data(as_text=True)
    assert "<p>Be kind.</p>" in page
    assert 'href="/about#rules"' in page and 'href="/terms"' in page and 'name="accept"' in page
    unticked = dict(GOOD)
    del unticked["accept"]
    response = submit(client, "/signup", unticked)
    assert response.status_code == 400
    assert "Accept the rules and the terms of service to sign up." in errors(response)
    assert counts(app) == (0, 0)
    assert submit(client, "/signup", GOOD).status_code == 200
    assert counts(app) == (1, 1)
