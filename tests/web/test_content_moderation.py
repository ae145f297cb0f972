"""Staff remove anyone's content from its page: ours deleted (and told to other servers as its author's
deletion is), another server's removed here only; each removal logged with its reason."""
import pytest

from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.models import Account, Activity, Actor, DiscussionComment, Event, Follow, ModerationLog, Post
from mobilizon_lite.services import comments, discussions, posts

from ..federation.remote import ACTOR, remote_event, send
from ..helpers import csrf_token, make_account, make_event, submit
from .group_content_helpers import client_of, club_fixture  # noqa: F401

REMOVE = "Remove (moderation)"


@pytest.fixture
def moderator(app):
    """mod's client, logged in: an instance moderator."""
    make_account(app, "mod@example.org", "modo")
    with app.app_context():
        Account.update(role="moderator").where(Account.email == "mod@example.org").execute()
    return client_of(app, "mod")


@pytest.fixture
def staff(app, moderator):
    """ann (a user, organiser of "Repair café") and mod (a moderator), logged in."""
    make_account(app, "ann@example.org", "ann")
    make_event(app, "ann")
    return {"user": client_of(app, "ann"), "moderator": moderator}


def log_lines(app):
    with app.app_context():
        return [(line.moderator.email if line.moderator else None, line.action, line.target_type,
                 line.target_label, line.reason) for line in ModerationLog.select().order_by(ModerationLog.id)]


def the_event(app):
    with app.app_context():
        return Event.get(Event.title == "Repair café")


def test_staff_alone_see_the_control_and_reach_the_page(app, staff):
    event = the_event(app)
    assert REMOVE in staff["moderator"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert REMOVE not in staff["user"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert REMOVE not in app.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    path = f"/admin/content/event/{event.id}/remove"
    assert staff["user"].get(path).status_code == 403
    token = csrf_token(staff["user"], "/settings/")
    assert staff["user"].post(path, data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert staff["moderator"].get("/admin/content/account/1/remove").status_code == 404
    assert staff["moderator"].get("/admin/content/event/99999/remove").status_code == 404
    assert the_event(app) is not None and log_lines(app) == []


def test_a_moderator_deletes_a_local_event_and_its_deletion_goes_out(app, staff):
    event = the_event(app)
    with app.app_context():
        # Someone elsewhere follows ann: her event's Delete goes to them.
        follower = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR,
                                inbox=f"{ACTOR}/inbox", public_key_pem=generate_key_pair()[1])
        Follow.create(follower=follower, followed=Actor.get(Actor.preferred_username == "ann"),
                      ap_id=f"{ACTOR}/follows/1", accepted=True)
    path = f"/admin/content/event/{event.id}/remove"
    assert "Reason (kept in the moderation log)" in staff["moderator"].get(path).get_data(as_text=True)
    response = submit(staff["moderator"], path, {"reason": "scam"})
    assert response.status_code == 302
    assert app.test_client().get(f"/events/{event.uuid}").status_code == 404
    assert log_lines(app) == [("mod@example.org", "remove", "event", "Repair café", "scam")]
    with app.app_context():
        deletes = [row.body for row in Activity.select().where(Activity.type == "Delete")]
    assert any(body["object"]["id"] == event.ap_id for body in deletes)


def test_a_moderator_removes_a_comment_from_the_thread(app, staff):
    event = the_event(app)
    with app.app_context():
        comment = comments.comment_on(Event.get_by_id(event.id), Actor.get(Actor.preferred_username == "ann"),
                                      "Buy my pills")
    page = staff["moderator"].get(f"/events/{event.uuid}").get_data(as_text=True)
    path = f"/admin/content/comment/{comment.id}/remove"
    assert path in page
    assert path not in staff["user"].get(f"/events/{event.uuid}").get_data(as_text=True)
    response = submit(staff["moderator"], path, {"reason": "spam"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.uuid}")
    assert "Buy my pills" not in app.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert log_lines(app) == [("mod@example.org", "remove", "comment", "Buy my pills", "spam")]
    assert staff["moderator"].get(path).status_code == 404  # already gone


def test_a_moderator_removes_a_group_post_and_a_discussion_message(app, club, moderator):
    staff = {"moderator": moderator, "user": client_of(app, "bob")}
    with app.app_context():
        group, ann, bob = (Actor.get(Actor.preferred_username == name) for name in ("club", "ann", "bob"))
        post = posts.create_post(group, ann, {"title": "Vente de montres", "body": "Pas chères"})
        discussion = discussions.start_discussion(group, bob, "Pique-nique", "Achetez mes montres")
        message = DiscussionComment.get(DiscussionComment.discussion == discussion)
    assert REMOVE in staff["moderator"].get(f"/p/{post.slug}").get_data(as_text=True)
    assert REMOVE not in staff["user"].get(f"/p/{post.slug}").get_data(as_text=True)
    assert submit(staff["moderator"], f"/admin/content/post/{post.id}/remove", {"reason": "ad"}).status_code == 302
    assert submit(staff["moderator"], f"/admin/content/message/{message.id}/remove",
                  {"reason": "ad again"}).status_code == 302
    with app.app_context():
        assert not Post.select().where(Post.id == post.id).exists()
        assert DiscussionComment.get_by_id(message.id).deleted_at is not None
    assert log_lines(app) == [("mod@example.org", "remove", "post", "Vente de montres", "ad"),
                              ("mod@example.org", "remove", "message", "Achetez mes montres", "ad again")]


def test_remote_content_is_removed_here_only(app, staff):
    private, public = generate_key_pair()
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, public_key_pem=public,
                     inbox=f"{ACTOR}/inbox")
    assert send(app, private, "Create", remote_event(), 1).status_code == 202
    with app.app_context():
        event = Event.get(Event.ap_id == remote_event()["id"])
        queued = Activity.select().count()
    assert REMOVE in staff["moderator"].get(f"/events/{event.uuid}").get_data(as_text=True)
    page = staff["moderator"].get(f"/admin/content/event/{event.id}/remove").get_data(as_text=True)
    assert "removed from this instance only" in page
    assert submit(staff["moderator"], f"/admin/content/event/{event.id}/remove", {"reason": "hoax"}).status_code == 302
    with app.app_context():
        assert not Event.select().where(Event.id == event.id).exists()
        assert Activity.select().count() == queued  # nothing sent: the event is its server's
    assert log_lines(app) == [("mod@example.org", "remove", "event", "Fête de quartier", "hoax")]
