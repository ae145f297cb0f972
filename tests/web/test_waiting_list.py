"""Waiting lists: a full event puts joiners in line, and every way a seat frees up gives it to the first
in line, who is emailed once; feeds never show a place in line as attending."""
import pytest

from mobilizon_lite.models import Actor, Event, Participation
from mobilizon_lite.services import identities, participation, subscriptions

from ..calendar_readers import parse_both, vevents
from ..helpers import BASE_URL, EVENT_DAY, PASSWORD, event_fields, log_in, make_account, make_event, submit

PEOPLE = ("ann", "bob", "cat", "dan", "eve")


@pytest.fixture
def people(mail_app):
    """ann organises; the others are logged in, each with a client."""
    clients = {}
    for name in PEOPLE:
        make_account(mail_app, f"{name}@example.org", name)
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def identity(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def join(app, people, event, username):
    return submit(people[username], f"/events/{event.uuid}/join", {"identity": identity(app, username).id},
                  page=f"/events/{event.uuid}")


def roles(app, event):
    with app.app_context():
        return {(p.actor.preferred_username if p.actor_id else p.email): p.role
                for p in Participation.select().where(Participation.event == event.id)}


def flashed(client, response):
    """The page a redirect leads to, with its flashed messages."""
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def seat_mails(smtp, count):
    """The "a seat for you" emails among the first count received, by recipient."""
    return [message["To"] for message in smtp.wait_for(count) if "A seat for you" in message["Subject"]]


@pytest.fixture
def full_event(mail_app, people):
    """A one-seat event with a waiting list: bob has the seat, cat then dan wait in line."""
    event = make_event(mail_app, capacity=1, waiting_list=True)
    assert "You take part in this event." in flashed(people["bob"], join(mail_app, people, event, "bob"))
    page = people["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Join the waiting list" in page
    assert "number 1 on the waiting list" in flashed(people["cat"], join(mail_app, people, event, "cat"))
    assert "number 2 on the waiting list" in flashed(people["dan"], join(mail_app, people, event, "dan"))
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant", "cat": "waitlisted",
                                      "dan": "waitlisted"}
    return event


def test_leaving_gives_the_seat_to_the_first_in_line_who_is_emailed_once(mail_app, people, full_event, smtp):
    event = full_event
    page = people["dan"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "you are number 2 on the waiting list" in page and "Leave the waiting list" in page
    assert "1 participant" in page  # those in line take no seat
    response = submit(people["bob"], f"/events/{event.uuid}/leave", {"identity": identity(mail_app, "bob").id},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 302
    assert roles(mail_app, event) == {"ann": "creator", "cat": "participant", "dan": "waitlisted"}
    [message] = smtp.wait_for(1)
    assert message["To"] == "cat@example.org" and "Repair café" in message["Subject"]
    assert "first on the waiting list" in message.get_content()
    assert f"{BASE_URL}/events/{event.uuid}" in message.get_content()
    assert "you are number 1 on the waiting list" in people["dan"].get(f"/events/{event.uuid}").get_data(as_text=True)
    # Leaving the line frees no seat and moves nobody else's place.
    submit(people["dan"], f"/events/{event.uuid}/leave", {"identity": identity(mail_app, "dan").id},
           page=f"/events/{event.uuid}")
    assert roles(mail_app, event) == {"ann": "creator", "cat": "participant"}
    assert len(smtp.messages) == 1


def test_raising_the_capacity_seats_those_in_line_in_order(mail_app, people, full_event, smtp):
    event = full_event
    response = submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(capacity="2", waiting_list="y"))
    assert response.status_code == 302
    assert roles(mail_app, event)["cat"] == "participant" and roles(mail_app, event)["dan"] == "waitlisted"
    assert "cat@example.org" in seat_mails(smtp, 1)
    # Lifting the limit seats everyone.
    submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(capacity="", waiting_list="y"))
    assert roles(mail_app, event)["dan"] == "participant"
    assert "dan@example.org" in seat_mails(smtp, len(smtp.messages))
    with mail_app.app_context():
        assert Event.get_by_id(event.id).waiting_list


def test_a_deleted_account_gives_its_seat_to_the_first_in_line(mail_app, people, full_event, smtp):
    response = submit(people["bob"], "/settings/delete", {"password": PASSWORD, "all_events": ""},
                      page="/settings/delete")
    assert response.status_code == 302
    assert roles(mail_app, full_event) == {"ann": "creator", "cat": "participant", "dan": "waitlisted"}
    assert "cat@example.org" in seat_mails(smtp, 2)  # and ann is told bob left


def test_a_deleted_identity_gives_its_seat_to_the_first_in_line(mail_app, people, full_event, smtp):
    with mail_app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        identities.create_identity(bob.account, "bobby")
        identities.delete_identity(bob.account, bob)
    assert roles(mail_app, full_event) == {"ann": "creator", "cat": "participant", "dan": "waitlisted"}
    assert "cat@example.org" in seat_mails(smtp, 1)


def test_a_cancelled_event_gives_no_seat(mail_app, people, full_event, smtp):
    event = full_event
    submit(people["ann"], f"/events/{event.uuid}/cancel", {}, page=f"/events/{event.uuid}/cancel")
    submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(capacity="3", waiting_list="y"))
    assert roles(mail_app, event)["cat"] == "waitlisted"
    # Those in line are told of the cancellation, as participants are, and of no seat.
    cancelled = smtp.wait_for(3)
    assert sorted(message["To"] for message in cancelled) == ["bob@example.org", "cat@example.org",
                                                               "dan@example.org"]
    assert seat_mails(smtp, 3) == []


@pytest.mark.parametrize("decision", ["reject", "remove", "promote"])
def test_organisers_decisions_that_free_a_seat_give_it_to_the_next(mail_app, people, full_event, smtp, decision):
    event = full_event
    with mail_app.app_context():
        bob_pid = participation.participation_of(Event.get_by_id(event.id), identity(mail_app, "bob")).id
    base = f"/events/{event.uuid}/participants"
    page = people["ann"].get(base).get_data(as_text=True)
    assert "on the waiting list" in page
    assert submit(people["ann"], f"{base}/{bob_pid}/{decision}", {}, page=base).status_code == 302
    assert roles(mail_app, event)["cat"] == "participant" and roles(mail_app, event)["dan"] == "waitlisted"
    expected = 2 if decision == "reject" else 1  # a rejection is emailed too
    assert seat_mails(smtp, expected) == ["cat@example.org"]


def test_approving_beyond_capacity_says_so_on_the_page(mail_app, people):
    event = make_event(mail_app, capacity=1, join_mode="restricted")
    join(mail_app, people, event, "bob")
    join(mail_app, people, event, "cat")
    with mail_app.app_context():
        bob_pid, cat_pid = (Participation.get(Participation.actor == identity(mail_app, name).id).id
                            for name in ("bob", "cat"))
    base = f"/events/{event.uuid}/participants"
    assert submit(people["ann"], f"{base}/{bob_pid}/approve", {}, page=base).status_code == 302
    response = submit(people["ann"], f"{base}/{cat_pid}/approve", {}, page=base)
    assert response.headers["Location"].endswith(base)
    assert "The event is full: raise the number of seats" in flashed(people["ann"], response)
    assert roles(mail_app, event)["cat"] == "not_approved"


def test_joining_a_full_event_without_a_waiting_list_says_so_on_its_page(mail_app, people):
    event = make_event(mail_app, capacity=1)
    join(mail_app, people, event, "bob")
    page = people["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Join the waiting list" not in page and "This event is full." in page
    # A join posted from a page shown before the last seat went.
    response = join(mail_app, people, event, "cat")
    assert response.headers["Location"].endswith(f"/events/{event.uuid}")
    page = flashed(people["cat"], response)
    assert 'class="flash error"' in page and "This event is full." in page
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant"}


def test_a_waitlisted_participation_is_tentative_in_feeds(mail_app, people, full_event):
    event = full_event
    with mail_app.app_context():
        cat = identity(mail_app, "cat")
        token = subscriptions.token_text(subscriptions.issue_token(cat.account, cat))
    [vevent] = vevents(parse_both(people["cat"].get(f"/events/going/{token}/ics").data)[0])
    assert str(vevent["STATUS"]) == "TENTATIVE"
    submit(people["bob"], f"/events/{event.uuid}/leave", {"identity": identity(mail_app, "bob").id},
           page=f"/events/{event.uuid}")
    [vevent] = vevents(parse_both(people["cat"].get(f"/events/going/{token}/ics").data)[0])
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_my_events_lists_places_in_line(mail_app, people, full_event):
    page = people["dan"].get("/my-events").get_data(as_text=True)
    waiting = page[page.index("On a waiting list"):]
    assert "Repair café" in waiting and "number 2 on the waiting list" in waiting
    page = people["bob"].get("/my-events").get_data(as_text=True)
    assert "You wait for a seat at no event." in page


def test_anonymous_participants_wait_in_line_and_their_cancel_link_frees_the_seat(mail_app, people, smtp):
    event = make_event(mail_app, capacity=1, waiting_list=True, anonymous_participation=True)
    visitors = {}
    for email in ("first@example.org", "second@example.org"):
        visitors[email] = mail_app.test_client()
        response = submit(visitors[email], f"/events/{event.uuid}/anonymous", {"email": email, "message": ""},
                          page=f"/events/{event.uuid}")
        assert response.status_code == 200
    links = {}
    for message in smtp.wait_for(2):
        lines = message.get_content().splitlines()
        links[message["To"]] = {kind: next(line.strip().replace(BASE_URL, "") for line in lines
                                           if f"/participation/{kind}/" in line) for kind in ("confirm", "cancel")}
    for email in ("first@example.org", "second@example.org"):
        confirm = links[email]["confirm"]
        page = visitors[email].get(confirm).get_data(as_text=True)
        assert "Repair café" in page and str(EVENT_DAY.year) in page
        response = submit(visitors[email], confirm, {})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/events/{event.uuid}")
    page = visitors["first@example.org"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Your participation is confirmed." in page
    page = visitors["second@example.org"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "number 1 on the waiting list" in page
    assert roles(mail_app, event) == {"ann": "creator", "first@example.org": "participant",
                                      "second@example.org": "waitlisted"}
    cancel = links["first@example.org"]["cancel"]
    assert submit(visitors["first@example.org"], cancel, {}).status_code == 302
    assert roles(mail_app, event) == {"ann": "creator", "second@example.org": "participant"}
    [seat] = [message for message in smtp.wait_for(3) if "A seat for you" in message["Subject"]]
    assert seat["To"] == "second@example.org"
    assert "/participation/cancel/" in seat.get_content()  # the anonymous participant's own way out


def test_the_event_form_offers_the_waiting_list(mail_app, people):
    page = people["ann"].get("/events/new").get_data(as_text=True)
    assert 'name="waiting_list"' in page
    response = submit(people["ann"], "/events/new", event_fields(identity=identity(mail_app, "ann").id,
                                                                 capacity="3", waiting_list="y"))
    assert response.status_code == 302
    with mail_app.app_context():
        assert Event.select().where(Event.waiting_list).count() == 1



def test_messages_to_those_waiting_reach_those_in_line(mail_app, people, full_event, smtp):
    response = submit(people["ann"], f"/events/{full_event.uuid}/messages/new",
                      {"audience": "waiting", "subject": "About the line", "text": "Seats may free up."})
    assert response.status_code == 302
    assert sorted(message["To"] for message in smtp.wait_for(2)) == ["cat@example.org", "dan@example.org"]
    page = people["dan"].get(f"/events/{full_event.uuid}").get_data(as_text=True)
    assert "About the line" in page
    assert "About the line" not in people["bob"].get(f"/events/{full_event.uuid}").get_data(as_text=True)
