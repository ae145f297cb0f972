"""A group's own inbox takes signed activities, and a Follow of a group from another server is kept and
answered as for an identity."""
from mobilizon_lite.models import Actor, Delivery, Follow
from mobilizon_lite.services import groups

from ..helpers import make_account, make_group
from .remote import ACTOR, REMOTE, follow, post


def remote_alice(app, public):
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox",
                     public_key_pem=public)


def test_a_remote_follow_of_a_group_is_accepted(app, remote_keys):
    (private, public), _other = remote_keys
    make_account(app)
    make_group(app)
    remote_alice(app, public)
    response = post(app, follow(1, object="http://events.test/@club"), key=private, path="/@club/inbox")
    assert response.status_code == 202, response.json
    with app.app_context():
        row = Follow.get()
        assert row.followed.preferred_username == "club" and row.accepted
        [queued] = Delivery.select()
        assert queued.activity.type == "Accept" and queued.inbox_url == f"{ACTOR}/inbox"
        assert queued.activity.body["actor"] == "http://events.test/@club"
        assert queued.activity.body["object"]["id"] == f"{REMOTE}/activities/1"
    followers = app.test_client().get("/@club/followers?page=1").json
    assert followers["totalItems"] == 1 and followers["orderedItems"] == [ACTOR]


def test_a_group_approving_its_followers_keeps_the_request_waiting(app, remote_keys):
    (private, public), _other = remote_keys
    make_account(app)
    make_group(app, manually_approves_followers=True)
    remote_alice(app, public)
    post(app, follow(2, object="http://events.test/@club"), key=private, path="/@club/inbox")
    with app.app_context():
        assert Follow.get().accepted is False and not Delivery.select().exists()


def test_the_inbox_of_a_deleted_group_answers_410(app, remote_keys):
    (private, _public), _other = remote_keys
    make_account(app)
    group = make_group(app)
    with app.app_context():
        groups.delete_group(group, Actor.get(Actor.preferred_username == "ann"))
    response = post(app, follow(3, object="http://events.test/@club"), key=private, path="/@club/inbox",
                    handle=False)
    assert response.status_code == 410
