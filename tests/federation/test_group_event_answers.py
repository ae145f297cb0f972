"""Joins of a group's event of another server are answered by the group's moderators there: an Accept
from an actor of that server counts unless we know its role in the group is below moderator; one from
another server never does."""
import uuid

import pytest

from mobilizon_lite.models import Actor, Event, Member, Participation

from ..helpers import log_in, submit
from .remote import EVE, EVENT_ID, REMOTE, remote_event, send, sent

GROUP = f"{REMOTE}/@club"
MALLORY = f"{REMOTE}/users/mallory"


@pytest.fixture
def keys(remote_keys):
    return remote_keys[0][0], remote_keys[1][0]


def role_of_ann(app):
    with app.app_context():
        return Participation.select().join(Actor).where(Actor.preferred_username == "ann").get().role


def test_a_moderator_of_the_group_answers_a_join_of_its_event(fed, keys):
    with fed.app_context():
        group = Actor.create(type="Group", preferred_username="club", domain="remote.example", ap_id=GROUP,
                             inbox=f"{GROUP}/inbox")
        mallory = Actor.get(Actor.ap_id == MALLORY)
        member = Member.create(uuid=str(uuid.uuid4()), ap_id=f"{REMOTE}/member/1", group=group, actor=mallory,
                               role="member")
    send(fed, keys[0], "Create", remote_event(attributedTo=GROUP, joinMode="restricted"), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
        assert event.attributed_to_id == group.id
    client = fed.test_client()
    log_in(client)
    page = f"/events/{event.uuid}"
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    assert submit(client, f"{page}/join", {"identity": ann.id}, page=page).status_code == 302
    [join] = sent(fed, "Join")
    # Someone of another server, then a plain member of the group we know of: neither decides.
    send(fed, keys[1], "Accept", join["id"], 2, actor=EVE)
    send(fed, keys[1], "Accept", join["id"], 3, actor=MALLORY)
    assert role_of_ann(fed) == "not_approved"
    # Made moderator there, mallory's Accept counts, naming the group as Mobilizon's do.
    with fed.app_context():
        Member.update(role="moderator").where(Member.id == member.id).execute()
    send(fed, keys[1], "Accept", join["id"], 4, actor=MALLORY, attributedTo=GROUP)
    assert role_of_ann(fed) == "participant"
