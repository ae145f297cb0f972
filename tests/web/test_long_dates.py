"""Dates people read in the long form of their language ("December 4, 2026 at 6:00 PM", "4 décembre
2026 à 18:00"), never the short "12/4/26"; the participants' CSV in ISO 8601."""
import csv
import io
import re
from datetime import UTC, datetime

import pytest

from mobilizon_lite.models import Actor, Comment, Participation
from mobilizon_lite.services import comments

from ..helpers import make_event

# Pages write it in the instance's zone: UTC in tests.
WRITTEN = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
SHORT_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@pytest.fixture
def commented(app, ann):
    """ann's event with her comment, written at WRITTEN."""
    event = make_event(app)
    with app.app_context():
        comment = comments.comment_on(event, Actor.get(Actor.preferred_username == "ann"), "See you there")
        Comment.update(created_at=WRITTEN, updated_at=WRITTEN).where(Comment.id == comment.id).execute()
    return event


@pytest.mark.parametrize("language, written", [
    ("en", "December 4, 2026 at 6:00\u202fPM"),
    ("fr", "4 décembre 2026 à 18:00"),
])
def test_a_comment_date_is_written_in_full_in_the_readers_language(app, client, commented, language, written):
    page = client.get(f"/events/{commented.uuid}", headers={"Accept-Language": language}).get_data(as_text=True)
    assert written in page
    assert not SHORT_DATE.search(page)


def test_the_participants_csv_writes_iso_8601(app, ann, commented):
    with app.app_context():
        Participation.update(created_at=WRITTEN).execute()
    export = ann.get(f"/events/{commented.uuid}/participants.csv", headers={"Accept-Language": "fr"})
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][4] == "Depuis" and rows[1][4] == "2026-12-04T18:00:00Z"


def test_dates_not_tied_to_an_event_follow_the_instance_zone_the_administrators_chose(app, ann, client, commented):
    # The configuration says UTC; the settings page says Paris (UTC+1 in December), the event's own zone: the
    # setting wins, as it does for the calendar's days and the time zone the event form proposes.
    from mobilizon_lite.services import instance

    with app.app_context():
        instance.set_setting("default_timezone", commented.timezone)
    page = client.get(f"/events/{commented.uuid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "December 4, 2026 at 7:00\u202fPM" in page and "December 4, 2026 at 6:00" not in page
    # Lists name an event's zone only when it is not the instance's.
    mine = ann.get("/my-events", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert commented.title in mine and f"({commented.timezone})" not in mine
