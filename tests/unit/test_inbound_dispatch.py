"""Dispatch of received activities: one table keyed by (verb, object kind), handlers named after their key,
the kind read from the embedded object or found by one lookup of its id."""
import threading

import pytest

from mobilizon_lite.db import database
from mobilizon_lite.models import Actor, Follow, InboxItem, OccurrenceOverride
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import inbound
from mobilizon_lite.services.comments import comment_on
from mobilizon_lite.services.groups import new_member_row
from mobilizon_lite.services.participation import admit

from ..helpers import make_account, make_event, make_group

REMOTE = "https://remote.example"
ALICE = f"{REMOTE}/users/alice"
# What is held here, and what a group's Announce carries (its post, or its Create, Update, Move or Delete);
# a group's members-only content (resources, todos) and what of it is held by id; what a Flag names.
KINDS = {"Event", "Note", "Actor", "Follow", "Join", "Member", "Invite", inbound.UNKNOWN,
         "Article", "Create", "Update", "Delete", "Move", "Document", "ResourceCollection", "TodoList", "Todo",
         "Message", "Discussion", "Resource", inbound.FLAGGED, inbound.DATE}


def test_every_key_is_a_verb_and_a_kind_handled_by_its_namesake():
    assert inbound.HANDLERS
    for key, handler in inbound.HANDLERS.items():
        verb, kind = key
        assert verb[0].isupper() and verb.isalpha() and kind in KINDS, key
        assert handler.__name__ == f"on_{verb.lower()}_{kind.lower()}", (key, handler.__name__)
        assert handler.__module__.startswith("mobilizon_lite.services."), handler


@pytest.mark.parametrize("document, kind", [
    ({"id": f"{REMOTE}/e/1", "type": "Event"}, "Event"),
    ({"id": f"{REMOTE}/n/1", "type": "Note"}, "Note"),
    ({"id": ALICE, "type": "Person"}, "Actor"),
    ({"id": ALICE, "type": "Group"}, "Actor"),
    ({"id": f"{REMOTE}/a/1", "type": "Follow"}, "Follow"),
    ({"id": f"{REMOTE}/a/1", "type": "Join"}, "Join"),
    ({"id": f"{REMOTE}/v/1", "type": "Video"}, "Video"),
])
def test_an_embedded_object_is_its_type_without_any_query(document, kind):
    # No app context here: a query would fail.
    assert inbound.kind_of({"type": "Update", "object": document}) == kind


@pytest.mark.parametrize("named", [[ALICE, f"{REMOTE}/e/1"], f"{REMOTE}/e/1", {"id": ALICE, "type": "Person"}])
def test_a_flag_is_one_kind_whatever_it_names_without_any_query(named):
    assert inbound.kind_of({"type": "Flag", "object": named}) == inbound.FLAGGED


@pytest.fixture
def held(app):
    """ann, her event, a comment on it, alice (remote) following her and asking to join it and ann's group,
    a date of a remote series; their ids by kind."""
    make_account(app)
    event = make_event(app)
    group = make_group(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        alice = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ALICE)
        comment = comment_on(event, ann, "See you there")
        Follow.create(follower=alice, followed=ann, ap_id=f"{REMOTE}/activities/follow")
        admit(event, alice, join_id=f"{REMOTE}/activities/join")
        member = new_member_row(group, alice, Role.NOT_APPROVED)
        date = OccurrenceOverride.create(event=event.id, recurrence_id=event.begins_on, cancelled=True,
                                         ap_id=f"{REMOTE}/events/1/dates/20270101T180000Z")
        return {inbound.DATE: date.ap_id, "Event": event.ap_id, "Note": comment.ap_id, "Actor": ann.ap_id,
                "Follow": f"{REMOTE}/activities/follow", "Join": f"{REMOTE}/activities/join", "Member": member.ap_id,
                inbound.UNKNOWN: f"{REMOTE}/never/seen"}


class statements:
    """The SQL statements this thread runs within the block."""

    def __enter__(self):
        self.seen, thread = [], threading.get_ident()
        self.hook = lambda event: self.seen.append(event.sql) if threading.get_ident() == thread else None
        database.query_hooks.append(self.hook)
        return self.seen

    def __exit__(self, *_exc):
        database.query_hooks.remove(self.hook)


def test_a_bare_id_is_what_one_query_finds_under_it(app, held):
    with app.app_context():
        for kind, ap_id in held.items():
            with statements() as seen:
                assert inbound.kind_of({"type": "Accept", "object": ap_id}) == kind
            assert len(seen) == 1, seen
            # A Delete, or a Tombstone, names by its id what is gone, whatever it was.
            assert inbound.kind_of({"type": "Delete", "object": {"id": ap_id, "type": "Note"}}) == kind
            assert inbound.kind_of({"type": "Update", "object": {"id": ap_id, "type": "Tombstone"}}) == kind


@pytest.mark.parametrize("activity, error, lookups", [
    ({"type": "Create", "object": {"id": f"{REMOTE}/v/1", "type": "Video"}}, "no handler for Create of Video", 0),
    ({"type": "Like", "object": f"{REMOTE}/n/1"}, "no handler for Like", 0),
    ({"type": "Follow", "object": f"{REMOTE}/never/seen"}, "no handler for Follow of Unknown", 1),
])
def test_a_pair_without_handler_is_ignored_without_trying_any(app, held, activity, error, lookups):
    with app.app_context():
        alice = Actor.get(Actor.ap_id == ALICE)
        activity = {"id": f"{REMOTE}/activities/x", "actor": ALICE, **activity}
        item = InboxItem.create(activity_id=activity["id"], actor=alice, type=activity["type"], body=activity)
        with statements() as seen:
            assert inbound.process(item) == "ignored"
        # Only the kind's lookup (when the verb has handlers) and the item's own update.
        assert [s.lstrip("(").split()[0] for s in seen] == ["SELECT"] * lookups + ["UPDATE"], seen
        assert InboxItem.get_by_id(item.id).error == error
