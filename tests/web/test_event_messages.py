"""Organisers' messages to an event's participants: who may write, whom they reach by email and in which
language, the unsubscribe link, the bounds of what is typed, the rate limit and the event page's list."""
import pytest

from mobilizon_lite import create_app
from mobilizon_lite.models import Account, Actor, EventMessage, Participation
from mobilizon_lite.models.limits import EVENT_MESSAGE_MAX, EVENT_MESSAGE_SUBJECT_MAX
from mobilizon_lite.services import participation

from ..helpers import BASE_URL, errors, log_in, make_account, make_event, make_group, submit

LOCALES = {"ann": "en", "bob": "fr", "cat": "en", "dan": "fr", "eve": "en"}


def people(app):
    """ann organises; bob, cat, dan and eve have accounts (in the language of LOCALES), each logged in."""
    clients = {}
    for name, locale in LOCALES.items():
        make_account(app, f"{name}@example.org", name)
        with app.app_context():
            Account.update(locale=locale).where(Account.email == f"{name}@example.org").execute()
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def take_part(app, event, *usernames):
    with app.app_context():
        for username in usernames:
            participation.join(event, Actor.get(Actor.preferred_username == username))


@pytest.fixture
def setting(mail_app):
    """An event of ann's that bob and cat take part in, dan waits for approval in (set so by hand),
    and an anonymous visitor writing in French takes part in; eve is not there."""
    clients = people(mail_app)
    event = make_event(mail_app)
    take_part(mail_app, event, "bob", "cat", "dan")
    with mail_app.app_context():
        dan = Actor.get(Actor.preferred_username == "dan")
        Participation.update(role="not_approved").where(Participation.actor == dan.id).execute()
        Participation.create(event=event.id, email="visitor@example.org", locale="fr", role="participant")
        Participation.create(event=event.id, email="unconfirmed@example.org", locale="fr", role="not_confirmed")
    return clients, event


def write(client, event, audience="all", subject="Meeting point moved", text="We meet at the station.\nSee you!"):
    return submit(client, f"/events/{event.uuid}/messages/new",
                  {"audience": audience, "subject": subject, "text": text})


def by_recipient(messages):
    return {message["To"]: message for message in messages}


def test_a_message_reaches_each_participant_in_their_language_without_the_organisers_email(mail_app, smtp, setting):
    clients, event = setting
    form = clients["ann"].get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert f"/events/{event.uuid}/messages/new" in form
    response = write(clients["ann"], event)
    assert response.status_code == 302, errors(response)
    mails = by_recipient(smtp.wait_for(4))
    # Everyone taking part or waiting, anonymous confirmed ones too; neither the sender nor the unconfirmed.
    assert set(mails) == {"bob@example.org", "cat@example.org", "dan@example.org", "visitor@example.org"}
    for address, message in mails.items():
        raw = message.as_string()
        assert "ann@example.org" not in raw
        body = message.get_content().replace("\r\n", "\n")
        assert "Meeting point moved" in message["Subject"] and "We meet at the station.\nSee you!" in body
        assert "@ann" in body and f"{BASE_URL}/events/{event.uuid}" in body
        assert f"{BASE_URL}/messages/unsubscribe/" in body
        french = "écrit aux participants" in body
        assert french == (address in ("bob@example.org", "dan@example.org", "visitor@example.org")), address
    # The anonymous participant can also cancel from it.
    assert "/participation/cancel/" in mails["visitor@example.org"].get_content()
    assert "/participation/cancel/" not in mails["bob@example.org"].get_content()


def unsubscribe_link(message):
    line = next(line for line in message.get_content().splitlines() if "/messages/unsubscribe/" in line)
    return line.strip().replace(BASE_URL, "")


def test_the_unsubscribe_link_works_without_logging_in_and_stops_the_next_messages(mail_app, smtp, setting):
    clients, event = setting
    assert write(clients["ann"], event).status_code == 302
    link = unsubscribe_link(by_recipient(smtp.wait_for(4))["cat@example.org"])
    visitor = mail_app.test_client()
    # Opening it stops nothing (mail scanners open links); the button does.
    page = visitor.get(link)
    assert page.status_code == 200 and "We meet at the station." in page.get_data(as_text=True)
    response = submit(visitor, link, {})
    assert response.status_code == 200
    assert "no more messages" in response.get_data(as_text=True)
    assert visitor.get(link.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404

    # Mail programs offer a button posting the link of the List-Unsubscribe header, with no token (RFC 8058).
    dan_mail = by_recipient(smtp.messages)["dan@example.org"]
    assert dan_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = dan_mail["List-Unsubscribe"].strip("<>").replace(BASE_URL, "")
    assert header_link == unsubscribe_link(dan_mail)
    assert mail_app.test_client().post(header_link, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    smtp.messages.clear()
    assert write(clients["ann"], event, subject="Second news").status_code == 302
    mails = by_recipient(smtp.wait_for(2))
    assert set(mails) == {"bob@example.org", "visitor@example.org"}
    assert "Second news" in mails["bob@example.org"]["Subject"]
    assert len(smtp.messages) == 2


def test_audiences_accepted_and_waiting(mail_app, smtp, setting):
    clients, event = setting
    assert write(clients["ann"], event, audience="waiting", subject="Soon decided").status_code == 302
    assert set(by_recipient(smtp.wait_for(1))) == {"dan@example.org"}
    smtp.messages.clear()
    assert write(clients["ann"], event, audience="accepted", subject="For the accepted").status_code == 302
    assert set(by_recipient(smtp.wait_for(3))) == {"bob@example.org", "cat@example.org", "visitor@example.org"}
    # The event page lists each message to those it was for, and all of them to the organisers.
    bob_page = clients["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "For the accepted" in bob_page and "Soon decided" not in bob_page
    dan_page = clients["dan"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Soon decided" in dan_page and "For the accepted" not in dan_page
    ann_page = clients["ann"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Soon decided" in ann_page and "For the accepted" in ann_page
    for outsider in (clients["eve"], mail_app.test_client()):
        page = outsider.get(f"/events/{event.uuid}").get_data(as_text=True)
        assert "For the accepted" not in page and "Messages from the organisers" not in page


def test_only_organisers_may_write(mail_app, smtp, setting):
    clients, event = setting
    for name in ("bob", "eve"):
        assert clients[name].get(f"/events/{event.uuid}/messages/new").status_code == 403
        response = clients[name].post(f"/events/{event.uuid}/messages/new",
                                      data={"audience": "all", "subject": "Hi", "text": "Spam"})
        assert response.status_code in (400, 403)
    assert mail_app.test_client().get(f"/events/{event.uuid}/messages/new").status_code == 302  # to log in
    with mail_app.app_context():
        assert EventMessage.select().count() == 0
    assert smtp.messages == []


def test_what_is_typed_is_bounded(mail_app, smtp, setting):
    clients, event = setting
    cases = [{"subject": "x" * (EVENT_MESSAGE_SUBJECT_MAX + 1)}, {"subject": ""},
             {"text": "y" * (EVENT_MESSAGE_MAX + 1)}, {"text": "   "}, {"audience": "everybody"}]
    for case in cases:
        response = write(clients["ann"], event, **case)
        assert response.status_code == 400, case
        assert errors(response), case
    with mail_app.app_context():
        assert EventMessage.select().count() == 0
    # Control characters go, as in any text typed here.
    assert write(clients["ann"], event, subject="Moved\u202e", text="Here\x00").status_code == 302
    with mail_app.app_context():
        message = EventMessage.get()
        assert (message.subject, message.text) == ("Moved", "Here")


def test_messages_are_rate_limited(tmp_path, app_config, smtp):
    app = create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, RATE_LIMIT_MESSAGES="1 per day"),
                     instance_path=str(tmp_path / "limited"))
    make_account(app)
    client = app.test_client()
    log_in(client)
    event = make_event(app)
    assert write(client, event).status_code == 302
    response = write(client, event, subject="Again")
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "1 message to participants" in " ".join(errors(response))


def test_a_group_moderator_writes_for_the_groups_event_and_a_plain_member_may_not(mail_app, smtp):
    from mobilizon_lite.models.groups import Role
    from mobilizon_lite.services.groups import new_member_row

    clients = people(mail_app)
    group = make_group(mail_app)
    with mail_app.app_context():
        new_member_row(group, Actor.get(Actor.preferred_username == "cat"), Role.MODERATOR)
        new_member_row(group, Actor.get(Actor.preferred_username == "dan"), Role.MEMBER)
    event = make_event(mail_app, group=group)
    take_part(mail_app, event, "bob")
    assert clients["dan"].get(f"/events/{event.uuid}/messages/new").status_code == 403
    response = write(clients["cat"], event, subject="From the club")
    assert response.status_code == 302, errors(response)
    # The event's creator takes part too: she hears from her co-organiser.
    mails = by_recipient(smtp.wait_for(2))
    assert set(mails) == {"ann@example.org", "bob@example.org"}
    for message in mails.values():
        assert "@cat" in message.get_content() and "cat@example.org" not in message.as_string()


def test_an_anonymous_participant_with_no_language_reads_the_instances(mail_app, smtp):
    from mobilizon_lite.services import instance

    make_account(mail_app)
    client = mail_app.test_client()
    log_in(client)
    event = make_event(mail_app)
    with mail_app.app_context():
        instance.set_setting("default_language", "fr")
        Participation.create(event=event.id, email="visitor@example.org", role="participant")
    assert write(client, event).status_code == 302
    [message] = smtp.wait_for(1)
    assert "écrit aux participants" in message.get_content()
