"""What arrives signed in the inbox is news to the accounts here it concerns: a comment from another server to
the event's organiser and the thread's writers, a remote group's new event to its followers here."""
import pytest

from mobilizon_lite.models import Account, Actor, Comment, Follow
from mobilizon_lite.models.actors import TYPE_GROUP
from mobilizon_lite.services import comments, notifications

from ..helpers import BASE_URL, make_account, make_event
from .remote import ACTOR, REMOTE, remote_event, send
from .test_remote_comments import PUBLIC, note


@pytest.fixture
def app(mail_app):
    """The federation fixtures' instance, its email going to the loopback SMTP server."""
    return mail_app


@pytest.fixture
def keys(remote_keys):
    return remote_keys[0][0], remote_keys[1][0]


def test_a_remote_comment_tells_the_organiser_once_in_her_language(fed, keys, smtp):
    event = make_event(fed, title="Repair café")
    make_account(fed, "bob@example.org", "bob")
    with fed.app_context():
        Account.update(locale="fr").where(Account.email == "ann@example.org").execute()
    reply = note(1, event.ap_id, "<p>Count me in</p>")
    assert send(fed, keys[0], "Create", reply, 1, to=[PUBLIC]).status_code == 202
    # Delivered twice, it is one comment and one email.
    send(fed, keys[0], "Create", reply, 2, to=[PUBLIC])
    [told] = smtp.wait_for(1)
    with fed.app_context():
        comment = Comment.get(Comment.ap_id == reply["id"])
    assert told["To"] == "ann@example.org" and told["Subject"] == "Nouveau commentaire sur Repair café"
    text = told.get_content()
    assert "@alice@remote.example" in text and "Count me in" in text
    assert f"{BASE_URL}/events/{event.uuid}/comments/{comment.uuid}" in text
    assert f"{BASE_URL}/settings/notifications" in text

    # A reply from elsewhere in a thread bob wrote in tells bob too; a direct message tells nobody.
    with fed.app_context():
        mine = comments.comment_on(event, Actor.get(Actor.preferred_username == "bob"), "Me too")
    send(fed, keys[0], "Create", note(3, event.ap_id, "<p>Just for you</p>", to=[event.organizer.ap_id]), 3,
         to=[event.organizer.ap_id])
    send(fed, keys[0], "Create", note(4, mine.ap_id, "<p>Great, bob</p>"), 4, to=[PUBLIC])
    later = smtp.wait_for(4)[1:]
    assert [message["To"] for message in later[:1]] == ["ann@example.org"]  # bob's own comment
    assert sorted(message["To"] for message in later[1:]) == ["ann@example.org", "bob@example.org"]
    assert all("Great, bob" in message.get_content() for message in later[1:])
    assert len(smtp.messages) == 4


def test_a_remote_groups_new_event_tells_its_followers_here_once(fed, keys, smtp):
    make_account(fed, "bob@example.org", "bob")
    group_id = f"{REMOTE}/@velo"
    with fed.app_context():
        group = Actor.create(preferred_username="velo", name="Vélo club", domain="remote.example", ap_id=group_id,
                             type=TYPE_GROUP, inbox=f"{group_id}/inbox")
        for number, (email, mode) in enumerate((("ann@example.org", "immediate"), ("bob@example.org", "daily"))):
            account = Account.get(Account.email == email)
            Follow.create(follower=Actor.get(Actor.account == account), followed=group, accepted=True,
                          ap_id=f"{BASE_URL}/follows/{number}")
            notifications.save_settings(account, dict(notifications.settings_of(account), group_events=mode))
    document = remote_event(attributedTo=[group_id, ACTOR])
    assert send(fed, keys[0], "Create", document, 1, to=[PUBLIC]).status_code == 202
    send(fed, keys[0], "Update", dict(document, name="Fête de quartier (moved)"), 2, to=[PUBLIC])
    [told] = smtp.wait_for(1)
    assert told["To"] == "ann@example.org" and told["Subject"] == "New event of Vélo club: Fête de quartier"
    assert f"{BASE_URL}/settings/notifications" in told.get_content()
    assert len(smtp.messages) == 1
