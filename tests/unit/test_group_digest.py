"""The daily email about groups' new events: who gets what, in which language, once and only once."""
import uuid
from datetime import timedelta

import pytest

from mobilizon_lite import create_app, mail_queue
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Actor, Event, Follow, GroupDigest, OutgoingMail
from mobilizon_lite.services import group_digest
from mobilizon_lite.services.groups import new_member_row
from mobilizon_lite.services.identities import create_identity

from ..harness import free_port
from ..helpers import log_in, make_account, make_event, make_group, submit

TOMORROW = timedelta(days=1)


def body(message):
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def club(mail_app):
    """@club, run by ann; bob (French) a member; cat follows it; dan has nothing to do with it.
    bob's account has a second identity, bobby, which is in no group."""
    app = mail_app
    make_account(app)
    bob = make_account(app, "bob@example.org", "bob")
    make_account(app, "cat@example.org", "cat")
    make_account(app, "dan@example.org", "dan")
    group = make_group(app)
    with app.app_context():
        Account.update(locale="fr").where(Account.id == bob.id).execute()
        create_identity(bob, "bobby", "Bobby")
        new_member_row(group, Actor.get(Actor.preferred_username == "bob"), "member")
        Follow.create(follower=Actor.get(Actor.preferred_username == "cat"), followed=group,
                      ap_id=f"http://events.test/follows/{uuid.uuid4()}", accepted=True)
        Follow.create(follower=Actor.get(Actor.preferred_username == "dan"), followed=group,
                      ap_id=f"http://events.test/follows/{uuid.uuid4()}", accepted=False)
    make_event(app, group=group, title="Open picnic")
    make_event(app, group=group, title="Board meeting", visibility="private")
    make_event(app, title="Ann's own walk")
    return group


def run(app, now):
    with app.app_context():
        return group_digest.send_group_digests(now)


def by_recipient(messages):
    return {message["To"]: message for message in messages}


def test_members_followers_and_others_each_get_what_they_may_see(mail_app, smtp, club):
    assert run(mail_app, utcnow() + TOMORROW) == 3
    mails = by_recipient(smtp.wait_for(3))
    assert set(mails) == {"ann@example.org", "bob@example.org", "cat@example.org"}  # not dan: not accepted
    for address in ("ann@example.org", "bob@example.org"):  # members
        text = body(mails[address])
        assert "Open picnic" in text and "Board meeting" in text and "walk" not in text
    follower = body(mails["cat@example.org"])
    assert "Open picnic" in follower and "Board meeting" not in follower
    assert "club (@club)" in follower and "http://events.test/events/" in follower
    assert "http://events.test/identities/cat/group-digest" in follower
    # Each in its reader's language, naming no one but the reader's own identity.
    assert body(mails["bob@example.org"]).startswith("Bonjour,")
    assert mails["cat@example.org"]["Subject"] == "New events in your groups on mobilizon_lite"
    assert follower.startswith("Hello,")
    assert "@bob" in body(mails["bob@example.org"])
    for address, text in ((address, body(message)) for address, message in mails.items()):
        others = {"@ann", "@bob", "@bobby", "@cat", "@dan"} - {"@" + address.split("@")[0]}
        assert not [name for name in others if name in text], address


def test_a_restart_neither_repeats_nor_loses_a_day(mail_app, smtp, club, tmp_path, app_config):
    # An hour past a day's boundary, whatever the time now: the steps below stay within that digest day.
    first = group_digest.day_boundary(utcnow() + TOMORROW) + timedelta(hours=1)
    assert run(mail_app, first) == 3
    # The same hour again, in another process: nothing new is due.
    again = create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port),
                       instance_path=str(tmp_path / "other"))
    assert run(again, first + timedelta(minutes=30)) == 0
    # An event published after the day's digest goes out with the next day's, once.
    with mail_app.app_context():
        boundary = group_digest.day_boundary(first)
    later = make_event(mail_app, group=club, title="Late concert")
    with mail_app.app_context():
        Event.update(created_at=boundary + timedelta(hours=1)).where(Event.id == later.id).execute()
    assert run(again, first + timedelta(hours=2)) == 0
    assert run(again, first + TOMORROW) == 3
    messages = smtp.wait_for(6)
    assert all("Late concert" in body(m) and "Open picnic" not in body(m) for m in messages[3:])
    assert run(again, first + TOMORROW) == 0 and len(smtp.messages) == 6


def test_digests_queued_while_the_mail_server_is_down_go_out_once_it_is_back(club, smtp, tmp_path, app_config):
    down = create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2,
                           MAIL_BACKOFF_SCALE=0.0), instance_path=str(tmp_path / "down"))
    now = utcnow() + TOMORROW
    assert run(down, now) == 3  # queued, and the day recorded with them: no digest is written twice
    with down.app_context():
        assert [row.attempts for row in OutgoingMail.select()] == [1, 1, 1]
    up = create_app(dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port),
                    instance_path=str(tmp_path / "up"))
    assert run(up, now + timedelta(hours=1)) == 0
    with up.app_context():
        assert mail_queue.send_queued() == 3
    assert len(smtp.wait_for(3)) == 3


def test_an_identity_may_turn_its_digest_off_and_back_on_without_a_backlog(mail_app, smtp, club):
    make_account(mail_app, "eve@example.org", "eve")
    client = mail_app.test_client()
    log_in(client, "cat@example.org")
    page = client.get("/identities/cat/group-digest")
    assert page.status_code == 200 and b'checked' in page.data
    submit(client, "/identities/cat/group-digest", {}, follow_redirects=True)  # the box unticked
    assert client.get("/identities/eve/group-digest").status_code == 404  # another account's identity
    assert run(mail_app, utcnow() + TOMORROW) == 2
    assert "cat@example.org" not in by_recipient(smtp.wait_for(2))
    response = submit(client, "/identities/cat/group-digest", {"enabled": "y"}, follow_redirects=True)
    assert response.status_code == 200 and b"checked" in response.data
    # Turned back on, it starts from now: the events it missed are not sent late.
    assert run(mail_app, utcnow() + 2 * TOMORROW) == 0


@pytest.mark.parametrize("now, boundary", [
    ("2026-12-05 05:59", "2026-12-04 06:00"),
    ("2026-12-05 06:00", "2026-12-05 06:00"),
    ("2026-12-05 23:30", "2026-12-05 06:00"),
])
def test_a_digest_covers_the_day_up_to_the_digest_hour(now, boundary):
    from datetime import UTC, datetime

    def moment(text):
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)

    assert group_digest.DIGEST_HOUR == 6
    assert group_digest.day_boundary(moment(now)) == moment(boundary)


def test_the_scheduler_job_runs_in_its_own_app_context(mail_app, smtp, club):
    from mobilizon_lite.scheduler import build_scheduler

    build_scheduler(mail_app).get_job("send_group_digests").func()
    # The events were published after the latest digest hour: they wait for the next digest.
    with mail_app.app_context():
        boundary = group_digest.day_boundary(utcnow())
        assert [row.covered_until for row in GroupDigest.select()] == [boundary] * 3
    assert smtp.messages == []
