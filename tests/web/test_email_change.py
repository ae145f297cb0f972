"""Changing an account's email address: confirmed by a link to the new address, told to the old one,
refused for an address in use without telling the page who uses it; log-in limits follow the account."""
from datetime import timedelta

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Throttle
from mobilizon_lite.services import email_change
from mobilizon_lite.tokens import sign

from ..helpers import BASE_URL, PASSWORD, errors, log_in, make_account, submit


def link_in(message, marker):
    line = next(line for line in message.get_content().splitlines() if marker in line)
    return line.strip().replace(BASE_URL, "")


def ask(client, email, password=PASSWORD):
    return submit(client, "/settings/email", {"email": email, "current_password": password})


def email_of(app, account_id):
    with app.app_context():
        return Account.get_by_id(account_id).email


def test_the_address_changes_when_the_link_is_opened_and_the_old_one_is_told(mail_app, smtp):
    account = make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    response = ask(client, "  New.Ann@Example.ORG ")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/"
    assert "new.ann@example.org" in client.get("/settings/").get_data(as_text=True)
    [confirm] = smtp.wait_for(1)
    assert confirm["To"] == "new.ann@example.org"
    link = link_in(confirm, "/settings/email/confirm/")
    # Nothing changes before the link is opened, nor when it is only visited (mail scanners do).
    assert email_of(mail_app, account.id) == "ann@example.org"
    visitor = mail_app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "new.ann@example.org" in page.get_data(as_text=True)
    assert email_of(mail_app, account.id) == "ann@example.org"

    response = submit(visitor, link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert email_of(mail_app, account.id) == "new.ann@example.org"
    _confirm, told = smtp.wait_for(2)
    assert told["To"] == "ann@example.org"
    text = told.get_content()
    assert "n…@e….org" in text and "new.ann" not in text and "example.org" not in text
    assert f"{BASE_URL}/about" in text
    # The session that asked stays, and shows the new address.
    assert "new.ann@example.org" in client.get("/settings/").get_data(as_text=True)

    # The new address logs in; the old one no longer does.
    old = submit(mail_app.test_client(), "/login", {"email": "ann@example.org", "password": PASSWORD})
    assert old.status_code == 400 and "do not match" in " ".join(errors(old))
    log_in(mail_app.test_client(), "NEW.ann@example.org")
    # The link was for the old address: used once, it works no more.
    assert submit(visitor, link, {}, page="/login").status_code == 404
    assert visitor.get(link).status_code == 404


def test_an_address_in_use_gets_the_same_answer_and_its_owner_an_email(mail_app, smtp):
    account = make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    client = mail_app.test_client()
    log_in(client)
    free = ask(client, "free@example.org")
    taken = ask(client, "BOB@example.org")
    assert free.status_code == taken.status_code == 302
    assert "bob@example.org" in client.get("/settings/").get_data(as_text=True)
    first, second = smtp.wait_for(2)
    assert first["To"] == "free@example.org" and "/settings/email/confirm/" in first.get_content()
    assert second["To"] == "bob@example.org"
    assert "/settings/email/confirm/" not in second.get_content()
    assert "already uses it" in second.get_content()
    assert email_of(mail_app, account.id) == "ann@example.org"


def test_an_address_taken_before_the_link_is_opened_is_refused(mail_app, smtp):
    account = make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    ask(client, "later@example.org")
    link = link_in(smtp.wait_for(1)[0], "/settings/email/confirm/")
    make_account(mail_app, "Later@Example.org", "later")
    response = submit(mail_app.test_client(), link, {})
    assert response.status_code == 400
    assert "Another account now uses this address" in response.get_data(as_text=True)
    assert email_of(mail_app, account.id) == "ann@example.org"


def test_wrong_password_and_bad_addresses_are_refused_beside_their_field(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    for email, password, message in (
        ("new@example.org", "not my password at all", "This is not your current password."),
        ("not an address", PASSWORD, "This is not a valid email address."),
        ("ANN@example.org", PASSWORD, "This is already your address."),
        ("", PASSWORD, "Enter your email address."),
    ):
        response = ask(client, email, password)
        assert response.status_code == 400, email
        assert message in errors(response), email
    assert smtp.messages == []
    # CSRF: a post without the form's token changes nothing and sends nothing.
    forged = client.post("/settings/email", data={"email": "x@example.org", "current_password": PASSWORD})
    assert forged.status_code == 400 and smtp.messages == []
    assert mail_app.test_client().get("/settings/email").status_code == 302  # to the log-in page


def test_expired_forged_and_superseded_links_are_4xx_pages(mail_app, smtp):
    account = make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    with mail_app.test_request_context():
        long_ago = int((utcnow() - email_change.LINK_TTL - timedelta(minutes=1)).timestamp())
        expired = sign([account.id, "ann@example.org", "late@example.org", long_ago], email_change.PURPOSE)
        other_purpose = sign([account.id, "ann@example.org", "x@example.org", int(utcnow().timestamp())],
                             "signup-confirm")
    for token in (expired, other_purpose, "garbage", expired[:-2]):
        assert client.get(f"/settings/email/confirm/{token}").status_code == 404
        response = submit(client, f"/settings/email/confirm/{token}", {}, page="/settings/")
        assert response.status_code == 404
        assert "invalid, already used or expired" in response.get_data(as_text=True)
    # Two requests, then the second link used: the first now names an address the account no longer has.
    ask(client, "one@example.org")
    ask(client, "two@example.org")
    first, second = (link_in(message, "/settings/email/confirm/") for message in smtp.wait_for(2))
    assert submit(client, second, {}).status_code == 302
    assert submit(client, first, {}, page="/settings/").status_code == 404
    assert email_of(mail_app, account.id) == "two@example.org"


def test_log_in_limits_follow_the_account_to_its_new_address(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    guesser = mail_app.test_client()
    for _attempt in range(mail_app.config["THROTTLE_FREE_FAILURES"] + 1):
        submit(guesser, "/login", {"email": "ann@example.org", "password": "a wrong guess here"})
    ask(client, "moved@example.org")
    link = link_in(smtp.wait_for(1)[0], "/settings/email/confirm/")
    assert submit(client, link, {}).status_code == 302
    with mail_app.app_context():
        keys = {row.key: row.failures for row in Throttle.select()}
    assert "login:email:ann@example.org" not in keys
    assert keys["login:email:moved@example.org"] == mail_app.config["THROTTLE_FREE_FAILURES"] + 1


def test_change_requests_are_limited(mail_app, smtp):
    make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    answers = [ask(client, f"n{index}@example.org").status_code for index in range(12)]
    assert answers[0] == 302 and answers[-1] == 429


def test_each_email_is_in_its_readers_language(mail_app, smtp):
    account = make_account(mail_app)
    with mail_app.app_context():
        Account.update(locale="fr").where(Account.id == account.id).execute()
    client = mail_app.test_client()
    log_in(client)
    ask(client, "nouvelle@example.org")
    [confirm] = smtp.wait_for(1)
    assert "Confirmez votre nouvelle adresse e-mail" in confirm["Subject"]
    submit(client, link_in(confirm, "/settings/email/confirm/"), {})
    _confirm, told = smtp.wait_for(2)
    assert told["To"] == "ann@example.org" and "a été changée" in told["Subject"]
    assert "n…@e….org" in told.get_content()
