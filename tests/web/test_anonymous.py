"""Joining a public event without an account: email confirmation, cancel link, privacy."""
from datetime import timedelta

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Event, Participation

from ..helpers import BASE_URL, make_account, make_event, submit


@pytest.fixture
def event(mail_app):
    make_account(mail_app)
    return make_event(mail_app, anonymous_participation=True)


def link_in(message, marker):
    line = next(line for line in message.get_content().splitlines() if marker in line)
    return line.strip().replace(BASE_URL, "")


def ask(app, event, email="visitor@example.org", message="Hello"):
    return submit(app.test_client(), f"/events/{event.uuid}/anonymous", {"email": email, "message": message},
                  page=f"/events/{event.uuid}")


def main_part(response):
    page = response.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def participations(app, event):
    with app.app_context():
        return list(Participation.select().where((Participation.event == event.id) & Participation.actor.is_null()))


def test_join_confirm_and_cancel_by_email(mail_app, event, smtp):
    visitor = mail_app.test_client()
    page = visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Join without an account" in page
    response = submit(visitor, f"/events/{event.uuid}/anonymous", {"email": "Visitor@Example.org", "message": "Hi"},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["To"] == "visitor@example.org"
    confirm, cancel = link_in(message, "/participation/confirm/"), link_in(message, "/participation/cancel/")
    [row] = participations(mail_app, event)
    assert row.role == "not_confirmed"
    # Tokens are long, and only their hashes are stored.
    token = confirm.rsplit("/", 1)[1]
    assert len(token) >= 43 and token != row.confirm_token_hash

    # Opening the link changes nothing; the button does.
    assert visitor.get(confirm).status_code == 200
    assert participations(mail_app, event)[0].role == "not_confirmed"
    assert submit(visitor, confirm, {}).status_code == 302
    assert participations(mail_app, event)[0].role == "participant"
    assert "1 participant" in visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    # Single use.
    assert submit(visitor, confirm, {}, page="/login").status_code == 404

    assert visitor.get(cancel).status_code == 200
    assert submit(visitor, cancel, {}).status_code == 302
    assert participations(mail_app, event) == []
    assert visitor.get(cancel).status_code == 404
    with mail_app.app_context():
        assert Account.select().count() == 1  # no account was created


def age_requests(app, minutes=11):
    """Make every anonymous request look as if it had been sent some minutes ago."""
    with app.app_context():
        shift = timedelta(minutes=minutes)
        for row in Participation.select().where(Participation.actor.is_null()):
            row.updated_at -= shift
            if row.confirm_expires_at:
                row.confirm_expires_at -= shift
            row.save()


def test_same_email_cannot_join_twice_and_nothing_is_revealed(mail_app, event, smtp):
    first = ask(mail_app, event)
    confirm = link_in(smtp.wait_for(1)[0], "/participation/confirm/")
    submit(mail_app.test_client(), confirm, {})
    age_requests(mail_app)
    second = ask(mail_app, event)
    assert second.status_code == first.status_code == 200
    assert main_part(second) == main_part(first)
    assert len(participations(mail_app, event)) == 1
    reminder = smtp.wait_for(2)[1]
    assert "already takes part" in reminder.get_content()
    assert "/participation/confirm/" not in reminder.get_content()


def test_unconfirmed_request_can_be_asked_again(mail_app, event, smtp):
    ask(mail_app, event)
    age_requests(mail_app)
    ask(mail_app, event)
    first, second = smtp.wait_for(2)
    assert link_in(first, "confirm/") != link_in(second, "confirm/")
    assert submit(mail_app.test_client(), link_in(first, "confirm/"), {}, page="/login").status_code == 404
    assert submit(mail_app.test_client(), link_in(second, "confirm/"), {}).status_code == 302
    assert len(participations(mail_app, event)) == 1


def test_confirmation_expires_after_48_hours(mail_app, event, smtp):
    ask(mail_app, event)
    confirm = link_in(smtp.wait_for(1)[0], "/participation/confirm/")
    with mail_app.app_context():
        Participation.update(confirm_expires_at=utcnow() - timedelta(minutes=1)).where(
            Participation.actor.is_null()).execute()
    assert submit(mail_app.test_client(), confirm, {}, page="/login").status_code == 404
    with mail_app.app_context():
        from mobilizon_lite.services.anonymous import purge_unconfirmed

        assert purge_unconfirmed() == 1


def test_restricted_event_confirmation_waits_for_approval(mail_app, smtp):
    from ..helpers import log_in

    make_account(mail_app)
    event = make_event(mail_app, anonymous_participation=True, join_mode="restricted")
    ask(mail_app, event)
    submit(mail_app.test_client(), link_in(smtp.wait_for(1)[0], "confirm/"), {})
    [row] = participations(mail_app, event)
    assert row.role == "not_approved"
    organiser = mail_app.test_client()
    log_in(organiser)
    base = f"/events/{event.uuid}/participants"
    assert submit(organiser, f"{base}/{row.id}/approve", {}, page=base).status_code == 302
    # Every email to an anonymous participant carries a working cancel link.
    approved = smtp.wait_for(3)[2]
    assert approved["To"] == "visitor@example.org"
    cancel = link_in(approved, "/participation/cancel/")
    assert submit(mail_app.test_client(), cancel, {}).status_code == 302
    assert participations(mail_app, event) == []


def test_forged_cancel_links_are_refused(mail_app, event, smtp):
    ask(mail_app, event)
    cancel = link_in(smtp.wait_for(1)[0], "/participation/cancel/")
    token = cancel.rsplit("/", 1)[1]
    for forged in ("1", token[:-2] + "xx", "MQ.forged"):
        assert mail_app.test_client().get(f"/participation/cancel/{forged}").status_code == 404
    assert len(participations(mail_app, event)) == 1


def test_email_is_never_shown_publicly(mail_app, event, smtp):
    ask(mail_app, event, email="secret.person@example.org")
    submit(mail_app.test_client(), link_in(smtp.wait_for(1)[0], "confirm/"), {})
    for url in (f"/events/{event.uuid}", "/", "/@ann"):
        assert "secret.person" not in mail_app.test_client().get(url).get_data(as_text=True)
    from ..helpers import log_in

    organiser = mail_app.test_client()
    log_in(organiser)
    page = organiser.get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert "Anonymous participant" in page and "secret.person" not in page


@pytest.mark.parametrize("options", [
    {"anonymous_participation": False},
    {"anonymous_participation": True, "visibility": "unlisted"},
    {"anonymous_participation": True, "join_mode": "invite"},
])
def test_events_that_do_not_allow_it_refuse(mail_app, smtp, options):
    make_account(mail_app)
    event = make_event(mail_app, **options)
    response = ask(mail_app, event)
    assert response.status_code == 403
    assert participations(mail_app, event) == []
    assert smtp.messages == []


def test_bad_email_is_refused(mail_app, event, smtp):
    response = ask(mail_app, event, email="not an email")
    assert response.status_code == 400
    assert "This is not a valid email address." in response.get_data(as_text=True)
    assert participations(mail_app, event) == []


def test_full_event_refuses_the_confirmation(mail_app, smtp):
    make_account(mail_app)
    event = make_event(mail_app, anonymous_participation=True, capacity=1)
    ask(mail_app, event, "one@example.org")
    ask(mail_app, event, "two@example.org")
    one, two = smtp.wait_for(2)
    assert submit(mail_app.test_client(), link_in(one, "confirm/"), {}).status_code == 302
    late = mail_app.test_client()
    response = submit(late, link_in(two, "confirm/"), {}, page="/login")
    # Said on the event's page, where the seats are shown; the link still works if a seat frees up.
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.uuid}")
    assert "This event is full." in late.get(response.headers["Location"]).get_data(as_text=True)
    assert late.get(link_in(two, "confirm/")).status_code == 200


def test_repeated_requests_do_not_flood_an_inbox(mail_app, event, smtp):
    # Four: the free requests of an address and the first one that makes the next wait (see
    # test_login_throttle.py); each is answered the same, and only the first sends an email.
    for _ in range(4):
        assert ask(mail_app, event, email="victim@example.org").status_code == 200
    smtp.wait_for(1)
    assert len(smtp.messages) == 1


def test_an_old_cancel_link_never_cancels_someone_else(mail_app, event, smtp):
    ask(mail_app, event, email="first@example.org")
    first_cancel = link_in(smtp.wait_for(1)[0], "/participation/cancel/")
    submit(mail_app.test_client(), first_cancel, {})
    # The next participation may reuse the same row id.
    ask(mail_app, event, email="second@example.org")
    smtp.wait_for(2)
    assert mail_app.test_client().get(first_cancel).status_code == 404
    assert [p.email for p in participations(mail_app, event)] == ["second@example.org"]


def test_confirmation_rechecks_the_event(mail_app, event, smtp):
    from ..helpers import event_fields, log_in

    ask(mail_app, event)
    confirm = link_in(smtp.wait_for(1)[0], "/participation/confirm/")
    organiser = mail_app.test_client()
    log_in(organiser)
    submit(organiser, f"/events/{event.uuid}/edit", event_fields(visibility="private"))
    assert submit(mail_app.test_client(), confirm, {}, page="/login").status_code == 403
    assert participations(mail_app, event)[0].role == "not_confirmed"


def test_organisers_cannot_decide_on_unconfirmed_requests(mail_app, event, smtp):
    from ..helpers import log_in

    ask(mail_app, event)
    [row] = participations(mail_app, event)
    organiser = mail_app.test_client()
    log_in(organiser)
    base = f"/events/{event.uuid}/participants"
    for action in ("reject", "approve", "remove"):
        assert submit(organiser, f"{base}/{row.id}/{action}", {}, page=base).status_code == 404
    assert participations(mail_app, event)[0].role == "not_confirmed"


def test_changes_are_emailed_to_anonymous_participants_with_a_cancel_link(mail_app, event, smtp):
    from ..helpers import event_fields, log_in

    ask(mail_app, event)
    submit(mail_app.test_client(), link_in(smtp.wait_for(1)[0], "confirm/"), {})
    organiser = mail_app.test_client()
    log_in(organiser)
    submit(organiser, f"/events/{event.uuid}/edit", event_fields(locality="Lyon", anonymous_participation="y"))
    changed = smtp.wait_for(2)[1]
    assert changed["To"] == "visitor@example.org" and "Lyon" in changed.get_content()
    cancel = link_in(changed, "/participation/cancel/")
    assert submit(mail_app.test_client(), cancel, {}).status_code == 302
    assert participations(mail_app, event) == []


def test_the_cancel_link_expires_a_week_after_the_event(mail_app, event, smtp):
    ask(mail_app, event)
    cancel = link_in(smtp.wait_for(1)[0], "/participation/cancel/")

    def end_event(days_ago):
        with mail_app.app_context():
            ended = utcnow() - timedelta(days=days_ago)
            Event.update(begins_on=ended - timedelta(hours=2), ends_on=ended).where(Event.id == event.id).execute()

    end_event(6)
    assert mail_app.test_client().get(cancel).status_code == 200
    end_event(8)
    response = mail_app.test_client().get(cancel)
    assert response.status_code == 404
    assert "This event is over" in response.get_data(as_text=True)
    assert submit(mail_app.test_client(), cancel, {}, page="/login").status_code == 404
    assert len(participations(mail_app, event)) == 1
