"""Deleting one's account at /settings/delete (and the same path for staff and the command line): what
the pages, counts, feeds and mails show afterwards, and what is refused."""
import re

import pytest

from mobilizon_lite.models import Account, Actor, Comment, Event, FeedToken, Participation
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import comments, participation, seats, subscriptions
from mobilizon_lite.services.groups import new_member_row

from ..calendar_readers import parse_both, vevents
from ..helpers import PASSWORD, errors, log_in, make_account, make_event, make_group, submit

PAGE = "/settings/delete"


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def feed_titles(client):
    """The events of the instance's calendar feed, by title."""
    calendar, _same = parse_both(client.get("/feed/instance/ics").data)
    return {str(event["SUMMARY"]) for event in vevents(calendar)}


def delete_own(client, **fields):
    return submit(client, PAGE, dict({"password": PASSWORD, "all_events": ""}, **fields), page=PAGE)


def test_deleting_frees_seats_tells_everyone_blanks_comments_and_forgets_the_address(mail_app, smtp):
    make_account(mail_app, "eve@example.org", "eve")
    make_account(mail_app, "bob@example.org", "bob")
    party = make_event(mail_app, "eve", title="Eve's party")
    talk = make_event(mail_app, "bob", title="Bob's talk", capacity=1)
    with mail_app.app_context():
        eve, bob = Actor.get(Actor.preferred_username == "eve"), Actor.get(Actor.preferred_username == "bob")
        participation.join(Event.get_by_id(party.id), bob)
        participation.join(Event.get_by_id(talk.id), eve)
        question = comments.comment_on(Event.get_by_id(talk.id), eve, "Is there parking?")
        comments.comment_on(Event.get_by_id(talk.id), bob, "Yes, behind the hall.", in_reply_to=question.id)
        feed = subscriptions.token_text(subscriptions.issue_token(Account.get(Account.email == "eve@example.org")))
        assert seats.going_count(Event.get_by_id(talk.id)) == 1
    # The comments' notifications (bob of eve's question, eve of his answer) are not what this test reads.
    assert sorted(message["To"] for message in smtp.wait_for(2)) == ["bob@example.org", "eve@example.org"]
    smtp.messages.clear()
    visitor = mail_app.test_client()
    assert feed_titles(visitor) == {"Eve's party", "Bob's talk"}
    assert visitor.get(f"/events/going/{feed}/ics").status_code == 200
    client = mail_app.test_client()
    log_in(client, "eve@example.org")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Eve&#39;s party" in page and "Delete my account" in page

    wrong = delete_own(client, password="not the password at all")
    assert wrong.status_code == 400 and "This is not your current password." in errors(wrong)
    assert delete_own(client).status_code == 302

    assert visitor.get("/@eve").status_code == 410
    assert feed_titles(visitor) == {"Bob's talk"}
    assert visitor.get("/@eve/feed/ics").status_code == 410
    assert visitor.get(f"/events/going/{feed}/ics").status_code == 404
    assert visitor.get(f"/events/{party.uuid}").status_code == 404
    thread = visitor.get(f"/events/{talk.uuid}").get_data(as_text=True)
    assert "This comment was deleted." in thread and "Is there parking?" not in thread
    assert "Yes, behind the hall." in thread
    with mail_app.app_context():
        assert seats.going_count(Event.get_by_id(talk.id)) == 0  # the seat is free again
        account = Account.get(Account.email.startswith("deleted-"))
        assert account.deleted_at and account.password_hash == "!" and account.locale is None
        assert not FeedToken.select().where(FeedToken.account == account).exists()
        assert Comment.get(Comment.source == "").deleted_at is not None  # kept, blanked: the reply keeps its place
        assert not Participation.select().where(Participation.actor == eve).exists()
    assert client.get("/settings/").status_code == 302  # the session ended
    # bob is told his event lost a participant, and that the party he joined is off.
    messages = smtp.wait_for(2)
    subjects = sorted(message["Subject"] for message in messages)
    assert subjects == ["A participant left Bob's talk", "Cancelled: Eve's party"], subjects
    assert {message["To"] for message in messages} == {"bob@example.org"}
    left = next(message for message in messages if message["Subject"].startswith("A participant"))
    assert "@eve" in left.get_content() and "eve@example.org" not in left.get_content()


def test_the_username_stays_reserved(app):
    make_account(app, "eve@example.org", "eve")
    client = app.test_client()
    log_in(client, "eve@example.org")
    assert delete_own(client).status_code == 302
    again = submit(app.test_client(), "/signup", {"email": "new@example.org", "password": PASSWORD,
                                                 "confirm": PASSWORD, "username": "eve", "accept": "y"})
    assert again.status_code == 400 and "This username is already taken." in errors(again)


def test_the_last_administrator_of_a_group_hands_it_over_first(app):
    make_account(app, "eve@example.org", "eve")
    make_account(app, "bob@example.org", "bob")
    group = make_group(app, "club", "eve")
    client = app.test_client()
    log_in(client, "eve@example.org")
    page = client.get(PAGE).get_data(as_text=True)
    assert "last administrator" in page and 'href="/@club/members"' in page and "Delete my account" not in page
    refused = delete_own(client)
    assert refused.status_code == 200 and actor(app, "eve").deleted_at is None
    with app.app_context():
        new_member_row(group, Actor.get(Actor.preferred_username == "bob"), Role.ADMINISTRATOR)
    assert delete_own(client).status_code == 302
    assert actor(app, "eve").deleted_at is not None


@pytest.fixture
def club(app):
    """eve's group club, which bob administers too, and "Kept", an event eve organises alone."""
    make_account(app, "eve@example.org", "eve")
    make_account(app, "bob@example.org", "bob")
    group = make_group(app, "club", "eve")
    with app.app_context():
        new_member_row(group, Actor.get(Actor.preferred_username == "bob"), Role.ADMINISTRATOR)
    return group, make_event(app, "eve", title="Kept")


def test_an_event_goes_to_a_group_the_identity_administers(app, club):
    group, kept = club
    dropped = make_event(app, "eve", title="Dropped")
    client = app.test_client()
    log_in(client, "eve@example.org")
    response = delete_own(client, **{f"event_{kept.id}": str(group.id), f"event_{dropped.id}": "delete"})
    assert response.status_code == 302, errors(response)
    page = app.test_client().get(f"/events/{kept.uuid}")
    assert page.status_code == 200 and "@club" in page.get_data(as_text=True)
    assert app.test_client().get(f"/events/{dropped.uuid}").status_code == 404
    with app.app_context():
        event = Event.get_by_id(kept.id)
        assert event.attributed_to_id == group.id and event.organizer.preferred_username == "bob"


def test_the_choice_for_all_events_holds_when_each_select_is_left_as_it_is(app, club):
    group, kept = club
    client = app.test_client()
    log_in(client, "eve@example.org")
    page = client.get(PAGE).get_data(as_text=True)
    # A browser posts every select: this one at its default, the first option.
    default = re.search(rf'<select[^>]*name="event_{kept.id}"[^>]*>\s*<option[^>]*value="([^"]*)"', page).group(1)
    response = submit(client, PAGE, {"password": PASSWORD, "all_events": str(group.id),
                                     f"event_{kept.id}": default}, page=PAGE)
    assert response.status_code == 302, errors(response)
    with app.app_context():
        assert Event.get_by_id(kept.id).attributed_to_id == group.id
