"""Feeds answer for any row already stored: control characters, a newline in a name, and dates at
the ends of the calendar (input is checked today, but older rows and other servers' events may hold
them). Every feed must answer 200 with content its readers parse."""
from datetime import UTC, datetime

import feedparser
import icalendar
import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import subscriptions

from ..calendar_readers import by_three, utc_seconds
from ..helpers import make_account, make_event

UTC = UTC


@pytest.fixture
def stored(app):
    """An instance whose rows hold what the forms refuse today; returns (events, private feed token)."""
    make_account(app)
    control = make_event(app, title="Bell\x01 and\x07 escape\x1b[31m", description="<p>Odd\x02 text</p>")
    late = make_event(app, title="Year 9999", timezone="Pacific/Kiritimati")
    early = make_event(app, title="Year 1, ends later", timezone="America/New_York")
    ancient = make_event(app, title="Year 1", timezone="America/Santiago")
    with app.app_context():
        Actor.update(name="Ann\non two lines\x01").where(Actor.preferred_username == "ann").execute()
        Event.update(begins_on=datetime(9999, 12, 31, 20, tzinfo=UTC), ends_on=datetime(9999, 12, 31, 23, tzinfo=UTC)
                     ).where(Event.id == late.id).execute()
        Event.update(begins_on=datetime(1, 1, 1, 2, tzinfo=UTC), ends_on=datetime(2030, 1, 1, tzinfo=UTC)
                     ).where(Event.id == early.id).execute()
        Event.update(begins_on=datetime(1, 1, 1, 1, tzinfo=UTC), ends_on=datetime(1, 1, 1, 3, tzinfo=UTC)
                     ).where(Event.id == ancient.id).execute()
        account = Actor.get(Actor.preferred_username == "ann").account
        token = subscriptions.token_text(subscriptions.issue_token(account))
        events = [Event.get_by_id(event.id) for event in (control, late, early, ancient)]
    return events, token


def test_every_feed_answers_with_content_its_readers_parse(app, stored):
    events, token = stored
    client = app.test_client()
    calendars = [f"/events/{event.uuid}/export/ics" for event in events]
    calendars += ["/@ann/feed/ics", "/feed/instance/ics", f"/events/going/{token}/ics"]
    atoms = ["/@ann/feed/atom", "/feed/instance/atom", f"/events/going/{token}/atom"]
    responses = {url: client.get(url) for url in calendars + atoms}
    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(responses, 200)
    for url in calendars:
        body = responses[url].data
        assert b"\x01" not in body and b"\x1b" not in body, url
        for reader, instants in by_three(body).items():
            assert instants, (url, reader)
    for url in atoms:
        parsed = feedparser.parse(responses[url].data)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert "Bell and escape[31m" in [entry.title for entry in parsed.entries], url
    assert feedparser.parse(client.get("/@ann/feed/atom").data).feed.title == "Ann\non two lines (@ann)"


def test_dates_at_the_ends_of_the_calendar_keep_their_instant(app, stored):
    events, _token = stored
    body = app.test_client().get("/feed/instance/ics").data
    calendar = icalendar.Calendar.from_ical(body)
    starts = {str(event["SUMMARY"]): event["DTSTART"].dt for event in calendar.walk("VEVENT")}
    # Kiritimati's wall clock would be in year 10000: the time is written in UTC instead.
    assert starts["Year 9999"] == datetime(9999, 12, 31, 20, tzinfo=UTC)
    assert starts["Year 1, ends later"] == datetime(1, 1, 1, 2, tzinfo=UTC)
    late = next(event for event in events if event.title == "Year 9999")
    instants = by_three(body)
    for reader in instants:
        assert utc_seconds(late.begins_on) in {start for start, _end in instants[reader].values()}, reader
