"""Failed log-ins, reset requests and anonymous requests make the next attempts wait, per email
address and per client address; time is moved by writing the stored throttle rows."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Throttle
from mobilizon_lite.services import throttles

from ..helpers import PASSWORD, errors, log_in, make_account, make_event, submit

ANN = "login:email:ann@example.org"


def attempt(client, password, email="ann@example.org", address="127.0.0.1", **kwargs):
    return submit(client, "/login", {"email": email, "password": password},
                  environ_base={"REMOTE_ADDR": address}, **kwargs)


def rows(app):
    """Each throttle key and its (failures, wait in seconds)."""
    with app.app_context():
        return {row.key: (row.failures, round((row.blocked_until - row.last_failure_at).total_seconds()))
                for row in Throttle.select()}


def move_on(app, seconds=None):
    """As if the waits had passed (or seconds of them had)."""
    with app.app_context():
        for row in Throttle.select():
            shift = (row.blocked_until - utcnow()).total_seconds() + 1 if seconds is None else seconds
            Throttle.update(blocked_until=row.blocked_until - timedelta(seconds=shift),
                            last_failure_at=row.last_failure_at - timedelta(seconds=shift)
                            ).where(Throttle.id == row.id).execute()


def test_fifty_wrong_passwords_make_the_wait_grow_and_refuse_even_the_right_one(app):
    make_account(app)
    client = app.test_client()
    waits = []
    for _ in range(50):
        move_on(app)  # each wrong password is tried once the previous wait is over, so every one counts
        response = attempt(client, "not the password")
        assert response.status_code == 400
        assert errors(response) == ["This email and password do not match an account."]
        waits.append(rows(app)[ANN][1])
    assert rows(app)[ANN][0] == 50
    # Three free failures, then 1 s doubling at each failure, up to five minutes and no longer.
    assert waits[:12] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert waits[12:] == [300] * 38

    # During the wait, the right password is refused too, with when to try again, and nothing is counted.
    refused = attempt(client, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) in range(290, 301)
    assert errors(refused) == ["Too many failed log-ins for this email address or from your network. For safety, "
                               "even the right password is refused for now. Try again in 5 minutes."]
    assert "Log out" not in client.get("/").get_data(as_text=True)
    move_on(app, 240)
    assert errors(attempt(client, PASSWORD))[0].endswith("Try again in 1 minute.")
    assert rows(app)[ANN][0] == 50

    # Once it is over, the right password logs in and the account's count starts again.
    move_on(app)
    assert attempt(client, PASSWORD).status_code == 302
    assert ANN not in rows(app)
    assert "login:address:127.0.0.1" in rows(app)  # one known password does not clear its address


def test_wrong_passwords_sent_at_once_all_count_and_only_the_free_ones_are_checked(app):
    make_account(app)
    clients = [app.test_client() for _ in range(12)]
    for client in clients:
        client.get("/login")  # each its own session and CSRF token, before they all post at once
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = sorted(pool.map(lambda client: attempt(client, "wrong password").status_code, clients))
    # The three free failures and the one that starts the wait are checked; the others wait.
    assert statuses == [400] * 4 + [429] * 8
    assert rows(app)[ANN] == (4, 1)
    move_on(app)
    assert attempt(clients[0], PASSWORD).status_code == 302
    assert ANN not in rows(app) and rows(app)["login:address:127.0.0.1"][0] == 4  # the success not counted


def test_a_failure_after_a_quiet_day_counts_from_one_and_old_counts_are_purged(app):
    make_account(app)
    client = app.test_client()
    for _ in range(6):
        move_on(app)
        attempt(client, "not the password")
    assert rows(app)[ANN] == (6, 4)
    move_on(app, 25 * 3600)
    with app.app_context():
        assert throttles.purge_throttles() == 2  # the email's and the address's
    attempt(client, "not the password")
    assert rows(app)[ANN] == (1, 0)


def test_one_address_trying_many_accounts_waits_and_others_do_not(app):
    make_account(app)
    client = app.test_client()
    for number in range(11):
        move_on(app)
        attempt(client, "not the password", email=f"guess{number}@example.org", address="192.0.2.66")
    # Each email was tried once, but ten failures are all an address gets free.
    assert rows(app)["login:address:192.0.2.66"] == (11, 1)
    assert attempt(client, PASSWORD, address="192.0.2.66").status_code == 429
    # Someone else, elsewhere, is not kept out.
    assert attempt(app.test_client(), PASSWORD, address="198.51.100.7").status_code == 302


def test_the_client_address_is_the_proxys_entry_only_when_proxies_are_declared(tmp_path, app_config, new_database):
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.20"}
    direct = create_app(app_config, instance_path=str(tmp_path / "direct"))
    attempt(direct.test_client(), "not the password", headers=forwarded)
    assert "login:address:127.0.0.1" in rows(direct)  # a header the client wrote itself is not believed

    proxied = create_app(dict(app_config, PROXY_COUNT=1, DATABASE=str(tmp_path / "proxied.sqlite3"), **new_database()),
                         instance_path=str(tmp_path / "proxied"))
    attempt(proxied.test_client(), "not the password", headers=forwarded)
    # One proxy: the address it saw is the entry it added, the last one.
    assert set(rows(proxied)) == {ANN, "login:address:198.51.100.20"}


def test_password_reset_requests_wait_after_a_few(app):
    make_account(app)
    client = app.test_client()
    answers = [submit(client, "/password/forgot", {"email": "ann@example.org"}).status_code for _ in range(8)]
    # Every request counts: three free, then waits of 1 s, 2 s, 4 s … of which the next one is refused.
    first_refused = answers.index(429)
    assert 4 <= first_refused <= 6 and set(answers[:first_refused]) == {302}
    refused = submit(client, "/password/forgot", {"email": "ann@example.org"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert errors(refused)[0].startswith("Too many requests for this email address or from your network. Try again in")
    move_on(app)
    assert submit(client, "/password/forgot", {"email": "ann@example.org"}).status_code == 302


@pytest.fixture
def open_event(app):
    make_account(app)
    return make_event(app, anonymous_participation=True)


def test_anonymous_participation_requests_wait_after_a_few_per_address(app, open_event):
    page = f"/events/{open_event.uuid}"
    client = app.test_client()
    answers = [submit(client, f"{page}/anonymous", {"email": f"visitor{number}@example.org", "message": ""},
                      page=page).status_code for number in range(14)]
    # A new email each time, so only the address counts: ten free, then the waits begin.
    first_refused = answers.index(429)
    assert 11 <= first_refused <= 13 and set(answers[:first_refused]) == {200}
    late = {"email": "late@example.org", "message": ""}
    refused = submit(client, f"{page}/anonymous", late, page=page)
    assert refused.status_code == 429 and "Too many requests" in refused.get_data(as_text=True)
    move_on(app)
    assert submit(client, f"{page}/anonymous", late, page=page).status_code == 200


def test_one_account_kept_waiting_keeps_no_one_else_at_its_address_out(app):
    make_account(app)
    make_account(app, email="bob@example.org", username="bob")
    for _ in range(5):
        attempt(app.test_client(), "not the password")
    assert attempt(app.test_client(), PASSWORD).status_code == 429
    log_in(app.test_client(), email="bob@example.org")
