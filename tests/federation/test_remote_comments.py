"""Comments across servers: Notes answering our events become comments, ours go out as Notes."""
import json

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Activity, Actor, Comment, Event
from mobilizon_lite.models.limits import COMMENT_HTML_MAX
from mobilizon_lite.services import comments

from ..helpers import log_in, make_event, submit
from .remote import ACTOR, EVENT_ID, REMOTE, remote_event, send, sent

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note(number, in_reply_to, content="<p>Count me in</p>", **changes):
    return {"id": f"{REMOTE}/users/alice/statuses/{number}", "type": "Note", "attributedTo": ACTOR,
            "inReplyTo": in_reply_to, "content": content, "to": [PUBLIC], "cc": [], **changes}


def texts(app):
    with app.app_context():
        return {row.ap_id: (row.text, row.deleted_at is not None) for row in Comment.select()}


@pytest.fixture
def keys(remote_keys):
    return remote_keys[0][0], remote_keys[1][0]


def test_a_reply_to_an_event_becomes_a_comment(fed, keys):
    event = make_event(fed)
    reply = note(1, event.ap_id, '<p><span class="h-card">@ann</span> Count me in<script>x</script></p>',
                 published="2026-01-02T03:04:05Z")
    assert send(fed, keys[0], "Create", reply, 1, to=[PUBLIC]).status_code == 202
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Count me in" in page and "@alice@remote.example" in page and "<script>x" not in page
    # A reply to that comment joins its thread; a reply to the reply too (one level).
    send(fed, keys[0], "Create", note(2, reply["id"], "<p>Second</p>"), 2)
    send(fed, keys[0], "Create", note(3, note(2, "")["id"], "<p>Third</p>"), 3)
    with fed.app_context():
        first = Comment.get(Comment.ap_id == reply["id"])
        assert {c.text for c in first.replies} == {"<p>Second</p>", "<p>Third</p>"}
    # Only its author changes or deletes it.
    send(fed, keys[1], "Update", note(1, event.ap_id, "<p>Hijacked</p>", attributedTo=f"{REMOTE}/users/mallory"),
         4, actor=f"{REMOTE}/users/mallory")
    send(fed, keys[1], "Delete", reply["id"], 5, actor=f"{REMOTE}/users/mallory")
    assert texts(fed)[reply["id"]] == ("<p>@ann Count me in</p>", False)
    send(fed, keys[0], "Update", note(1, event.ap_id, "<p>Count me in, twice</p>"), 6)
    assert texts(fed)[reply["id"]] == ("<p>Count me in, twice</p>", False)
    send(fed, keys[0], "Delete", {"type": "Tombstone", "id": reply["id"]}, 7)
    assert texts(fed)[reply["id"]] == ("", True)  # a placeholder: it has replies
    # Delivered again late, the deleted Note stays deleted.
    send(fed, keys[0], "Update", note(1, event.ap_id, "<p>Back</p>"), 8)
    assert texts(fed)[reply["id"]] == ("", True)


def test_dates_from_the_edge_of_the_calendar_are_not_believed(fed, keys):
    event = make_event(fed)
    send(fed, keys[0], "Create", note(1, event.ap_id, published="0001-01-01T00:00:00+01:00"), 1)
    send(fed, keys[0], "Create", note(2, event.ap_id, published="1970-01-01T00:00:00Z"), 2)
    with fed.app_context():
        assert [c.created_at.year for c in Comment.select()] == [utcnow().year] * 2


def test_a_direct_message_is_never_a_public_comment(fed, keys):
    event = make_event(fed)
    private = note(1, event.ap_id, "<p>Just for you</p>", to=[event.organizer.ap_id], cc=[])
    assert send(fed, keys[0], "Create", private, 1, to=[event.organizer.ap_id]).status_code == 202
    assert texts(fed) == {}


def test_closed_private_and_unknown_threads_take_no_remote_comments(fed, keys):
    closed = make_event(fed, comment_mode="closed")
    private = make_event(fed, visibility="private")
    send(fed, keys[0], "Create", note(1, closed.ap_id), 1)
    send(fed, keys[0], "Create", note(2, private.ap_id), 2)
    send(fed, keys[0], "Create", note(3, "https://elsewhere.example/notes/1"), 3)
    send(fed, keys[0], "Create", note(4, closed.ap_id, attributedTo=f"{REMOTE}/users/mallory"), 4)
    assert texts(fed) == {}


def test_our_comments_go_out_as_notes(fed, keys):
    event = make_event(fed)
    send(fed, keys[0], "Join", event.ap_id, 1)
    client = fed.test_client()
    log_in(client)
    page = f"/events/{event.uuid}"
    assert submit(client, f"{page}/comments", {"text": "Bring **tools**"}, page=page).status_code == 302
    [create] = sent(fed, "Create")[1:]  # the first Create is the event's own
    note_document = create["object"]
    assert note_document["type"] == "Note" and note_document["inReplyTo"] == event.ap_id
    assert note_document["content"] == "<p>Bring <strong>tools</strong></p>" and create["to"] == [PUBLIC]
    with fed.app_context():
        comment = Comment.get()
        deliveries = [d.inbox_url for d in Activity.get(Activity.ap_id == create["id"]).deliveries]
    assert deliveries == [f"{REMOTE}/inbox"]  # the remote participant's server
    # The Note is served at its id.
    served = client.get(note_document["id"].removeprefix("http://events.test"),
                        headers={"Accept": "application/activity+json"})
    assert served.status_code == 200 and json.loads(served.data)["content"] == note_document["content"]
    # A remote reply to it, then an edit and a deletion of ours.
    send(fed, keys[0], "Create", note(5, note_document["id"], "<p>Yes!</p>"), 5)
    submit(client, f"{page}/comments/{comment.id}/edit", {"text": "Bring tools and glue"}, page=page)
    [update] = sent(fed, "Update")
    assert update["object"]["content"] == "<p>Bring tools and glue</p>"
    submit(client, f"{page}/comments/{comment.id}/delete", {}, page=page)
    [delete] = sent(fed, "Delete")
    assert delete["object"]["type"] == "Tombstone" and delete["object"]["id"] == note_document["id"]
    served = client.get(note_document["id"].removeprefix("http://events.test"),
                        headers={"Accept": "application/activity+json"})
    assert served.status_code == 410 and json.loads(served.data)["type"] == "Tombstone"


def test_commenting_on_a_remote_event_goes_to_its_server(fed, keys):
    send(fed, keys[0], "Create", remote_event(), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
        ann = Actor.get(Actor.preferred_username == "ann")
        comments.comment_on(event, ann, "Lovely")
    [create] = [body for body in sent(fed, "Create") if body["object"]["type"] == "Note"]
    assert create["object"]["inReplyTo"] == EVENT_ID and create["actor"] == ann.ap_id
    with fed.app_context():
        assert [d.inbox_url for d in Activity.get(Activity.ap_id == create["id"]).deliveries] == [f"{REMOTE}/inbox"]


def test_mobilizon_deletes_by_updating_to_a_tombstone(fed, keys):
    event = make_event(fed)
    send(fed, keys[0], "Create", note(1, event.ap_id), 1)
    send(fed, keys[0], "Update", {"type": "Tombstone", "id": note(1, "")["id"]}, 2)
    assert texts(fed) == {}


def test_long_notes_are_cut_then_sanitised(fed, keys):
    event = make_event(fed)
    send(fed, keys[0], "Create",
         note(1, event.ap_id, '<p><a href="https://x.example/' + "b" * (COMMENT_HTML_MAX + 10_000) + '">x</a></p>'), 1)
    [(text, _deleted)] = texts(fed).values()
    # The cut fell inside the link: the sanitiser closed what was open, so no markup is left dangling.
    assert len(text) < COMMENT_HTML_MAX + 100 and text.endswith("</p>") and text.count("<") == text.count(">")


def test_ids_must_be_web_addresses(fed, keys):
    event = make_event(fed)
    body = note(1, event.ap_id, id="javascript://remote.example/%0aalert(1)")
    response = send(fed, keys[0], "Create", body, 1)
    assert response.status_code == 400 and texts(fed) == {}
