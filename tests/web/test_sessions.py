"""Log-in, log-out, cookies, safe redirects, password change and reset by email."""
from datetime import timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import PasswordResetToken

from ..helpers import BASE_URL, PASSWORD, errors, log_in, make_account, submit


def test_login_and_logout(app, client):
    make_account(app)
    log_in(client)
    assert "Log out" in client.get("/").get_data(as_text=True)
    response = submit(client, "/logout", {}, page="/")
    assert response.status_code == 302
    assert client.get("/identities/").status_code == 302


def test_logout_ends_the_copied_session_cookie_and_the_remember_me_cookie(app, client):
    make_account(app)
    log_in(client, remember="y")
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    submit(client, "/logout", {}, page="/")
    with_session, with_remember = app.test_client(), app.test_client()
    with_session.set_cookie("session", session_cookie)
    with_remember.set_cookie("remember_token", remember_cookie)
    assert with_session.get("/settings/").status_code == 302
    assert with_remember.get("/settings/").status_code == 302
    log_in(app.test_client())


def test_wrong_password_and_unknown_email_give_the_same_answer(app, client):
    make_account(app)
    wrong = submit(client, "/login", {"email": "ann@example.org", "password": "wrong password"})
    unknown = submit(client, "/login", {"email": "nobody@example.org", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 400
    assert errors(wrong) == errors(unknown) == ["This email and password do not match an account."]


def test_session_cookie_flags(app, client):
    make_account(app)
    response = log_in(client, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember


def test_cookies_are_secure_behind_https(tmp_path, app_config):
    app = create_app(dict(app_config, BASE_URL="https://events.example"),
                     instance_path=str(tmp_path / "instance"))
    make_account(app)
    response = log_in(app.test_client())
    session = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in session


@pytest.mark.parametrize("target, expected", [
    ("/identities/", "/identities/"),
    ("/settings/?tab=1", "/settings/?tab=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_to_local_paths(app, client, target, expected):
    make_account(app)
    response = submit(client, "/login", {"email": "ann@example.org", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_required_pages_send_visitors_to_login(client):
    for url in ("/identities/", "/identities/new", "/settings/", "/settings/password", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")


def test_change_password_ends_other_sessions(app):
    make_account(app)
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, remember="y")
    log_in(laptop)
    response = submit(laptop, "/settings/password", {
        "current_password": PASSWORD, "password": "a brand new secret", "confirm": "a brand new secret",
    })
    assert response.status_code == 302
    assert laptop.get("/settings/").status_code == 200
    # The other session, remember-me cookie included, is logged out.
    assert phone.get("/settings/").status_code == 302
    log_in(app.test_client(), password="a brand new secret")


def test_change_password_checks_the_current_one(app, client):
    make_account(app)
    log_in(client)
    response = submit(client, "/settings/password", {
        "current_password": "wrong one!", "password": "a brand new secret", "confirm": "a brand new secret",
    })
    assert response.status_code == 400
    assert "This is not your current password." in errors(response)
    log_in(app.test_client())


def reset_link(message):
    body = message.get_content()
    line = next(line for line in body.splitlines() if "/password/reset/" in line)
    return line.strip().replace(BASE_URL, "")


def test_password_reset_by_email_through_smtp(mail_app, smtp):
    make_account(mail_app)
    other_session = mail_app.test_client()
    log_in(other_session)
    client = mail_app.test_client()
    response = submit(client, "/password/forgot", {"email": "ann@example.org"})
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert "new password" in message["Subject"]
    path = reset_link(message)

    assert client.get(path).status_code == 200
    response = submit(client, path, {"password": "reset secret 42", "confirm": "reset secret 42"})
    assert response.status_code == 302
    # The link does not log in: whoever holds it must still know the new password.
    assert response.headers["Location"] == "/login"
    assert client.get("/settings/").status_code == 302
    # Single use, every session ended, new password works.
    assert client.get(path).status_code == 404
    assert other_session.get("/settings/").status_code == 302
    log_in(mail_app.test_client(), password="reset secret 42")


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    unknown = submit(client, "/password/forgot", {"email": "nobody@example.org"}, follow_redirects=True)
    known = submit(client, "/password/forgot", {"email": "ann@example.org"}, follow_redirects=True)
    smtp.wait_for(1)
    assert len(smtp.messages) == 1
    flash = "If an account uses this address"
    assert flash in unknown.get_data(as_text=True) and flash in known.get_data(as_text=True)


def emailed_reset_link(client, smtp, nth=1):
    """Ask for a password reset for ann and return the link of the nth email sent so far."""
    submit(client, "/password/forgot", {"email": "ann@example.org"})
    return reset_link(smtp.wait_for(nth)[nth - 1])


def test_a_new_reset_link_expires_the_older_ones(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    older = emailed_reset_link(client, smtp)
    with mail_app.app_context():
        # Past the few minutes in which a repeated request sends nothing.
        PasswordResetToken.update(created_at=utcnow() - timedelta(minutes=10)).execute()
    newer = emailed_reset_link(client, smtp, 2)
    assert newer != older
    assert client.get(older).status_code == 404
    response = submit(client, older, {"password": "x" * 10, "confirm": "x" * 10}, page="/login")
    assert response.status_code == 404
    assert client.get(newer).status_code == 200
    log_in(mail_app.test_client())


def test_expired_reset_token_is_refused(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    path = emailed_reset_link(client, smtp)
    with mail_app.app_context():
        PasswordResetToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    response = client.get(path)
    assert response.status_code == 404
    assert "invalid, already used or expired" in response.get_data(as_text=True)
    response = submit(client, path, {"password": "x" * 10, "confirm": "x" * 10}, page="/login")
    assert response.status_code == 404
    log_in(mail_app.test_client())


def test_unknown_reset_token_is_refused(client):
    assert client.get("/password/reset/not-a-token").status_code == 404


@pytest.mark.parametrize("new, message", [
    ("qwertyuiop", "This password is one of the commonest"),
    ("Password12", "This password is one of the commonest"),
    ("too short", "Use at least 10 characters: short passwords are guessed in minutes."),
])
def test_a_new_password_follows_the_same_rules_when_changed_or_reset(mail_app, smtp, new, message):
    make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    changed = submit(client, "/settings/password", {"current_password": PASSWORD, "password": new, "confirm": new})
    assert changed.status_code == 400 and errors(changed)[0].startswith(message)
    path = emailed_reset_link(mail_app.test_client(), smtp)
    reset = submit(mail_app.test_client(), path, {"password": new, "confirm": new})
    assert reset.status_code == 400 and errors(reset)[0].startswith(message)
    log_in(mail_app.test_client())  # the password is unchanged
