"""The values of an event's fields: named, with predicates on the model, and one iCalendar status map."""
import pytest

from mobilizon_lite.models import Event
from mobilizon_lite.models.events import (
    ICAL_STATUS,
    STATUSES,
    CommentMode,
    JoinMode,
    Status,
    Visibility,
    status_from_ical,
)


def test_named_values_are_the_stored_words():
    # Rows read back from the database hold plain strings: they must compare equal to the names.
    assert Event(status="cancelled").status == Status.CANCELLED
    assert [str(value) for value in Visibility] == ["public", "unlisted", "private"]
    assert [str(value) for value in JoinMode] == ["free", "restricted", "invite", "external"]
    assert [str(value) for value in CommentMode] == ["allow_all", "closed"]
    assert Event().status == Status.CONFIRMED and Event().visibility == Visibility.PUBLIC


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_one_icalendar_status_and_back(status):
    event = Event(status=status)
    assert event.ical_status == ICAL_STATUS[status] == status.upper()
    assert status_from_ical(event.ical_status) == status
    assert status_from_ical(event.ical_status.lower()) == status  # some servers send it in lower case


def test_an_unknown_status_reads_as_none_and_shows_as_confirmed():
    assert status_from_ical("POSTPONED") is None and status_from_ical({"x": 1}) is None
    # A status written by a later version that this one does not know.
    assert Event(status="postponed").ical_status == "CONFIRMED"


@pytest.mark.parametrize("fields, true_predicates", [
    ({}, {"is_public"}),
    ({"visibility": "unlisted"}, {"is_unlisted"}),
    ({"visibility": "private"}, {"is_private"}),
    ({"status": "cancelled"}, {"is_public", "is_cancelled"}),
    ({"status": "tentative"}, {"is_public", "is_tentative"}),
    ({"join_mode": "restricted"}, {"is_public", "needs_approval"}),
    ({"join_mode": "invite"}, {"is_public", "invite_only"}),
    ({"join_mode": "external"}, {"is_public", "registers_elsewhere"}),
    ({"comment_mode": "closed"}, {"is_public", "comments_closed"}),
])
def test_predicates_say_what_the_fields_hold(fields, true_predicates):
    predicates = {"is_public", "is_unlisted", "is_private", "is_cancelled", "is_tentative", "needs_approval",
                  "invite_only", "registers_elsewhere", "comments_closed"}
    event = Event(**fields)
    assert {name for name in predicates if getattr(event, name)} == true_predicates
