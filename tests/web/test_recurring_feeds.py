"""A series in the calendar feeds is one VEVENT with its RRULE (and EXDATEs, with their TZID):
icalendar with recurring-ical-events, vobject and ical.js each expand it to the same instants as this
server's own occurrences, for two years ahead and across clock changes."""
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from mobilizon_lite.models import Event
from mobilizon_lite.services import occurrences, recurrence

from ..calendar_readers import occurrences_by_three
from ..helpers import make_account, make_event

# 2055 has 2027's weekdays and clock changes (a 28-year cycle) and stays ahead: feeds list series
# not over, on any day the tests run.
LIMIT = datetime(2057, 1, 6, tzinfo=UTC)  # two years after the first dates

SERIES = {
    "weekly Tuesday": dict(start_date=date(2055, 1, 5), start_time=time(19), end_time=time(21), repeat="WEEKLY",
                           repeat_weekdays=["TU"]),
    "2nd Tuesday": dict(start_date=date(2055, 1, 12), start_time=time(19), end_time=time(22), repeat="MONTHLY",
                        repeat_monthly="nth"),
    "last Friday": dict(start_date=date(2055, 1, 29), start_time=time(18), end_time=time(20), repeat="MONTHLY",
                        repeat_monthly="last"),
    "Monday and Thursday": dict(start_date=date(2055, 1, 4), start_time=time(18, 30), end_time=time(20),
                                repeat="WEEKLY", repeat_interval=2, repeat_weekdays=["MO", "TH"],
                                repeat_ends="until", repeat_until=date(2056, 6, 30)),
    # Six hours on the clock, five the night the clocks go forward: every reader counts it so.
    "overnight": dict(start_date=date(2055, 3, 25), start_time=time(22), end_date=date(2055, 3, 26), end_time=time(4),
                      repeat="DAILY", repeat_ends="count", repeat_count=5),
    "ten mornings": dict(start_date=date(2055, 3, 25), start_time=time(9, 30), end_time=time(10, 30), repeat="DAILY",
                         repeat_ends="count", repeat_count=10, repeat_exdates="2055-03-28"),
}


@pytest.fixture
def feed(app, client):
    """The identity feed holding the five series, and {title: the series' Event}."""
    make_account(app)
    made = {title: make_event(app, title=title, **fields) for title, fields in SERIES.items()}
    response = client.get("/@ann/feed/ics")
    assert response.status_code == 200
    return response.data, made


def expected(event):
    """This server's own expansion, as the readers give instants."""
    with_zone = event.series_begins_on.astimezone(event.zone)
    length = recurrence.wall_length(event.series_begins_on, event.series_ends_on, event.zone)
    starts = recurrence.starts(occurrences.rule_of(event), event.exdates, with_zone, with_zone, LIMIT)
    return [(int(start.timestamp()), int(recurrence.end_of(start, length).timestamp())) for start in starts
            if start < LIMIT]


def test_each_series_is_one_vevent_with_its_rule(app, feed):
    body, made = feed
    calendar = icalendar.Calendar.from_ical(body)
    vevents = {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}
    assert set(vevents) == set(SERIES)
    weekly = vevents["weekly Tuesday"]
    assert weekly["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert weekly["DTSTART"].params["TZID"] == "Europe/Paris"
    assert weekly["DTSTART"].dt.replace(tzinfo=None) == datetime(2055, 1, 5, 19)
    mornings = vevents["ten mornings"]
    assert mornings["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=10"
    assert b"EXDATE;TZID=Europe/Paris:20550328T093000" in body
    assert b"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20560630T215959Z\r\n" in body


def test_three_readers_agree_on_every_occurrence_for_two_years(app, feed):
    body, made = feed
    readers = occurrences_by_three(body, LIMIT)
    with app.app_context():
        for title, event in made.items():
            event = Event.get_by_id(event.id)
            mine = expected(event)
            uid = next(uid for uid in readers["vobject"] if uid.startswith(event.uuid))
            for reader, found in readers.items():
                assert found[uid] == mine, (title, reader)
    weekly = expected(made["weekly Tuesday"])
    assert len(weekly) == 105
    # 19:00 in Paris: 18:00 UTC in winter, 17:00 UTC in summer, each one of them.
    paris = made["weekly Tuesday"].zone
    assert {datetime.fromtimestamp(start, paris).strftime("%a %H:%M") for start, _end in weekly} == {"Tue 19:00"}
    assert {datetime.fromtimestamp(start, UTC).hour for start, _end in weekly} == {17, 18}
    overnight = expected(made["overnight"])
    assert [(end - start) // 3600 for start, end in overnight] == [6, 6, 5, 6, 6]
    with app.app_context():
        # The rows kept when those dates are near (the daily refresh stores what this gives).
        near = occurrences.expected(Event.get_by_id(made["overnight"].id), datetime(2055, 3, 1, tzinfo=UTC))
    stored = [(int(start.timestamp()), int(end.timestamp())) for start, (end, _local) in sorted(near.items())]
    assert stored == overnight
    mornings = expected(made["ten mornings"])
    assert len(mornings) == 9 and all(end - start == 3600 for start, end in mornings)
    thursdays = expected(made["Monday and Thursday"])
    assert datetime.fromtimestamp(thursdays[-1][0], UTC) < datetime(2056, 7, 1, tzinfo=UTC)
    assert datetime.fromtimestamp(thursdays[1][0], paris).date() == date(2055, 1, 7)
    assert datetime.fromtimestamp(thursdays[2][0], paris).date() == date(2055, 1, 4) + timedelta(days=14)
