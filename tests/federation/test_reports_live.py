"""Reports between servers, with a running instance and a bovine peer: a report forwarded as a Flag from the
instance actor (the reporter never named), and a signed Flag about our content landing in the queue."""
import json

import pytest

from ..helpers import wait_until
from .live import create_event, follow, handled, identity_id, one, post_form
from .peer import Peer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def instance(tmp_path_factory, federating):
    with federating(tmp_path_factory.mktemp("reports"), "127.0.0.7", "ours", "ann") as server:
        yield server


@pytest.fixture(scope="module")
def peer():
    server = Peer("127.0.0.8").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ann(instance):
    return instance.session("ann@example.org")


def test_a_forwarded_report_reaches_the_content_server_as_a_flag_from_the_instance(instance, peer, ann):
    follow(instance, ann, peer.actor_id)  # the instance now knows bob
    page = f"/report?item={peer.actor_id}"
    form = ann.get(instance.base + page).text
    assert 'name="forward"' in form  # bob is of another server
    response = post_form(instance, ann, page, {"identity": identity_id(instance, ann), "reason": "spam",
                                               "comment": "Sends adverts to everyone", "forward": "y"}, page=page)
    assert response.status_code == 200, response.text[-2000:]

    flag, owner = wait_until(lambda: next(((a, o) for a, o in peer.inbox if a.get("type") == "Flag"), None),
                             timeout=20)
    relay = f"{instance.base}/relay"
    assert owner == relay and flag["actor"] == relay  # signed by the instance actor, which bovine verified
    assert flag["object"] == [peer.actor_id] and flag["cc"] == [peer.actor_id] and flag["to"] == []
    assert flag["content"] == "Sends adverts to everyone" and flag["mediaType"] == "text/plain"
    # Nothing names the reporter: neither the identity, its address, nor its account.
    sent = json.dumps(flag)
    assert "ann" not in sent and "@ann" not in sent and "example.org" not in sent
    report = one(instance, "SELECT state, forwarded_at FROM report WHERE reported_id = "
                           "(SELECT id FROM actor WHERE ap_id = ?)", peer.actor_id)
    assert report["state"] == "open" and report["forwarded_at"]


def test_a_signed_flag_about_our_content_lands_in_the_queue(instance, peer, ann):
    uuid = create_event(instance, ann, title="Vide-grenier")
    ann_id, event_id = f"{instance.base}/@ann", f"{instance.base}/events/{uuid}"
    flag = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/reports/1", "type": "Flag",
            "actor": peer.actor_id, "content": "Fake event", "mediaType": "text/plain",
            "object": [ann_id, event_id, f"{peer.base}/notes/elsewhere"], "to": [], "cc": [ann_id]}
    status, answer = peer.post(f"{instance.base}/inbox", flag)
    assert (status, answer["status"]) == (202, "accepted")
    handled(instance, flag["id"])
    report = one(instance, "SELECT report.id, state, comment, reason, email, actor.ap_id AS reporter FROM report "
                           "JOIN actor ON actor.id = report.reporter_id WHERE remote_id = ?", flag["id"])
    assert report == {**report, "state": "open", "comment": "Fake event", "reason": "other", "email": None,
                      "reporter": peer.actor_id}
    items = instance.query("SELECT ap_id FROM report_item WHERE report_id = ? ORDER BY id", report["id"])
    assert [item["ap_id"] for item in items] == [ann_id, event_id]
    # Sent again (a retry), it is the same report.
    status, answer = peer.post(f"{instance.base}/inbox", flag)
    assert status == 202
    assert one(instance, "SELECT count(*) AS n FROM report WHERE remote_id = ?", flag["id"])["n"] == 1
