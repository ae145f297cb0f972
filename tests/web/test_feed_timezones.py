"""Every calendar reader gets every event's time right: icalendar, vobject and ical.js (Thunderbird)
read the feeds' VTIMEZONEs themselves and must agree with the instant stored."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.feeds.ical import event_uid

from ..calendar_readers import by_three, utc_seconds
from ..helpers import make_account, make_event

ZONES = (
    "Europe/Paris", "America/New_York", "Australia/Sydney", "America/Santiago", "Pacific/Auckland",
    "America/Asuncion",  # daylight saving time ended for good in October 2024
    "America/Mexico_City",  # no daylight saving time since 2022
    "Asia/Jerusalem",  # "the Friday before the last Sunday of March"
    "Africa/Casablanca",  # changes around Ramadan, which follow no yearly rule
    "Africa/Cairo",  # "after the last Thursday of October", some years in November
    "Asia/Kolkata",  # no daylight saving time, half-hour offset
)


def changes(zone, year):
    """The days of a year whose noon has another UTC offset than the day before's (from zoneinfo)."""
    tz = ZoneInfo(zone)
    days, day = [], date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day - timedelta(days=1), time(12), tz).utcoffset()
        if datetime.combine(day, time(12), tz).utcoffset() != before:
            days.append(day)
        day += timedelta(days=1)
    return days


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def assert_three_readers_agree(app, body, events):
    """Each reader gives each event the start and end instants stored."""
    with app.app_context():
        expected = {event_uid(event): (utc_seconds(event.begins_on), utc_seconds(event.ends_on)) for event in events}
    for reader, instants in by_three(body).items():
        wrong = {uid: (instants.get(uid), want) for uid, want in expected.items() if instants.get(uid) != want}
        assert not wrong, f"{reader} reads other instants (got, stored): {wrong}"


def test_feed_instants_two_and_five_years_ahead_in_every_kind_of_zone(ann, client):
    this_year = utcnow().year
    events = [make_event(ann, title="Issue example", timezone="Europe/Paris", start_date=date(2027, 9, 7),
                         start_time=time(10, 0), end_time=time(12, 0))]
    for zone in ZONES:
        for year in (this_year + 2, this_year + 5):
            # Both seasons of both hemispheres, and across each night the clocks change.
            for month in (1, 4, 7, 10):
                events.append(make_event(ann, title=f"{zone} {year}-{month}", timezone=zone,
                                         start_date=date(year, month, 7), start_time=time(10, 0),
                                         end_time=time(12, 0)))
            for day in changes(zone, year):
                events.append(make_event(ann, title=f"{zone} change {day}", timezone=zone,
                                         start_date=day - timedelta(days=1), start_time=time(12, 0),
                                         end_date=day, end_time=time(12, 0)))
    response = client.get("/feed/instance/ics")
    assert response.status_code == 200
    body = response.data
    assert body.count(b"BEGIN:VEVENT") == len(events)
    assert body.count(b"BEGIN:VTIMEZONE") == len(ZONES)
    # One value per RDATE line, and a yearly rule for the zones with daylight saving time.
    assert not [line for line in body.split(b"\r\n") if line.startswith(b"RDATE") and b"," in line]
    assert b"RRULE:FREQ=YEARLY" in body
    assert_three_readers_agree(ann, body, events)
    # The example: 10:00 in Paris on 7 September 2027 is 08:00 UTC for every reader.
    assert events[0].begins_on == datetime(2027, 9, 7, 8, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("zone, day, when", [
    ("America/New_York", date(2006, 3, 20), time(10, 0)),  # before the 2007 rules: still EST
    ("Europe/Paris", date(1995, 10, 10), time(10, 0)),  # winter time began in September then
    ("Australia/Sydney", date(2008, 4, 3), time(10, 0)),  # summer time ended on the last Sunday of March
    ("America/Santiago", date(2016, 4, 20), time(10, 0)),
    ("Europe/Moscow", date(2012, 7, 1), time(10, 0)),  # permanent "summer" time, 2011-2014
])
def test_old_events_follow_the_rules_of_their_time(ann, client, zone, day, when):
    event = make_event(ann, timezone=zone, start_date=day, start_time=when, end_time=time(12, 0))
    response = client.get(f"/events/{event.uuid}/export/ics")
    assert response.status_code == 200
    assert_three_readers_agree(ann, response.data, [event])


def test_far_future_event_uses_the_current_rules(ann, client):
    event = make_event(ann, timezone="America/New_York", start_date=date(2150, 7, 4), start_time=time(10, 0),
                       end_time=time(12, 0))
    body = client.get(f"/events/{event.uuid}/export/ics").data
    assert_three_readers_agree(ann, body, [event])
    assert utc_seconds(event.begins_on) == int(datetime(2150, 7, 4, 14, tzinfo=ZoneInfo("UTC")).timestamp())
