"""Changed and cancelled dates in calendar feeds: each instance carries the series' fields (written by the
same function as the series' VEVENT) with its own where it has them, and a feed of many series reads
their dates in one query."""
from datetime import timedelta

import icalendar

from mobilizon_lite.models import EventOccurrence

from ..calendar_readers import occurrences_by_three
from ..helpers import event_fields, sql_log, submit
from .test_occurrence_changes import change, date_row
from .test_recurring_dates import evening, rehearsal, tuesday

SHARED = ("SUMMARY", "UID", "CATEGORIES", "CREATED", "LAST-MODIFIED", "ORGANIZER", "URL")


def test_an_instance_carries_the_series_fields_and_its_own(app, ann):
    event = rehearsal(app, ann, tuesday(1), tags="choir, music")
    assert submit_cancel(ann, event, date_row(app, event, tuesday(2))) == 302
    assert change(ann, event, date_row(app, event, tuesday(3)), start_time="20:00", end_time="22:00",
                  place_name="Town hall", address="1 Main street", description="Bring the new scores.").status_code \
        == 302
    body = app.test_client().get("/@ann/feed/ics").data
    master, cancelled, changed = icalendar.Calendar.from_ical(body).walk("VEVENT")
    for name in SHARED:
        assert master.get(name) is not None, name
        for instance in (cancelled, changed):
            assert instance.get(name) is not None and instance[name].to_ical() == master[name].to_ical(), name
    assert cancelled["STATUS"] == "CANCELLED" and changed["STATUS"] == master["STATUS"] == "CONFIRMED"
    assert str(cancelled["LOCATION"]) == str(master["LOCATION"]) and "Maison des associations" in master["LOCATION"]
    assert str(changed["LOCATION"]) == "Town hall, 1 Main street"
    assert str(changed["DESCRIPTION"]).startswith("Bring the new scores.")
    assert str(changed["DESCRIPTION"]).endswith(str(master["URL"]))
    for instance in (cancelled, changed):
        assert "RRULE" not in instance and "EXDATE" not in instance
        assert int(instance["SEQUENCE"]) > int(master["SEQUENCE"])
    # The three readers place every date where the series' stored dates are.
    limit = evening(tuesday(6))
    found = occurrences_by_three(body, limit)
    expected = [(int(start.timestamp()), int(start.timestamp()) + 7200)
                for start in (evening(tuesday(1)), evening(tuesday(3)) + timedelta(hours=1),
                              evening(tuesday(4)), evening(tuesday(5)))]
    for reader, dates in found.items():
        assert list(dates.values()) == [expected], reader


def submit_cancel(client, event, row):
    return submit(client, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code


def test_a_feed_reads_the_dates_of_all_its_series_in_one_query(app, ann):
    for title in ("Choir rehearsal", "Band rehearsal", "Drama rehearsal"):
        event = rehearsal(app, ann, tuesday(1), title=title)
        assert submit_cancel(ann, event, date_row(app, event, tuesday(2))) == 302
    with sql_log() as records:
        body = app.test_client().get("/@ann/feed/ics").data
    assert body.count(b"RECURRENCE-ID") == 3
    reads = [record for record in records if "\"occurrence_override\"" in record.getMessage()]
    assert len(reads) == 1, [record.getMessage() for record in reads]


def test_a_date_the_series_gives_again_outranks_the_changed_one_calendar_apps_hold(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    moved = evening(tuesday(2)) + timedelta(hours=1)
    for start_time in ("20:00", "20:30", "20:00"):
        row = row_now(app, event, tuesday(2), moved, moved + timedelta(minutes=30))
        assert change(ann, event, row, start_time=start_time, end_time="22:00").status_code == 302
    _master, held = icalendar.Calendar.from_ical(app.test_client().get("/@ann/feed/ics").data).walk("VEVENT")
    # The series at 18:00: its dates are no longer those changed; the feed gives them from the series alone.
    edit = event_fields(title="Choir rehearsal", start_date=tuesday(1).isoformat(), start_time="18:00",
                        end_time="20:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="never")
    assert submit(ann, f"/events/{event.uuid}/edit", edit).status_code == 302
    [master] = icalendar.Calendar.from_ical(app.test_client().get("/@ann/feed/ics").data).walk("VEVENT")
    assert int(master["SEQUENCE"]) > int(held["SEQUENCE"])
    # Changed again: its instance outranks both.
    again = evening(tuesday(2)) - timedelta(hours=1)
    assert change(ann, event, row_now(app, event, tuesday(2), again), start_time="20:00",
                  end_time="22:00").status_code == 302
    _master, instance = icalendar.Calendar.from_ical(app.test_client().get("/@ann/feed/ics").data).walk("VEVENT")
    assert int(instance["SEQUENCE"]) > int(master["SEQUENCE"])


def row_now(app, event, day, *starts):
    """The stored date of the series on day, at the rule's 19:00 or one of starts."""
    with app.app_context():
        return EventOccurrence.get((EventOccurrence.event == event.id)
                                   & EventOccurrence.begins_on.in_([evening(day), *starts]))
