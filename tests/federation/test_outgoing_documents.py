"""What we send is JSON-LD-shaped ActivityStreams and carries every key Mobilizon's parser reads."""
from urllib.parse import urlsplit

from mobilizon_lite.activitypub.vocab import CONTEXT
from mobilizon_lite.models import Activity, Actor, Comment, Event, Participation
from mobilizon_lite.services import comments, decisions, events, participation

from ..helpers import make_event, service_fields
from .remote import EVENT_ID, remote_event, send

# The ActivityStreams 2.0 terms our documents use (https://www.w3.org/ns/activitystreams).
AS_TERMS = {
    "id", "type", "actor", "object", "to", "cc", "published", "updated", "content", "mediaType", "name", "summary",
    "url", "attributedTo", "inReplyTo", "tag", "attachment", "href", "deleted", "formerType", "startTime",
    "endTime", "latitude", "longitude",
}
# Keys Mobilizon writes and reads as plain JSON without declaring them in its context.
MOBILIZON_PLAIN_KEYS = {"draft", "contacts", "isAnnouncement"}
# Per activity type: the keys Mobilizon's transmogrifier reads, on the activity and on its object.
MOBILIZON_READS = {
    "Create": ({"id", "actor", "object", "to", "cc"}, {"id", "type", "attributedTo", "to", "cc"}),
    "Update": ({"id", "actor", "object", "to", "cc"}, {"id", "type"}),
    "Delete": ({"id", "actor", "object"}, {"id", "type"}),
    "Join": ({"id", "actor", "object", "participationMessage"}, set()),
    "Leave": ({"id", "actor", "object"}, set()),
    "Accept": ({"id", "actor", "object"}, {"id", "type", "actor", "object"}),
    "Reject": ({"id", "actor", "object"}, {"id", "type", "actor", "object"}),
}
NOTE_READS = {"id", "type", "attributedTo", "content", "inReplyTo", "uuid", "published", "tag", "to", "cc"}


def undeclared(document):
    """Keys (at any depth) no context of ours defines: a JSON-LD processor would drop them."""
    known = AS_TERMS | set(CONTEXT[2]) | MOBILIZON_PLAIN_KEYS | {"@context"}
    found = set()
    for key, value in document.items():
        if key == "@context":
            continue
        prefix = key.split(":", 1)[0] if ":" in key else None
        if key not in known and prefix not in CONTEXT[2]:
            found.add(key)
        if isinstance(CONTEXT[2].get(key), dict) and CONTEXT[2][key].get("@type") == "@json":
            continue  # a JSON literal: its keys are its own, not terms
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                found |= undeclared(child)
    return found


def absolute(url):
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


def test_every_kind_of_activity_we_send(fed, remote_keys):
    alice_key = remote_keys[0][0]
    ours = make_event(fed, join_mode="restricted")
    send(fed, alice_key, "Join", ours.ap_id, 1, participationMessage="Hi")
    send(fed, alice_key, "Create", remote_event(), 2)
    sent = {}

    def keep_sent():
        # Each activity as it went out: later changes rewrite the stored copies of earlier ones.
        for row in Activity.select():
            sent.setdefault(row.ap_id, row.body)

    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        event = Event.get_by_id(ours.id)
        waiting = Participation.get(Participation.role == "not_approved")
        steps = [lambda: decisions.approve(event, ann, waiting.id),
                 lambda: decisions.reject(event, ann, waiting.id),
                 lambda: comments.comment_on(event, ann, "See you"),
                 lambda: comments.delete_comment(Comment.get(), ann),
                 lambda: events.update_event(event, ann, service_fields(title="Renamed")),
                 lambda: participation.join(Event.get(Event.ap_id == EVENT_ID), ann, "Room for one more?"),
                 lambda: participation.leave(Event.get(Event.ap_id == EVENT_ID), ann),
                 lambda: events.delete_event(Event.get_by_id(ours.id), ann)]
        keep_sent()
        for step in steps:
            step()
            keep_sent()
    sent = list(sent.values())
    kinds = {(body["type"], body["object"].get("type") if isinstance(body["object"], dict) else None)
             for body in sent}
    assert {("Create", "Event"), ("Accept", "Join"), ("Reject", "Join"), ("Create", "Note"),
            ("Delete", "Tombstone"), ("Update", "Event"), ("Join", None), ("Leave", None)} <= kinds
    for body in sent:
        assert body["@context"] == CONTEXT
        assert undeclared(body) == set(), body["type"]
        activity_keys, object_keys = MOBILIZON_READS[body["type"]]
        assert activity_keys <= set(body), body["type"]
        assert absolute(body["id"]) and absolute(body["actor"])
        inner = body["object"]
        if isinstance(inner, dict):
            assert object_keys <= set(inner) and absolute(inner["id"]), body["type"]
            if inner["type"] == "Note":
                assert NOTE_READS <= set(inner)
        else:
            assert absolute(inner)
