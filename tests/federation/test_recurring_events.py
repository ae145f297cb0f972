"""Repeated events across servers: our series goes out as one Event at its current date, with its rule
in our own `repetition` term; one received with it stays a series when the rule passes our checks,
and is a single event otherwise (or from software that does not send one)."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from mobilizon_lite.activitypub.vocab import CONTEXT, OUR_NAMESPACE
from mobilizon_lite.models import Event, EventOccurrence
from mobilizon_lite.services import event_federation

from ..helpers import make_event
from .remote import remote_event, send, stored
from .test_outgoing_documents import undeclared

PARIS = ZoneInfo("Europe/Paris")


def local(day, hour):
    return datetime.combine(day, time(hour), PARIS)


# A Tuesday over a week ahead: the series' dates are counted from today, so the tests hold on any day.
FIRST = datetime.now(UTC).date() + timedelta(days=8)
FIRST += timedelta(days=(1 - FIRST.weekday()) % 7)
REPETITION = {"rrule": "FREQ=WEEKLY;BYDAY=TU", "exdates": [(FIRST + timedelta(weeks=1)).isoformat()],
              "startTime": local(FIRST, 19).isoformat(), "endTime": local(FIRST, 21).isoformat()}


def test_our_series_goes_out_as_one_event_with_its_rule(fed):
    made = make_event(fed, start_date=date(2025, 1, 7), start_time=time(19), end_time=time(21), repeat="WEEKLY",
                      repeat_weekdays=["TU"], repeat_exdates="2025-12-30")
    with fed.app_context():
        event = Event.get_by_id(made.id)
        document = event_federation.event_document(event)
    assert CONTEXT[2]["repetition"] == {"@id": "mzl:repetition", "@type": "@json"}
    assert CONTEXT[2]["mzl"] == OUR_NAMESPACE
    assert undeclared(document) == set()
    assert document["repetition"] == {"rrule": "FREQ=WEEKLY;BYDAY=TU", "exdates": ["2025-12-30"],
                                      "startTime": "2025-01-07T19:00:00+01:00",
                                      "endTime": "2025-01-07T21:00:00+01:00"}
    # Mobilizon reads startTime and endTime: the date the series is at, not its first one in 2025.
    start = datetime.fromisoformat(document["startTime"])
    assert start > datetime.now(UTC).replace(year=datetime.now(UTC).year - 1)
    assert start == event.begins_on and start.strftime("%a %H:%M") == "Tue 19:00"
    assert datetime.fromisoformat(document["endTime"]) - start == event.ends_on - event.begins_on


def test_a_json_ld_processor_keeps_the_rule_whole(fed):
    from pyld import jsonld

    made = make_event(fed, start_date=date(2027, 1, 5), start_time=time(19), end_time=time(21), repeat="WEEKLY",
                      repeat_weekdays=["TU"])
    with fed.app_context():
        document = event_federation.event_document(Event.get_by_id(made.id))
    # The ActivityStreams context's own terms inline (no fetch in tests), then ours as sent.
    document["@context"] = [{"as": "https://www.w3.org/ns/activitystreams#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                             "startTime": "as:startTime"}, CONTEXT[2]]
    [expanded] = jsonld.expand(document)
    assert expanded[OUR_NAMESPACE + "repetition"] == [{"@type": "@json", "@value": document["repetition"]}]
    assert expanded["https://www.w3.org/ns/activitystreams#startTime"][0]["@value"] == document["startTime"]


def test_a_received_series_keeps_its_rule_and_its_dates(fed, remote_keys):
    (private, _public), _other = remote_keys
    document = remote_event(startTime=REPETITION["startTime"], endTime=REPETITION["endTime"], repetition=REPETITION)
    assert send(fed, private, "Create", document, 1).status_code == 202
    [event] = stored(fed)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU" and event.exdates == REPETITION["exdates"]
    assert event.series_begins_on == local(FIRST, 19).astimezone(UTC)
    with fed.app_context():
        dates = [row.local_start for row in EventOccurrence.select().where(EventOccurrence.event == event.id)
                 .order_by(EventOccurrence.begins_on).limit(3)]
    assert dates == [f"{FIRST + timedelta(weeks=weeks)}T19:00" for weeks in (0, 2, 3)]
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    excluded = format_date(FIRST + timedelta(weeks=1), "medium", locale="en")
    assert f"Every week on Tuesday, except {excluded}" in page


@pytest.mark.parametrize("repetition", [
    dict(REPETITION, rrule="FREQ=SECONDLY"),
    dict(REPETITION, rrule="FREQ=DAILY;COUNT=100000"),
    dict(REPETITION, rrule="FREQ=DAILY;INTERVAL=0"),
    dict(REPETITION, rrule="FREQ=DAILY;UNTIL=99991231T000000Z"),
    dict(REPETITION, rrule="FREQ=DAILY", startTime="1901-01-01T19:00:00+01:00", endTime=None),
    dict(REPETITION, rrule="x" * 5000),
    dict(REPETITION, rrule=["FREQ=DAILY"]),
    dict(REPETITION, exdates=["2027-01-12"] * 500),
    dict(REPETITION, exdates=["not a date"]),
    dict(REPETITION, startTime="yesterday"),
    dict(REPETITION, endTime=local(FIRST, 18).isoformat()),
    dict(REPETITION, startTime=local(FIRST - timedelta(days=1), 19).isoformat()),  # a Monday: not a date of it
    "FREQ=DAILY",
])
def test_a_received_rule_beyond_our_bounds_makes_a_single_event(fed, remote_keys, repetition):
    (private, _public), _other = remote_keys
    send(fed, private, "Create", remote_event(repetition=repetition), 1)
    [event] = stored(fed)
    assert event.rrule == "" and event.series_begins_on is None
    assert event.begins_on == datetime(2027, 6, 21, 16, tzinfo=UTC)
    with fed.app_context():
        assert EventOccurrence.select().count() == 0


def test_an_update_without_the_rule_ends_the_series_elsewhere(fed, remote_keys):
    (private, _public), _other = remote_keys
    send(fed, private, "Create", remote_event(repetition=REPETITION, startTime=REPETITION["startTime"],
                                              endTime=REPETITION["endTime"]), 1)
    assert stored(fed)[0].repeats
    send(fed, private, "Update", remote_event(), 2)
    [event] = stored(fed)
    assert not event.repeats and event.begins_on == datetime(2027, 6, 21, 16, tzinfo=UTC)
    with fed.app_context():
        assert EventOccurrence.select().count() == 0
