"""A repeated event between two real instances: the follower's server gets one Event and keeps its rule,
its dates expanded there as here."""
import pytest
import requests

from ..helpers import wait_until
from .live import copy_of, create_event, follow, one

pytestmark = pytest.mark.slow


@pytest.fixture
def instances(tmp_path, federating):
    a, b = federating(tmp_path, "127.0.0.2", "alpha", "ann"), federating(tmp_path, "127.0.0.3", "beta", "bob")
    a.start()
    b.start()
    yield a, b
    for instance in (a, b):
        instance.stop()


def test_a_series_reaches_a_follower_server_with_its_rule(instances):
    a, b = instances
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    follow(b, bob, f"@ann@{a.host}:{a.port}")
    wait_until(lambda: a.collection_size("/@ann/followers") == 1, timeout=20)
    create_event(a, ann, title="Monthly assembly", start_date="2027-01-12", start_time="19:00", end_time="21:00",
                 repeat="MONTHLY", repeat_monthly="nth", repeat_ends="count", repeat_count="12",
                 repeat_exdates="2027-08-10")
    uuid = copy_of(b, "Monthly assembly")
    copy = one(b, "SELECT id, rrule, exdates, series_begins_on FROM event WHERE uuid = ?", uuid)
    assert copy["rrule"] == "FREQ=MONTHLY;BYDAY=2TU;COUNT=12" and copy["exdates"] == '["2027-08-10"]'
    assert copy["series_begins_on"].startswith("2027-01-12 18:00")
    here = one(a, "SELECT group_concat(local_start) AS dates FROM "
                  "(SELECT local_start FROM event_occurrence ORDER BY begins_on)")["dates"]
    there = one(b, "SELECT group_concat(local_start) AS dates FROM "
                   "(SELECT local_start FROM event_occurrence WHERE event_id = ? ORDER BY begins_on)",
                copy["id"])["dates"]
    # Second Tuesdays at 19:00 (as far as the year ahead goes), August's left out, the same on both.
    assert there == here and there.startswith("2027-01-12T19:00,2027-02-09T19:00,2027-03-09T19:00")
    assert "2027-07-13T19:00,2027-09-14T19:00" in there
    page = requests.get(f"{b.base}/events/{uuid}", timeout=5).text
    assert "Every month on the 2nd Tuesday, 12 times, except Aug 10, 2027" in page
