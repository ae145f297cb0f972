"""An organiser's message reaches a participant on another real instance as a direct Note, addressed to
them only, and shows on that instance's event page for them."""
import json

import pytest
import requests

from ..helpers import wait_until
from .live import copy_of, create_event, follow, join, one, participant_count, post_form

pytestmark = pytest.mark.slow

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def instances(tmp_path, federating):
    a = federating(tmp_path, "127.0.0.2", "alpha", "ann")
    b = federating(tmp_path, "127.0.0.3", "beta", "bob", "cat")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def test_a_remote_participant_receives_the_message_as_a_note_to_them_only(instances):
    a, b = instances
    ann, bob, cat = a.session("ann@example.org"), b.session("bob@example.org"), b.session("cat@example.org")
    follow(b, bob, f"{a.base}/@ann")
    wait_until(lambda: a.collection_size("/@ann/followers") == 1, timeout=20)
    uuid = create_event(a, ann, title="Picnic by the river")
    copy = copy_of(b, "Picnic by the river")
    assert join(b, bob, copy).status_code == 302
    wait_until(lambda: participant_count(a, uuid) == 1, timeout=20)

    page = f"/events/{uuid}/messages/new"
    response = post_form(a, ann, page, {"audience": "all", "subject": "Meeting point moved",
                                        "text": "We meet at the bridge."}, page=page)
    assert response.status_code == 302, response.text[-2000:]

    # What A sent: one Create of a Note, delivered to B's inbox only, addressed to bob only.
    sent = one(a, "SELECT id, body FROM activity WHERE type = 'Create' AND body LIKE ?", "%Meeting point moved%")
    create = json.loads(sent["body"])
    note = create["object"]
    bob_id = f"{b.base}/@bob"
    assert create["actor"] == note["attributedTo"] == f"{a.base}/@ann"
    assert create["to"] == note["to"] == [bob_id] and not create["cc"] and not note["cc"]
    assert AS_PUBLIC not in json.dumps(create) and "/followers" not in json.dumps(create)
    event_id = f"{a.base}/events/{uuid}"
    assert note["type"] == "Note" and note["inReplyTo"] == note["context"] == event_id
    assert note["name"] == "Meeting point moved" and "We meet at the bridge." in note["content"]
    assert "ann@example.org" not in json.dumps(create)
    assert one(a, "SELECT COUNT(*) AS n FROM delivery WHERE activity_id = ?", sent["id"])["n"] == 1
    # Nothing serves it to whoever asks.
    assert requests.get(create["id"], headers={"Accept": "application/activity+json"}, timeout=5).status_code == 404

    # B, once its signed POST arrived, keeps it as a message of the organisers, not as a comment.
    wait_until(lambda: one(b, "SELECT subject FROM event_message WHERE ap_id = ?", note["id"]), timeout=30)
    assert one(b, "SELECT text FROM event_message")["text"] == "We meet at the bridge."
    # Shown to bob, who takes part, not to cat; on A to the organiser.
    assert one(b, "SELECT COUNT(*) AS n FROM comment")["n"] == 0
    assert "We meet at the bridge." in bob.get(f"{b.base}/events/{copy}").text
    assert "We meet at the bridge." not in cat.get(f"{b.base}/events/{copy}").text
    assert "We meet at the bridge." in ann.get(f"{a.base}/events/{uuid}").text
