"""Reminders on a real running server: a time change moves them, and one falling due while the
server is killed is emailed once after it starts again."""
import signal
import time
from datetime import UTC, datetime, timedelta

from mobilizon_lite.models import Actor, Participation, Reminder
from mobilizon_lite.services import participation

from ..harness import RunningInstance, form_token, wait_until
from ..helpers import event_fields, make_account, make_event, open_instance

# Seconds at least between the moment the event is moved and its hour-before reminder: time for the
# edit and the kill to happen first.
AHEAD = 8


def reminders(app):
    with app.app_context():
        return {(row.participation.actor.preferred_username, row.offset_minutes): row.due_at
                for row in Reminder.select()}


def reminder_mails(smtp):
    return sorted(m["To"] for m in smtp.messages if m["Subject"].startswith("Reminder:"))


def test_a_reminder_due_while_the_server_is_down_is_sent_once_after_restart(tmp_path, test_settings,
                                                                             instance_env, smtp):
    env = dict(instance_env, MOBILIZON_LITE_SMTP_HOST="127.0.0.1", MOBILIZON_LITE_SMTP_PORT=str(smtp.port),
               MOBILIZON_LITE_REMINDER_INTERVAL="1")
    server = RunningInstance(tmp_path / "instance", env=env)
    app = open_instance(server.path, test_settings)
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    event = make_event(app, "ann")
    with app.app_context():
        participation.join(event, Actor.get(Actor.preferred_username == "bob"))
    assert set(reminders(app)) == {("ann", 1440), ("ann", 60), ("bob", 1440), ("bob", 60)}

    # The next whole minute that leaves the hour-before reminder at least AHEAD seconds away.
    now = datetime.now(UTC)
    start = (now + timedelta(hours=1, seconds=AHEAD + 60)).replace(second=0, microsecond=0)
    server.start()
    try:
        ann = server.session("ann@example.org")
        page = f"{server.base}/events/{event.uuid}/edit"
        fields = event_fields(timezone="UTC", start_date=start.date().isoformat(),
                              start_time=start.strftime("%H:%M"), end_time="")
        response = ann.post(page, data=dict(fields, csrf_token=form_token(ann, page)), allow_redirects=False,
                            headers={"Referer": page}, timeout=30)
        assert response.status_code == 302, response.text[-2000:]
        # Moved: the hour-before reminders follow the start; the day-before ones fell into the past.
        assert reminders(app) == {("ann", 60): start - timedelta(hours=1), ("bob", 60): start - timedelta(hours=1)}
    finally:
        server.stop(signal.SIGKILL)  # a crash, not a clean stop
    due = start - timedelta(hours=1)
    assert datetime.now(UTC) < due, "the edit took too long for this test"
    while datetime.now(UTC) < due + timedelta(seconds=2):
        time.sleep(0.5)
    assert reminder_mails(smtp) == []

    server.start()
    try:
        wait_until(lambda: len(reminder_mails(smtp)) >= 2, timeout=30)
        time.sleep(3)  # three more runs of the job: none sends it again
    finally:
        output = server.stop()
    assert reminder_mails(smtp) == ["ann@example.org", "bob@example.org"], output[-3000:]
    bob_mail = next(m for m in smtp.messages if m["Subject"].startswith("Reminder:") and m["To"] == "bob@example.org")
    assert start.strftime("%-I:%M") in bob_mail.get_content()  # the new time
    with app.app_context():
        assert all(row.sent_at is not None for row in Reminder.select())
        assert Participation.select().count() == 2
