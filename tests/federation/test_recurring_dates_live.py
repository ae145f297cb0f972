"""Changed and cancelled dates of a series between two real instances: ann's server sends each as an Event
of its own, bob's keeps them as dates of its copy of the series, on its page and in its feed."""
from datetime import UTC, datetime, time, timedelta

import pytest
import requests

from mobilizon_lite.activitypub.convert.event_date import instant_text

from ..calendar_readers import occurrences_by_three
from ..helpers import wait_until
from .live import copy_of, create_event, follow, instant, one, post_form
from .test_recurring_dates import FIRST, tuesday

pytestmark = pytest.mark.slow


def date_row(instance, event_id, weeks):
    """The id of the stored date of the series weeks after its first (as the rule gives it)."""
    return next(row["id"] for row in instance.query("SELECT id, begins_on FROM event_occurrence WHERE event_id = ?",
                                                    event_id) if instant(row["begins_on"]) == tuesday(weeks))


def overrides(instance, event_id):
    """(start as the rule gives it, cancelled) of the dates changed on the instance, soonest first."""
    rows = instance.query("SELECT recurrence_id, cancelled FROM occurrence_override WHERE event_id = ?", event_id)
    return sorted((instant(row["recurrence_id"]), bool(row["cancelled"])) for row in rows)


def test_changed_and_cancelled_dates_reach_the_follower_server(instances):
    a, b = instances
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    follow(b, bob, f"@ann@{a.host}:{a.port}")
    wait_until(lambda: a.collection_size("/@ann/followers") == 1, timeout=20)
    uuid = create_event(a, ann, title="Choir rehearsal", start_date=FIRST.isoformat(), start_time="19:00",
                        end_time="21:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="never")
    copy = copy_of(b, "Choir rehearsal")
    series = one(a, "SELECT id FROM event WHERE uuid = ?", uuid)["id"]
    copy_id = one(b, "SELECT id FROM event WHERE uuid = ?", copy)["id"]

    page = f"/events/{uuid}"
    response = post_form(a, ann, f"{page}/dates/{date_row(a, series, 2)}/change",
                         {"start_date": (FIRST + timedelta(weeks=2)).isoformat(), "start_time": "20:00",
                          "end_time": "22:00", "place_name": "Big hall", "address": "3 rue Y",
                          "description": "Bring the new scores."}, page=page)
    assert response.status_code == 302, response.text[-2000:]
    assert post_form(a, ann, f"{page}/dates/{date_row(a, series, 3)}/cancel", {}, page=page).status_code == 302
    wait_until(lambda: len(overrides(b, copy_id)) == 2, timeout=30)
    assert overrides(b, copy_id) == overrides(a, series)
    # Dates of the series there too, not events of their own.
    assert one(b, "SELECT count(*) AS n FROM event")["n"] == 1

    shown = requests.get(f"{b.base}/events/{copy}", timeout=5).text
    assert 'class="changed-date"' in shown and "Big hall, 3 rue Y" in shown and "Bring the new scores." in shown
    assert 'class="cancelled-date"' in shown
    limit = datetime.combine(FIRST + timedelta(weeks=5), time(), UTC)
    moved = tuesday(2) + timedelta(hours=1)
    expected = [(int(start.timestamp()), int(start.timestamp()) + 7200)
                for start in (tuesday(0), tuesday(1), moved, tuesday(4))]
    for instance, event in ((a, uuid), (b, copy)):
        feed = requests.get(f"{instance.base}/events/{event}/export/ics", timeout=5).content
        found = occurrences_by_three(feed, limit)
        assert [list(dates.values()) for dates in found.values()] == [[expected]] * 3, instance.name
    # Each date is served at its own id, as the series.
    date = requests.get(f"{a.base}{page}/dates/{instant_text(tuesday(3))}",
                        headers={"Accept": "application/activity+json"}, timeout=5).json()
    assert date["status"] == "CANCELLED" and date["recurrenceOf"] == f"{a.base}{page}"
