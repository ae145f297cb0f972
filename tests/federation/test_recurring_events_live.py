"""A repeated event between two real instances: the follower's server gets one Event and keeps its rule,
its dates expanded there as here."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.dates import format_date

from ..helpers import wait_until
from .live import copy_of, create_event, follow, instant, one

pytestmark = pytest.mark.slow


def second_tuesdays():
    """The second Tuesdays of the months from over a week ahead, a year of them: counted from today, so
    the test holds on any day."""
    day, found = datetime.now(UTC).date() + timedelta(days=8), []
    while len(found) < 12:
        if day.weekday() == 1 and 8 <= day.day <= 14:
            found.append(day)
        day += timedelta(days=1)
    return found


def test_a_series_reaches_a_follower_server_with_its_rule(instances):
    a, b = instances
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    follow(b, bob, f"@ann@{a.host}:{a.port}")
    wait_until(lambda: a.collection_size("/@ann/followers") == 1, timeout=20)
    dates = second_tuesdays()
    create_event(a, ann, title="Monthly assembly", start_date=dates[0].isoformat(), start_time="19:00",
                 end_time="21:00", repeat="MONTHLY", repeat_monthly="nth", repeat_ends="count", repeat_count="12",
                 repeat_exdates=dates[7].isoformat())
    uuid = copy_of(b, "Monthly assembly")
    copy = one(b, "SELECT id, rrule, exdates, series_begins_on FROM event WHERE uuid = ?", uuid)
    assert copy["rrule"] == "FREQ=MONTHLY;BYDAY=2TU;COUNT=12" and copy["exdates"] == f'["{dates[7]}"]'
    first = datetime.combine(dates[0], time(19), ZoneInfo("Europe/Paris")).astimezone(UTC)
    assert instant(copy["series_begins_on"]) == first
    def starts(instance, where="", *params):
        rows = instance.query(f"SELECT local_start FROM event_occurrence {where} ORDER BY begins_on", *params)
        return ",".join(row["local_start"] for row in rows)

    here, there = starts(a), starts(b, "WHERE event_id = ?", copy["id"])
    # Second Tuesdays at 19:00 (as far as the year ahead goes), August's left out, the same on both.
    assert there == here and there.startswith(",".join(f"{day}T19:00" for day in dates[:3]))
    assert f"{dates[6]}T19:00,{dates[8]}T19:00" in there
    page = requests.get(f"{b.base}/events/{uuid}", timeout=5).text
    assert f"Every month on the 2nd Tuesday, 12 times, except {format_date(dates[7], 'medium', locale='en')}" in page
