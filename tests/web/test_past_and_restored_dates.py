"""Dates of a series acted on one by one, within time: a date begun or over is neither changed, cancelled
nor split from (a clear 400, no link offered), and a cancelled date still ahead can be restored by its
organisers: back on the page and in the feed (its instance outranking the cancelled one), sent where the
series goes as a change is, its participants told."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from mobilizon_lite.activitypub.convert.event_date import date_id, instant_text
from mobilizon_lite.models import Activity, Event, EventOccurrence, OccurrenceOverride
from mobilizon_lite.services import occurrence_changes, occurrences

from ..helpers import errors, event_fields, log_in, submit
from .test_occurrence_changes import change, date_row, rehearsal_bob_joined
from .test_recurring_dates import evening, rehearsal, tuesday

PARIS = ZoneInfo("Europe/Paris")


def test_a_date_begun_or_over_is_neither_changed_cancelled_nor_split_from(app, ann):
    event = rehearsal(app, ann, tuesday(-2))
    past = date_row(app, event, tuesday(-1))
    base = f"/events/{event.uuid}/dates/{past.id}"
    for action in ("cancel", "change", "following"):
        shown = ann.get(f"{base}/{action}")
        assert shown.status_code == 400, action
        assert "This date has begun or is over" in shown.get_data(as_text=True), action
    assert submit(ann, f"{base}/cancel", {}, page=f"/events/{event.uuid}").status_code == 400
    answer = change(ann, event, past, start_time="20:00", end_time="22:00")
    assert answer.status_code == 400 and "This date has begun or is over" in answer.get_data(as_text=True)
    answer = submit(ann, f"{base}/following", event_fields(start_date=tuesday(-1).isoformat(), repeat="WEEKLY",
                                                           repeat_weekdays="TU", repeat_ends="never"),
                    page=f"/events/{event.uuid}")
    assert answer.status_code == 400
    with app.app_context():
        assert OccurrenceOverride.select().count() == 0
    # A date still ahead keeps its links.
    ahead = date_row(app, event, tuesday(1))
    assert f"/events/{event.uuid}/dates/{ahead.id}/cancel" in ann.get(f"/events/{event.uuid}").get_data(as_text=True)


def test_a_date_under_way_offers_no_change(app, ann):
    # Every day, begun an hour ago, for three hours: today's date is listed (not over) without its links.
    # In UTC: in Paris, at some hours of the day, those three hours would hold the night the clocks change.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(hours=1)
    end = start + timedelta(hours=3)
    event = rehearsal(app, ann, start.date(), timezone="UTC", start_time=start.strftime("%H:%M"),
                      end_date=end.date().isoformat(), end_time=end.strftime("%H:%M"), repeat="DAILY",
                      repeat_weekdays="")
    with app.app_context():
        under_way, *later = occurrence_changes.listed_dates(event)
        assert under_way.begins_on == start.astimezone(UTC) and under_way.date_id is None
        assert all(listed.date_id for listed in later) and later
        row = EventOccurrence.get((EventOccurrence.event == event.id) & (EventOccurrence.begins_on == start))
    page = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f"/dates/{row.id}/" not in page and f"/dates/{later[0].date_id}/cancel" in page


def cancel(client, event, row):
    return submit(client, f"/events/{event.uuid}/dates/{row.id}/cancel", {})


def feed_instance(app, event):
    """(the series' VEVENT, the instance VEVENT) of the organiser's feed."""
    master, instance = icalendar.Calendar.from_ical(app.test_client().get("/@ann/feed/ics").data).walk("VEVENT")
    return master, instance


def test_an_organiser_restores_a_cancelled_date(mail_app, smtp):
    ann, event = rehearsal_bob_joined(mail_app, smtp)
    assert cancel(ann, event, date_row(mail_app, event, tuesday(2))).status_code == 302
    _master, cancelled = feed_instance(mail_app, event)
    assert cancelled["STATUS"] == "CANCELLED"
    smtp.messages.clear()
    instant = instant_text(evening(tuesday(2)))
    link = f"/events/{event.uuid}/dates/{instant}/restore"
    assert link in ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    bob = mail_app.test_client()
    log_in(bob, "bob@example.org")
    assert link not in bob.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert bob.get(link).status_code == 403 and submit(bob, link, {}, page=f"/events/{event.uuid}").status_code == 403
    # A confirmation first.
    assert "Restore this date" in ann.get(link).get_data(as_text=True)
    with mail_app.app_context():
        assert OccurrenceOverride.get().cancelled
    response = submit(ann, link, {})
    assert response.status_code == 302, errors(response)
    with mail_app.app_context():
        override = OccurrenceOverride.get()
        assert not override.cancelled and override.sequence == 2
        assert EventOccurrence.select().where((EventOccurrence.event == event.id)
                                             & (EventOccurrence.begins_on == evening(tuesday(2)))).exists()
        # Sent where the series goes, as a change of that date.
        update = Activity.select().where((Activity.type == "Update")
                                         & (Activity.object_ap_id == date_id(event.ap_id, evening(tuesday(2))))).get()
        assert update.body["object"]["ical:status"] == "CONFIRMED"
    page = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "cancelled-date" not in page and "changed-date" not in page and link not in page
    # The instance is confirmed, and outranks the cancelled one calendar apps hold.
    _master, restored = feed_instance(mail_app, event)
    assert restored["STATUS"] == "CONFIRMED" and int(restored["SEQUENCE"]) > int(cancelled["SEQUENCE"])
    [message] = smtp.wait_for(1)
    assert message["To"] == "bob@example.org" and "Date restored" in message["Subject"]
    # Nothing left to restore.
    assert ann.get(link).status_code == 404
    assert ann.get(f"/events/{event.uuid}/dates/not-an-instant/restore").status_code == 404


def test_a_cancelled_date_begun_or_over_stays_cancelled(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    assert cancel(ann, event, date_row(app, event, tuesday(2))).status_code == 302
    with app.app_context():
        # As if a week had passed: the date is over.
        OccurrenceOverride.update(recurrence_id=evening(tuesday(-1))).execute()
    link = f"/events/{event.uuid}/dates/{instant_text(evening(tuesday(-1)))}/restore"
    answer = ann.get(link)
    assert answer.status_code == 400 and "This date has begun or is over" in answer.get_data(as_text=True)
    assert submit(ann, link, {}, page=f"/events/{event.uuid}").status_code == 400
    with app.app_context():
        assert OccurrenceOverride.get().cancelled


def test_a_date_moved_beyond_the_stored_window_stays_found(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    # The second date moved to a Wednesday fourteen months on: past the year of dates stored ahead.
    far = tuesday(60) + timedelta(days=1)
    response = change(ann, event, date_row(app, event, tuesday(2)), start_date=far.isoformat(), start_time="18:00",
                      end_time="20:00")
    assert response.status_code == 302, errors(response)
    moved = datetime(far.year, far.month, far.day, 18, tzinfo=PARIS).astimezone(UTC)
    found = ann.get(f"/search?q=choir&starts={far.isoformat()}&ends={far.isoformat()}").get_data(as_text=True)
    assert f'datetime="{far.isoformat()}T18:00' in found
    # Two months later the date it was moved from is out of the stored window; the moved date stays stored.
    with app.app_context():
        occurrences.refresh(Event.get_by_id(event.id), datetime.now(UTC) + timedelta(days=60))
        assert EventOccurrence.select().where((EventOccurrence.event == event.id)
                                             & (EventOccurrence.begins_on == moved)).exists()
