"""Reminders before events: rows made, moved and removed by what participants and organisers do,
emailed once by the job, per-account offsets and the per-event opt-out (page button, emailed link)."""
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Actor, Event, Participation, Reminder
from mobilizon_lite.services import reminder_mail, reminders

from ..helpers import BASE_URL, EVENT_DAY, event_fields, log_in, make_account, make_event, submit

START = datetime.combine(EVENT_DAY, time(12, 0), UTC)  # 14:00 in Paris, as event_fields and service_fields say


@pytest.fixture
def people(mail_app):
    """ann organises; bob (who reads French) takes part; both logged in."""
    clients = {}
    for name in ("ann", "bob"):
        make_account(mail_app, f"{name}@example.org", name)
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    with mail_app.app_context():
        Account.update(locale="fr").where(Account.email == "bob@example.org").execute()
    return clients


def identity_id(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username).id


def post(app, client, event, path, username="bob"):
    return submit(client, f"/events/{event.uuid}/{path}", {"identity": identity_id(app, username)},
                  page=f"/events/{event.uuid}")


def reminders_of(app, username):
    """{offset in minutes: (due_at, sent_at)} of username's reminders."""
    with app.app_context():
        rows = (Reminder.select().join(Participation).join(Actor, on=(Participation.actor == Actor.id))
                .where(Actor.preferred_username == username))
        return {row.offset_minutes: (row.due_at, row.sent_at) for row in rows}


def due(start, *offsets):
    return {offset: (start - timedelta(minutes=offset), None) for offset in offsets}


def run_job(app):
    with app.app_context():
        return reminder_mail.send_due_reminders()


def make_due(app, username, offset, late=timedelta(seconds=5)):
    """Bring one reminder's time to just now (the event moved close), as if its moment had come."""
    with app.app_context():
        reminder = (Reminder.select().join(Participation).join(Actor, on=(Participation.actor == Actor.id))
                    .where((Actor.preferred_username == username) & (Reminder.offset_minutes == offset)).get())
        start = utcnow() + timedelta(minutes=offset) - late
        Event.update(begins_on=start, ends_on=None).where(Event.id == reminder.participation.event_id).execute()
        Reminder.update(due_at=start - timedelta(minutes=offset)).where(Reminder.id == reminder.id).execute()


def test_joining_makes_the_default_reminders_and_leaving_removes_them(mail_app, people):
    event = make_event(mail_app)
    assert reminders_of(mail_app, "ann") == due(START, 1440, 60)  # the organiser takes part too
    assert post(mail_app, people["bob"], event, "join").status_code == 302
    assert reminders_of(mail_app, "bob") == due(START, 1440, 60)
    assert post(mail_app, people["bob"], event, "leave").status_code == 302
    assert reminders_of(mail_app, "bob") == {}
    assert reminders_of(mail_app, "ann") == due(START, 1440, 60)


def test_participations_from_before_reminders_get_theirs_when_the_scheduler_starts(mail_app, people):
    event = make_event(mail_app)
    assert post(mail_app, people["bob"], event, "join").status_code == 302
    with mail_app.app_context():
        Reminder.delete().execute()  # as a database upgraded from before reminders has none
        reminders.sync_upcoming()
        reminders.sync_upcoming()  # idempotent: each scheduler start runs it
    assert reminders_of(mail_app, "bob") == due(START, 1440, 60)
    assert reminders_of(mail_app, "ann") == due(START, 1440, 60)


def test_time_change_moves_them_and_cancellation_removes_them(mail_app, people):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    make_due(mail_app, "bob", 60)
    assert run_job(mail_app) == 1
    assert reminders_of(mail_app, "bob")[60][1] is not None  # sent
    # Moved to the next day: both reminders are due again, at the new times.
    next_day = str(EVENT_DAY + timedelta(days=1))
    response = submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(start_date=next_day))
    assert response.status_code == 302
    assert reminders_of(mail_app, "bob") == due(START + timedelta(days=1), 1440, 60)
    response = submit(people["ann"], f"/events/{event.uuid}/cancel", {}, page=f"/events/{event.uuid}/cancel")
    assert response.status_code == 302
    assert reminders_of(mail_app, "bob") == {} and reminders_of(mail_app, "ann") == {}


def test_approval_makes_them_and_rejection_removes_them(mail_app, people):
    event = make_event(mail_app, join_mode="restricted")
    post(mail_app, people["bob"], event, "join")
    assert reminders_of(mail_app, "bob") == {}  # waiting for the organisers
    with mail_app.app_context():
        bob = Participation.get(Participation.actor == identity_id(mail_app, "bob"))
    decide = f"/events/{event.uuid}/participants/{bob.id}"
    assert submit(people["ann"], f"{decide}/approve", {}, page=f"/events/{event.uuid}/participants").status_code == 302
    assert reminders_of(mail_app, "bob") == due(START, 1440, 60)
    assert submit(people["ann"], f"{decide}/reject", {}, page=f"/events/{event.uuid}/participants").status_code == 302
    assert reminders_of(mail_app, "bob") == {}


def test_deleting_the_event_removes_them(mail_app, people):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    response = submit(people["ann"], f"/events/{event.uuid}/delete", {})
    assert response.status_code == 302
    with mail_app.app_context():
        assert Reminder.select().count() == 0


def test_reminders_already_past_when_joining_are_not_made(mail_app, people):
    soon = utcnow() + timedelta(minutes=30)
    event = make_event(mail_app, start_date=soon.date(), start_time=soon.time().replace(second=0, microsecond=0),
                       end_time=None, timezone="UTC")
    post(mail_app, people["bob"], event, "join")
    assert reminders_of(mail_app, "bob") == {}  # neither the day before nor the hour before is ahead


def test_the_job_emails_each_reminder_once_in_the_readers_language(mail_app, people, smtp):
    event = make_event(mail_app, online_url="https://meet.example.org/repair")
    post(mail_app, people["bob"], event, "join")
    make_due(mail_app, "bob", 1440)
    assert run_job(mail_app) == 1
    [message] = smtp.wait_for(1)
    assert message["To"] == "bob@example.org"
    assert message["Subject"] == "Rappel : Repair café"
    text = message.get_content()
    with mail_app.app_context():
        start = Event.get_by_id(event.id).begins_on
    paris = start.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{paris:%H:%M}" in text and "Europe/Paris" in text  # the event's local time
    assert "Maison des associations" in text and "https://meet.example.org/repair" in text
    assert f"{BASE_URL}/events/{event.uuid}" in text
    assert "/reminders/stop/" in text
    assert run_job(mail_app) == 0  # marked sent with its email: never twice
    assert len(smtp.messages) == 1


def test_a_reminder_whose_time_passed_long_ago_is_dropped(mail_app, people, smtp):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    # The server was down for 40 minutes around the hour-before reminder: no use sending it now.
    make_due(mail_app, "bob", 60, late=timedelta(minutes=40))
    assert run_job(mail_app) == 0
    assert 60 not in reminders_of(mail_app, "bob")
    assert smtp.messages == [] or all(m["To"] != "bob@example.org" for m in smtp.messages)


def test_the_event_page_stops_and_restarts_them(mail_app, people):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f"/events/{event.uuid}/reminders/off" in page and "Pas de rappel pour cet événement" in page
    assert post(mail_app, people["bob"], event, "reminders/off").status_code == 302
    assert reminders_of(mail_app, "bob") == {}
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f"/events/{event.uuid}/reminders/on" in page and "Me rappeler à nouveau cet événement" in page
    assert post(mail_app, people["bob"], event, "reminders/on").status_code == 302
    assert reminders_of(mail_app, "bob") == due(START, 1440, 60)
    assert post(mail_app, people["bob"], event, "reminders/sometimes").status_code == 400


def test_the_emailed_link_stops_them_after_a_click(mail_app, people, smtp):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    make_due(mail_app, "bob", 1440)
    run_job(mail_app)
    [message] = smtp.wait_for(1)
    link = next(line for line in message.get_content().splitlines() if "/reminders/stop/" in line)
    path = link.strip().replace(BASE_URL, "")
    visitor = mail_app.test_client()
    assert visitor.get(path).status_code == 200  # a mail scanner's visit stops nothing
    assert 60 in reminders_of(mail_app, "bob")
    assert submit(visitor, path, {}).status_code == 302
    assert reminders_of(mail_app, "bob") == {1440: reminders_of(mail_app, "bob")[1440]}  # only the sent one kept
    # Changing the time brings none back: the participant said no.
    submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(start_date=str(EVENT_DAY + timedelta(days=31))))
    assert all(sent for _due, sent in reminders_of(mail_app, "bob").values())
    assert visitor.get(path[:-3] + "abc").status_code == 404


def test_account_settings_choose_the_offsets(mail_app, people):
    event = make_event(mail_app)
    post(mail_app, people["bob"], event, "join")
    page = people["bob"].get("/settings/notifications").get_data(as_text=True)
    ticked = {int(name) for name in re.findall(r'<input checked[^>]*name="remind_(\d+)"', page)}
    assert ticked == {1440, 60}
    response = submit(people["bob"], "/settings/notifications", {"remind_120": "y", "remind_15": "y"})
    assert response.status_code == 302
    assert reminders_of(mail_app, "bob") == due(START, 120, 15)
    assert reminders_of(mail_app, "ann") == due(START, 1440, 60)  # another account's choice stands
    other = make_event(mail_app, organizer_username="ann", title="Second")
    post(mail_app, people["bob"], other, "join")
    with mail_app.app_context():
        rows = Reminder.select().join(Participation).where(
            (Participation.event == other.id) & (Participation.actor == identity_id(mail_app, "bob")))
        assert sorted(row.offset_minutes for row in rows) == [15, 120]
    assert submit(people["bob"], "/settings/notifications", {}).status_code == 302
    assert reminders_of(mail_app, "bob") == {}


def test_anonymous_participants_get_the_default_reminders_with_their_cancel_link(mail_app, smtp):
    make_account(mail_app)
    event = make_event(mail_app, anonymous_participation=True)
    visitor = mail_app.test_client()
    submit(visitor, f"/events/{event.uuid}/anonymous", {"email": "visitor@example.org", "message": ""},
           page=f"/events/{event.uuid}")
    [confirmation] = smtp.wait_for(1)
    confirm = next(line for line in confirmation.get_content().splitlines() if "/participation/confirm/" in line)
    assert submit(visitor, confirm.strip().replace(BASE_URL, ""), {}).status_code == 302
    with mail_app.app_context():
        visitor_row = Participation.get(Participation.email == "visitor@example.org")
        assert {row.offset_minutes for row in visitor_row.reminders} == {1440, 60}
        Reminder.update(due_at=utcnow()).where(
            (Reminder.participation == visitor_row) & (Reminder.offset_minutes == 1440)).execute()
        Event.update(begins_on=utcnow() + timedelta(days=1)).where(Event.id == event.id).execute()
    assert run_job(mail_app) == 1
    reminder = smtp.wait_for(2)[1]
    assert reminder["To"] == "visitor@example.org"
    assert "/participation/cancel/" in reminder.get_content()
