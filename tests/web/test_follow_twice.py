"""A follow request sent twice at the same moment (a button pressed twice): the second is answered as one
already made, not as a server error."""
import pytest

from mobilizon_lite.models import Actor, Follow
from mobilizon_lite.services import follows
from mobilizon_lite.services.errors import Invalid

from ..federation.remote import ACTOR
from ..helpers import make_account


def test_a_follow_made_meanwhile_is_answered_as_already_made(app, monkeypatch):
    make_account(app)
    with app.test_request_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        alice = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox")
        follows.follow_actor(ann, alice)
        # The other request looked before this one wrote: it found no follow, then meets this one's row.
        monkeypatch.setattr(Follow, "get_or_none", classmethod(lambda _model, *_conditions: None))
        with pytest.raises(Invalid, match="already follow"):
            follows.follow_actor(ann, alice)
        monkeypatch.undo()
        assert Follow.select().where((Follow.follower == ann) & (Follow.followed == alice)).count() == 1
