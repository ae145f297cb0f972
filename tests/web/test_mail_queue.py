"""The outgoing mail queue against a real SMTP server: a refusal or a closed port is retried and the mail
arrives once; a rolled-back request sends nothing; the administrators see and handle what failed."""
import threading
from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from mobilizon_lite import create_app, mail, mail_queue
from mobilizon_lite.db import database, utcnow
from mobilizon_lite.models import OutgoingMail
from mobilizon_lite.models.mail import FAILED, PENDING, SENT
from mobilizon_lite.scheduler import build_scheduler

from ..helpers import MailCatcher, free_port, make_account, staff_clients, submit, wait_until


class RefusingCatcher(MailCatcher):
    """A mail server that answers the first `refusals` messages with `answer`, then takes them."""

    def __init__(self, refusals, answer):
        super().__init__()
        self.refusals, self.answer = refusals, answer

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return self.answer
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing(request):
    catcher = RefusingCatcher(*request.param)
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()


def mail_app_on(app_config, tmp_path, port, name="instance", **settings):
    """An app on the shared test database whose mail goes to the SMTP server at port."""
    return create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=2, **settings),
                      instance_path=str(tmp_path / name))


def rows(app):
    with app.app_context():
        return list(OutgoingMail.select().order_by(OutgoingMail.id))


@pytest.mark.parametrize("refusing", [(1, "451 4.3.0 try again later")], indirect=True)
def test_a_temporary_refusal_is_retried_after_a_wait_and_the_mail_arrives_once(app_config, tmp_path, refusing):
    app = mail_app_on(app_config, tmp_path, refusing.port, MAIL_BACKOFF_SCALE=0.01)
    make_account(app)
    response = submit(app.test_client(), "/password/forgot", {"email": "ann@example.org"})
    assert response.status_code == 302
    [row] = rows(app)
    assert (row.state, row.attempts) == (PENDING, 1) and row.last_error.startswith("451")
    assert refusing.messages == []
    with app.app_context():
        assert mail_queue.send_queued() == 0  # not before its wait (at least 0.16 s here)
        wait_until(lambda: mail_queue.send_queued() == 1)
        assert mail_queue.send_queued() == 0
    [message] = refusing.wait_for(1)
    assert message["To"] == "ann@example.org" and "/password/reset/" in message.get_content()
    [row] = rows(app)
    assert (row.state, row.attempts, row.body) == (SENT, 2, "")  # no reset link kept once sent
    assert message["Message-ID"] == row.message_id


def test_a_closed_port_keeps_the_mail_which_goes_once_the_server_listens(app_config, tmp_path, smtp):
    down = mail_app_on(app_config, tmp_path, free_port(), "down", MAIL_BACKOFF_SCALE=0.0)
    make_account(down)
    assert submit(down.test_client(), "/password/forgot", {"email": "ann@example.org"}).status_code == 302
    [row] = rows(down)
    assert row.state == PENDING and "ConnectionRefusedError" in row.last_error
    up = mail_app_on(app_config, tmp_path, smtp.port, "up")
    with up.app_context():
        assert mail_queue.send_queued() == 1
    [message] = smtp.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert rows(up)[0].state == SENT


def test_a_rolled_back_transaction_sends_nothing(mail_app, smtp):
    with mail_app.app_context():
        with pytest.raises(RuntimeError), database.atomic():
            mail.send_mail("ann@example.org", "mail/password_reset.txt", link="http://events.test/lost", minutes=60)
            raise RuntimeError("the request failed after writing its mail")
        with database.atomic():
            mail.send_mail("bob@example.org", "mail/password_reset.txt", link="http://events.test/kept", minutes=60)
            assert smtp.messages == []  # not before the commit
    [message] = smtp.wait_for(1)
    assert message["To"] == "bob@example.org"
    assert [row.recipient for row in rows(mail_app)] == ["bob@example.org"]


def test_extra_headers_are_sent(mail_app, smtp):
    with mail_app.app_context():
        mail.send_batch([mail.Outgoing("ann@example.org", "mail/password_reset.txt", "fr",
                                       {"link": "http://events.test/r", "minutes": 60},
                                       {"List-Unsubscribe": "<http://events.test/unsubscribe/x>"})])
    [message] = smtp.wait_for(1)
    assert message["List-Unsubscribe"] == "<http://events.test/unsubscribe/x>"
    assert message["Auto-Submitted"] == "auto-generated" and message["Subject"].startswith("Choisissez")


@pytest.mark.parametrize("refusing", [(1, "550 5.7.1 message refused")], indirect=True)
def test_a_final_refusal_is_given_up_at_once(app_config, tmp_path, refusing):
    app = mail_app_on(app_config, tmp_path, refusing.port, MAIL_BACKOFF_SCALE=0.0)
    with app.app_context():
        mail.send_mail("ann@example.org", "mail/password_reset.txt", link="http://events.test/r", minutes=60)
        assert mail_queue.send_queued() == 0
    [row] = rows(app)
    assert (row.state, row.attempts) == (FAILED, 1) and row.last_error.startswith("550")
    clients = staff_clients(app)
    page = clients["admin"].get("/admin/users/").get_data(as_text=True)
    assert 'title="Mails given up">1</span>' in page  # the administration menu counts it
    page = clients["admin"].get("/admin/mail/").get_data(as_text=True)
    assert "550 5.7.1 message refused" in page and "Given up: 1." in page
    assert "Mails given up" not in clients["moderator"].get("/admin/users/").get_data(as_text=True)


def test_the_administrators_see_failed_mail_and_retry_or_discard_it(app_config, tmp_path, smtp):
    down = mail_app_on(app_config, tmp_path, free_port(), "down")
    clients = staff_clients(down)
    with down.app_context():
        for address in ("zoe@example.org", "yann@example.org"):
            mail.send_mail(address, "mail/password_reset.txt", link="http://events.test/r", minutes=60)
    page = clients["admin"].get("/admin/mail/").get_data(as_text=True)
    assert "zo…@example.org" in page and "ya…@example.org" in page and "zoe@example.org" not in page
    assert "Connection refused" in page and "Waiting to be tried again: 2. Given up: 0." in page
    assert 'href="/admin/mail/"' in clients["admin"].get("/admin/instances/").get_data(as_text=True)
    assert clients["moderator"].get("/admin/mail/").status_code == 403
    zoe, yann = rows(down)
    # The same database, its mail server back: the retry sends at once, the discarded one never goes.
    up = mail_app_on(app_config, tmp_path, smtp.port, "up")
    admin = up.test_client()
    submit(admin, "/login", {"email": "root@example.org", "password": "correct horse battery"})
    response = submit(admin, f"/admin/mail/{zoe.id}/retry", {}, page="/admin/mail/", follow_redirects=True)
    assert "The mail is being sent again." in response.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["To"] == "zoe@example.org"
    response = submit(admin, f"/admin/mail/{yann.id}/discard", {}, page="/admin/mail/", follow_redirects=True)
    assert "Every mail went out." in response.get_data(as_text=True)
    assert [row.state for row in rows(up)] == [SENT]
    assert submit(admin, f"/admin/mail/{yann.id}/retry", {}, page="/admin/mail/").status_code == 404
    assert submit(admin, f"/admin/mail/{zoe.id}/discard", {}, page="/admin/mail/").status_code == 404


def test_a_running_scheduler_sends_queued_mail_from_its_job_at_once(mail_app, smtp):
    mail_app.config["MAIL_INTERVAL"] = 3600  # only the kick can bring the run within the test
    scheduler = build_scheduler(mail_app)
    assert scheduler.get_job(mail_queue.SEND_JOB).executor == "mail"  # not behind deliveries and the inbox
    runs = threading.Semaphore(0)
    scheduler.add_listener(lambda event: event.job_id == mail_queue.SEND_JOB and runs.release(), EVENT_JOB_EXECUTED)
    scheduler.start(paused=True)
    try:
        with mail_app.app_context():
            mail.send_mail("ann@example.org", "mail/password_reset.txt", link="http://events.test/r", minutes=60)
            # Not sent by the request's thread: the job's next run is now, and it waits for the scheduler.
            assert [(row.state, row.attempts) for row in OutgoingMail.select()] == [(PENDING, 0)]
            assert scheduler.get_job(mail_queue.SEND_JOB).next_run_time <= utcnow()
        assert smtp.messages == []
        scheduler.resume()
        assert runs.acquire(timeout=10)
        smtp.wait_for(1)
    finally:
        scheduler.shutdown()
    assert [row.state for row in rows(mail_app)] == [SENT]


def test_the_purge_forgets_sent_mail_after_keep_sent_days_and_given_up_mail_later(app):
    now = utcnow()
    with app.app_context():
        for state, age in ((SENT, 8), (SENT, 6), (FAILED, 31), (FAILED, 29), (PENDING, 40)):
            OutgoingMail.create(recipient="ann@example.org", subject="s", body="b", message_id="<x@events.test>",
                                state=state, created_at=now - timedelta(days=age),
                                sent_at=now - timedelta(days=age) if state == SENT else None)
        assert mail_queue.purge_mail() == 2
        assert sorted((row.state, (now - row.created_at).days) for row in OutgoingMail.select()) == [
            (FAILED, 29), (PENDING, 40), (SENT, 6)]
