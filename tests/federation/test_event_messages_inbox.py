"""Direct Notes received: from an event's server to our identities taking part in it, a message of its
organisers shown to them; from anyone else, or to anyone else, nothing."""
import pytest

from mobilizon_lite.models import Actor, Comment, Event, EventMessage, Participation
from mobilizon_lite.models.limits import EVENT_MESSAGE_MAX

from ..helpers import log_in, make_account, make_event
from .remote import ACTOR, EVE, EVENT_ID, REMOTE, remote_event, send

ANN = "http://events.test/@ann"


@pytest.fixture
def keys(remote_keys):
    return remote_keys[0][0], remote_keys[1][0]


def direct(number, to, in_reply_to=EVENT_ID, attributed_to=ACTOR, **changes):
    return {"id": f"{REMOTE}/notes/{number}", "type": "Note", "attributedTo": attributed_to, "name": "Rain plan",
            "content": "<p>We move <b>indoors</b>.</p><script>x</script>", "inReplyTo": in_reply_to,
            "to": to, "cc": [], **changes}


@pytest.fixture
def taking_part(fed, keys):
    """alice's event, held here, which ann takes part in and bob, also here, does not."""
    make_account(fed, "bob@example.org", "bob")
    send(fed, keys[0], "Create", remote_event(), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
        Participation.create(event=event, actor=Actor.get(Actor.preferred_username == "ann"), role="participant")
    return event


def messages(app):
    with app.app_context():
        return [(row.subject, row.text, row.sender.ap_id) for row in EventMessage.select()]


def test_a_direct_note_from_the_events_server_is_a_message_for_its_participants(fed, keys, taking_part):
    assert send(fed, keys[0], "Create", direct(1, [ANN]), 2, to=[ANN]).status_code == 202
    assert messages(fed) == [("Rain plan", "We move indoors.", ACTOR)]
    # Sent again (another Create of the same Note): kept once.
    send(fed, keys[0], "Create", direct(1, [ANN]), 3, to=[ANN])
    assert len(messages(fed)) == 1
    ann, bob = fed.test_client(), fed.test_client()
    log_in(ann)
    log_in(bob, "bob@example.org")
    assert "We move indoors." in ann.get(f"/events/{taking_part.uuid}").get_data(as_text=True)
    assert "We move indoors." not in bob.get(f"/events/{taking_part.uuid}").get_data(as_text=True)
    with fed.app_context():
        assert Comment.select().count() == 0


def test_what_is_not_such_a_message_is_ignored(fed, keys, taking_part):
    event = make_event(fed)
    cases = [
        # From another server than the event's.
        (direct(2, [ANN], attributed_to=EVE, id="https://elsewhere.example/notes/2"), EVE, keys[1]),
        (direct(3, ["http://events.test/@bob"]), ACTOR, keys[0]),  # to someone not taking part
        (direct(4, [ANN], in_reply_to=event.ap_id), ACTOR, keys[0]),  # to an organiser here: left alone
        (direct(5, [ANN], content=""), ACTOR, keys[0]),  # empty
        (direct(6, [ANN], in_reply_to=None), ACTOR, keys[0]),  # answering nothing
    ]
    for number, (note, actor, key) in enumerate(cases, start=10):
        assert send(fed, key, "Create", note, number, actor=actor, to=note["to"]).status_code == 202
    assert messages(fed) == []
    with fed.app_context():
        assert Comment.select().count() == 0


def test_a_long_message_is_cut(fed, keys, taking_part):
    send(fed, keys[0], "Create", direct(7, [ANN], content="<p>" + "a" * (EVENT_MESSAGE_MAX * 3) + "</p>",
                                        name="x" * 1000), 2, to=[ANN])
    [(subject, text, _sender)] = messages(fed)
    assert len(text) == EVENT_MESSAGE_MAX and len(subject) == 200


def test_a_message_to_those_accepted_is_not_shown_to_those_waiting(fed, keys, taking_part):
    with fed.app_context():
        Participation.create(event=taking_part, actor=Actor.get(Actor.preferred_username == "bob"),
                             role="not_approved")
    send(fed, keys[0], "Create", direct(8, [ANN]), 2, to=[ANN])
    with fed.app_context():
        assert [row.audience for row in EventMessage.select()] == ["accepted"]
    bob = fed.test_client()
    log_in(bob, "bob@example.org")
    assert "We move indoors." not in bob.get(f"/events/{taking_part.uuid}").get_data(as_text=True)
