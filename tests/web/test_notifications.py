"""Notification emails: each kind sent once to the accounts concerned, in their language, with the link to
the settings page, and never to an account that turned that kind off."""
import re
from datetime import timedelta

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Actor, Follow, Participation
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import (
    accounts,
    comments,
    decisions,
    group_digest,
    identities,
    members,
    notifications,
    participation,
)
from mobilizon_lite.services.groups import new_member_row

from ..helpers import BASE_URL, errors, log_in, make_account, make_event, make_group, submit

SETTINGS = f"{BASE_URL}/settings/notifications"
DEFAULTS = {"comments": "y", "participation_requests": "y", "participation_decisions": "y", "invitations": "y",
            "group_events": "daily"}


@pytest.fixture
def people(mail_app):
    """ann, bob and cat, each logged in; bob's account has a second identity, bob_secret."""
    clients = {}
    for name in ("ann", "bob", "cat"):
        account = make_account(mail_app, f"{name}@example.org", name)
        if name == "bob":
            with mail_app.app_context():
                identities.create_identity(Account.get_by_id(account.id), "bob_secret", name="Robert in disguise")
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def speaks_french(app, name):
    with app.app_context():
        accounts.set_locale(Account.get(Account.email == f"{name}@example.org"), "fr")


def choose(client, **changes):
    """Save the notification settings page as a browser does: unchecked boxes are not sent."""
    data = {name: value for name, value in dict(DEFAULTS, **changes).items() if value}
    response = submit(client, "/settings/notifications", data)
    assert response.status_code == 302, errors(response)


def checked(page):
    """The names (and values, of radio buttons) of the inputs a page shows checked."""
    inputs = re.findall(r"<input [^>]*>", page)
    return {(re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag).group(1))
            for tag in inputs if " checked" in tag}


def body(message):
    return message.get_content()


def only(smtp, count, to):
    """The count messages received, all to the addresses of to (in order), with nothing more."""
    messages = smtp.wait_for(count)
    assert [message["To"] for message in smtp.messages] == to
    return messages


def test_the_page_keeps_each_choice_and_refuses_what_it_does_not_offer(mail_app, people):
    settings = people["ann"].get("/settings/").get_data(as_text=True)
    assert 'href="/settings/notifications"' in settings
    page = people["ann"].get("/settings/notifications").get_data(as_text=True)
    assert page.count("<fieldset") == 3  # the kinds, the groups' events, the reminders
    assert {item for item in checked(page) if not item[0].startswith("remind_")} == {
        ("comments", "y"), ("participation_requests", "y"), ("participation_decisions", "y"),
        ("invitations", "y"), ("group_events", "daily")}  # the defaults: all on, daily
    choose(people["ann"], comments="", invitations="", group_events="immediate")
    with mail_app.app_context():
        account = Account.get(Account.email == "ann@example.org")
        assert notifications.settings_of(account) == {
            "comments": False, "participation_requests": True, "participation_decisions": True,
            "invitations": False, "group_events": "immediate"}
        assert not notifications.wants(account, notifications.COMMENTS)
        assert notifications.wants(account, notifications.GROUP_EVENTS_NOW_KIND)
        assert not notifications.wants(account, notifications.GROUP_EVENTS_DAILY_KIND)
    page = people["ann"].get("/settings/notifications").get_data(as_text=True)
    assert {item for item in checked(page) if not item[0].startswith("remind_")} == {
        ("participation_requests", "y"), ("participation_decisions", "y"),
                             ("group_events", "immediate")}
    response = submit(people["ann"], "/settings/notifications", dict(DEFAULTS, group_events="hourly"))
    assert response.status_code == 400 and errors(response)
    assert people["bob"].get("/settings/notifications").status_code == 200
    assert mail_app.test_client().get("/settings/notifications").status_code == 302  # log in first


def test_a_comment_tells_the_organiser_and_those_of_its_thread_never_its_author(mail_app, people, smtp):
    event = make_event(mail_app, title="Repair café")
    speaks_french(mail_app, "ann")
    with mail_app.app_context():
        first = comments.comment_on(event, actor(mail_app, "bob_secret"), "Is there **parking**?")
    [to_ann] = only(smtp, 1, ["ann@example.org"])
    assert to_ann["Subject"] == "Nouveau commentaire sur Repair café"
    assert "@bob_secret" in body(to_ann) and "Is there parking?" in body(to_ann)
    assert f"{BASE_URL}/events/{event.uuid}/comments/{first.uuid}" in body(to_ann) and SETTINGS in body(to_ann)
    assert "@bob@" not in body(to_ann) and "bob@example.org" not in body(to_ann)

    # cat answers: the organiser and bob (who wrote in the thread) each get one email; cat none.
    with mail_app.app_context():
        reply = comments.comment_on(event, actor(mail_app, "cat"), "Behind the hall.", in_reply_to=first.id)
    mails = {message["To"]: message for message in smtp.wait_for(3)[1:]}
    assert set(mails) == {"ann@example.org", "bob@example.org"}
    assert mails["bob@example.org"]["Subject"] == "New comment on Repair café"
    assert "answered in a thread you wrote in" in body(mails["bob@example.org"])
    assert f"/comments/{reply.uuid}" in body(mails["bob@example.org"]) and SETTINGS in body(mails["bob@example.org"])
    assert "a écrit un commentaire" in body(mails["ann@example.org"])

    # bob answers as his other identity: he is the author, so only ann and cat hear of it.
    with mail_app.app_context():
        comments.comment_on(event, actor(mail_app, "bob"), "Thanks!", in_reply_to=reply.id)
    assert sorted(message["To"] for message in smtp.wait_for(5)[3:]) == ["ann@example.org", "cat@example.org"]
    # The organiser writing on her own event tells the thread's writers, not herself.
    with mail_app.app_context():
        comments.comment_on(event, actor(mail_app, "ann"), "See you there", in_reply_to=first.id)
    assert sorted(message["To"] for message in smtp.wait_for(7)[5:]) == ["bob@example.org", "cat@example.org"]
    assert len(smtp.messages) == 7


def test_comments_turned_off_tell_nobody(mail_app, people, smtp):
    event = make_event(mail_app)
    choose(people["ann"], comments="")
    with mail_app.app_context():
        first = comments.comment_on(event, actor(mail_app, "bob"), "First")
    choose(people["bob"], comments="")
    with mail_app.app_context():
        comments.comment_on(event, actor(mail_app, "cat"), "Second", in_reply_to=first.id)
        # A kind still on goes out, and nothing before it did.
        participation.invite(make_event(mail_app, join_mode="invite"), actor(mail_app, "ann"), "cat")
    [invitation] = only(smtp, 1, ["cat@example.org"])
    assert invitation["Subject"].startswith("You are invited") and SETTINGS in body(invitation)


def test_participation_requests_and_decisions_follow_the_settings(mail_app, people, smtp):
    event = make_event(mail_app, join_mode="restricted", title="Workshop")
    speaks_french(mail_app, "bob")
    with mail_app.app_context():
        participation.join(event, actor(mail_app, "bob"), "Please")
    [request] = only(smtp, 1, ["ann@example.org"])
    assert request["Subject"] == "New request to join Workshop" and SETTINGS in body(request)
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == actor(mail_app, "bob")).id
        decisions.approve(event, actor(mail_app, "ann"), pid)
    [_request, approved] = only(smtp, 2, ["ann@example.org", "bob@example.org"])
    assert approved["Subject"] == "Vous participez à Workshop" and SETTINGS in body(approved)

    choose(people["ann"], participation_requests="")
    choose(people["bob"], participation_decisions="")
    with mail_app.app_context():
        decisions.reject(event, actor(mail_app, "ann"), pid)
        participation.join(event, actor(mail_app, "cat"))
        cat_pid = Participation.get(Participation.actor == actor(mail_app, "cat")).id
        decisions.approve(event, actor(mail_app, "ann"), cat_pid)
    only(smtp, 3, ["ann@example.org", "bob@example.org", "cat@example.org"])


def test_group_requests_decisions_and_invitations_follow_the_settings(mail_app, people, smtp):
    group = make_group(mail_app, name="Vélo club", openness="moderated")
    speaks_french(mail_app, "cat")
    with mail_app.app_context():
        members.invite(group, actor(mail_app, "ann"), "cat")
    [invitation] = only(smtp, 1, ["cat@example.org"])
    assert invitation["Subject"] == "Vous êtes invité·e à rejoindre Vélo club" and SETTINGS in body(invitation)
    assert "Pour choisir les courriels que vous recevez" in body(invitation)

    choose(people["bob"], invitations="")
    choose(people["ann"], participation_requests="")
    with mail_app.app_context():
        members.invite(group, actor(mail_app, "ann"), "bob_secret")
        member = members.join_group(group, actor(mail_app, "bob"), "Let me in")
        members.decide_request(group, actor(mail_app, "ann"), member.uuid, approve=True)
    [_invitation, decided] = only(smtp, 2, ["cat@example.org", "bob@example.org"])
    assert decided["Subject"] == "You are a member of Vélo club" and "bob_secret" not in body(decided)


def test_a_group_event_reaches_each_account_as_it_chose(mail_app, people, smtp):
    group = make_group(mail_app, name="Vélo club")
    with mail_app.app_context():
        for name in ("bob", "bob_secret", "cat"):
            new_member_row(group, actor(mail_app, name), Role.MEMBER)
    choose(people["bob"], group_events="immediate")
    choose(people["cat"], group_events="off")
    speaks_french(mail_app, "bob")
    event = make_event(mail_app, group=group, title="Night ride")
    # bob's account once (two of its identities are members), naming neither; ann made it; cat chose none.
    [now] = only(smtp, 1, ["bob@example.org"])
    assert now["Subject"] == "Nouvel événement de Vélo club : Night ride"
    assert f"/events/{event.uuid}" in body(now) and SETTINGS in body(now) and "bob_secret" not in body(now)

    # The daily digest goes to those who chose it only: ann (the default), not bob (told at once) nor cat.
    with mail_app.app_context():
        assert group_digest.send_group_digests(utcnow() + timedelta(days=1)) == 1
    [_now, digest] = only(smtp, 2, ["bob@example.org", "ann@example.org"])
    assert "Night ride" in body(digest) and SETTINGS in body(digest)
    # Turned back to daily, bob is not sent the day that passed.
    choose(people["bob"], group_events="daily")
    with mail_app.app_context():
        assert group_digest.send_group_digests(utcnow() + timedelta(days=1, hours=1)) == 0


def test_a_follower_hears_of_public_events_only(mail_app, people, smtp):
    group = make_group(mail_app, name="Vélo club")
    with mail_app.app_context():
        Follow.create(follower=actor(mail_app, "cat"), followed=group, accepted=True,
                      ap_id=f"{BASE_URL}/follows/1")
    choose(people["cat"], group_events="immediate")
    make_event(mail_app, group=group, title="Board meeting", visibility="private")
    make_event(mail_app, group=group, title="Open ride")
    [now] = only(smtp, 1, ["cat@example.org"])
    assert now["Subject"] == "New event of Vélo club: Open ride"


def test_a_deleted_account_is_told_nothing(mail_app, people, smtp):
    event = make_event(mail_app)
    with mail_app.app_context():
        Account.update(deleted_at=utcnow()).where(Account.email == "ann@example.org").execute()
        first = comments.comment_on(event, actor(mail_app, "bob"), "Hello?")
        comments.comment_on(event, actor(mail_app, "cat"), "Hi", in_reply_to=first.id)
    only(smtp, 1, ["bob@example.org"])
