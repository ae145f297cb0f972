"""One date of a series cancelled without touching the others, with dates counted from today so the
tests hold on any day: only organisers may, after a confirmation; the date is struck through on the
page, gone from listings and the calendar, written as a cancelled instance in the feed (RECURRENCE-ID),
and its participants are told by email."""
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from mobilizon_lite.models import Account, Actor, Event, EventOccurrence, OccurrenceOverride, Participation
from mobilizon_lite.models.limits import OVERRIDES_MAX
from mobilizon_lite.models.participation import MODERATOR
from mobilizon_lite.services import occurrence_changes, participation

from ..calendar_readers import occurrences_by_three
from ..helpers import errors, event_fields, log_in, make_account, make_group, submit
from .test_calendar import page
from .test_recurring_dates import PARIS, evening, rehearsal, tuesday


def date_row(app, event, day):
    """The stored date of the series on day."""
    with app.app_context():
        return EventOccurrence.get((EventOccurrence.event == event.id) & (EventOccurrence.begins_on == evening(day)))


def test_an_organiser_cancels_one_date_and_the_others_stay(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    show = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    link = f"/events/{event.uuid}/dates/{row.id}/cancel"
    assert link in show
    # A confirmation first: the GET changes nothing.
    assert "Cancel this date" in ann.get(link).get_data(as_text=True)
    with app.app_context():
        assert OccurrenceOverride.select().count() == 0
    response = submit(ann, link, {})
    assert response.status_code == 302
    with app.app_context():
        override = OccurrenceOverride.get()
        assert override.cancelled and override.recurrence_id == evening(tuesday(2))
        starts = [date.begins_on for date in EventOccurrence.select().where(EventOccurrence.event == event.id)]
        assert evening(tuesday(2)) not in starts
        assert evening(tuesday(1)) in starts and evening(tuesday(3)) in starts
    show = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert 'class="cancelled-date"' in show and show.count("cancelled-date") == 1
    # The month calendar no longer shows that Tuesday; the next is still there.
    day = tuesday(2)
    month = page(app.test_client(), f"/calendar/{day.year}/{day.month:02d}", headers={"Accept-Language": "en"})
    assert not month.cells[day]["lines"]
    after = tuesday(3)
    if after.month == day.month:
        assert month.cells[after]["lines"]
    # A cancelled date is no longer one to cancel.
    assert submit(ann, link, {}).status_code == 404


def test_the_series_shown_in_listings_moves_past_a_cancelled_next_date(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(1))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    with app.app_context():
        assert Event.get_by_id(event.id).begins_on == evening(tuesday(2))


def test_only_organisers_cancel_a_date_and_bad_dates_are_refused(app, ann, client):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    link = f"/events/{event.uuid}/dates/{row.id}/cancel"
    assert link not in bob.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert bob.get(link).status_code == 403
    assert submit(bob, link, {}).status_code == 403
    assert ann.get(f"/events/{event.uuid}/dates/{row.id + 10_000}/cancel").status_code == 404
    assert ann.get(f"/events/{event.uuid}/dates/abc/cancel").status_code == 404
    # Without the form's token, nothing happens.
    assert ann.post(link, data={}).status_code == 400
    with app.app_context():
        assert OccurrenceOverride.select().count() == 0


def test_a_series_holds_at_most_so_many_changed_dates(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    with app.app_context():
        OccurrenceOverride.insert_many([
            {"event": event.id, "recurrence_id": evening(tuesday(100 + n)), "cancelled": True}
            for n in range(OVERRIDES_MAX)]).execute()
    response = submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {})
    assert response.status_code == 400 and "At most 500" in response.get_data(as_text=True)


def test_the_feed_writes_the_cancelled_date_as_a_cancelled_instance(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    before = app.test_client().get("/@ann/feed/ics")
    row = date_row(app, event, tuesday(2))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    body = app.test_client().get("/@ann/feed/ics").data
    assert body != before.data
    vevents = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(vevents) == 2 and vevents[0]["UID"] == vevents[1]["UID"]
    instance = vevents[1]
    assert instance["STATUS"] == "CANCELLED"
    assert instance["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert instance["RECURRENCE-ID"].dt.replace(tzinfo=None) == datetime.combine(tuesday(2), datetime.min.time()) \
        + timedelta(hours=19)
    assert instance["DTSTART"].dt.astimezone(UTC) == evening(tuesday(2))
    assert int(instance["SEQUENCE"]) > int(vevents[0]["SEQUENCE"])
    # No EXDATE: calendar apps show the date as cancelled instead of dropping it silently.
    assert b"EXDATE" not in body


def rehearsal_bob_joined(mail_app, smtp, locale=None):
    """(ann's logged-in client, her weekly rehearsal from next Tuesday) that bob (speaking locale) joined;
    no mail kept yet."""
    make_account(mail_app)
    ann = mail_app.test_client()
    log_in(ann)
    event = rehearsal(mail_app, ann, tuesday(1))
    make_account(mail_app, "bob@example.org", "bob")
    with mail_app.app_context():
        if locale:
            Account.update(locale=locale).where(Account.email == "bob@example.org").execute()
        participation.join(event, Actor.get(Actor.preferred_username == "bob"))
    smtp.messages.clear()
    return ann, event


def test_participants_are_told_of_the_cancelled_date(mail_app, smtp):
    ann, event = rehearsal_bob_joined(mail_app, smtp, "fr")
    row = date_row(mail_app, event, tuesday(2))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == "bob@example.org"
    assert "Choir rehearsal" in message["Subject"]
    with mail_app.app_context():
        listed = occurrence_changes.listed_dates(event)
        assert [listed.date_id is None and listed.override.cancelled for listed in listed][:3] == [False, True, False]
    assert "Date annulée" in message["Subject"]


def change(client, event, row, **fields):
    day = row.begins_on.astimezone(PARIS).date().isoformat()
    return submit(client, f"/events/{event.uuid}/dates/{row.id}/change",
                  {"start_date": day, "start_time": "19:00", "end_time": "21:00", **fields})


def test_an_organiser_moves_one_date_and_gives_it_a_place_and_note(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    form = ann.get(f"/events/{event.uuid}/dates/{row.id}/change").get_data(as_text=True)
    assert 'value="19:00"' in form and f'value="{tuesday(2).isoformat()}"' in form
    response = change(ann, event, row, start_time="20:30", end_time="22:00", place_name="Town hall",
                      address="1 Main street", description="Bring the new scores.")
    assert response.status_code == 302, errors(response)
    moved = evening(tuesday(2)) + timedelta(minutes=90)
    with app.app_context():
        override = OccurrenceOverride.get()
        assert override.recurrence_id == evening(tuesday(2)) and override.begins_on == moved
        assert not override.cancelled and override.sequence == 1
        starts = {date.begins_on for date in EventOccurrence.select().where(EventOccurrence.event == event.id)}
        assert moved in starts and evening(tuesday(2)) not in starts and evening(tuesday(3)) in starts
    show = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert 'class="changed-date"' in show and "Town hall, 1 Main street" in show and "Bring the new scores." in show
    # Search on that day and the month calendar show it at its new time.
    day = tuesday(2)
    found = ann.get(f"/search?q=choir&starts={day.isoformat()}&ends={day.isoformat()}").get_data(as_text=True)
    assert f'datetime="{day.isoformat()}T20:30' in found
    month = page(app.test_client(), f"/calendar/{day.year}/{day.month:02d}", headers={"Accept-Language": "en"})
    shown = moved.astimezone(ZoneInfo(app.config["TIMEZONE"]))
    assert shown.strftime("%-I:%M %p") in " ".join(str(line) for line in month.cells[day]["lines"])
    # Changed again, the same override (its sequence raised); back at the rule's times, it follows the rule.
    row = date_row_at(app, event, moved)
    assert change(ann, event, row).status_code == 302
    with app.app_context():
        override = OccurrenceOverride.get()
        assert override.begins_on is None and override.sequence == 2 and override.place_name == ""
        assert date_row(app, event, tuesday(2)).id


def test_a_date_moved_then_cancelled_is_shown_cancelled_at_its_moved_time(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    assert change(ann, event, date_row(app, event, tuesday(2)), start_time="20:30",
                  end_time="22:00").status_code == 302
    row = date_row_at(app, event, evening(tuesday(2)) + timedelta(minutes=90))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    show = ann.get(f"/events/{event.uuid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    [cancelled] = re.findall(r'<li class="cancelled-date"><s>([^<]*)</s>', show)
    assert "8:30\u202fPM" in cancelled and "7:00\u202fPM" not in cancelled, cancelled


def date_row_at(app, event, begins_on):
    with app.app_context():
        return EventOccurrence.get((EventOccurrence.event == event.id) & (EventOccurrence.begins_on == begins_on))


def test_a_date_change_is_checked_as_the_event_form_is(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    cases = [({"end_time": "18:00"}, "The event must end after it starts."),
             ({"start_date": "2027-02-30"}, "Not a valid date value."),
             ({"start_time": "25:00"}, "Not a valid time value."),
             ({"description": "x" * 1001}, "1000"),
             ({"start_date": tuesday(3).isoformat()}, "Another date of the series starts then.")]
    for fields, message in cases:
        response = change(ann, event, row, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), fields
    with app.app_context():
        assert OccurrenceOverride.select().count() == 0
    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    assert change(bob, event, row, start_time="20:00", end_time="22:00").status_code == 403


def test_participants_are_told_of_a_changed_date(mail_app, smtp):
    ann, event = rehearsal_bob_joined(mail_app, smtp)
    row = date_row(mail_app, event, tuesday(2))
    assert change(ann, event, row, start_time="20:00", end_time="22:00", place_name="Town hall").status_code == 302
    [message] = smtp.wait_for(1)
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else str(message)
    assert message["To"] == "bob@example.org" and "Date changed" in message["Subject"]
    assert "Town hall" in body and "8:00" in body


def after_clock_change(first):
    """The first Tuesday from first whose offset in Paris differs from first's."""
    weeks = next(n for n in range(1, 60)
                 if evening(first + timedelta(weeks=n)).astimezone(PARIS).utcoffset()
                 != evening(first).astimezone(PARIS).utcoffset())
    return first + timedelta(weeks=weeks)


def test_three_readers_agree_on_moved_and_cancelled_dates_across_a_clock_change(app, ann):
    first = tuesday(1)
    event = rehearsal(app, ann, first)
    changed = after_clock_change(first)
    # Moved an hour and a half later, moved to the Wednesday, cancelled: after the clocks change and before.
    assert change(ann, event, date_row(app, event, changed), start_time="20:30", end_time="22:00").status_code == 302
    wednesday = (changed + timedelta(weeks=1, days=1)).isoformat()
    assert change(ann, event, date_row(app, event, changed + timedelta(weeks=1)), start_date=wednesday,
                  start_time="18:00", end_time="19:30").status_code == 302
    row = date_row(app, event, changed + timedelta(weeks=2))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    row = date_row(app, event, first + timedelta(weeks=1))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    body = app.test_client().get("/@ann/feed/ics").data
    limit = evening(changed + timedelta(weeks=8))
    readers = occurrences_by_three(body, limit)
    with app.app_context():
        stored = [(int(row.begins_on.timestamp()), int(row.ends_on.timestamp()))
                  for row in EventOccurrence.select().where((EventOccurrence.event == event.id)
                                                            & (EventOccurrence.begins_on < limit))
                  .order_by(EventOccurrence.begins_on)]
    uid = next(iter(readers["vobject"]))
    for reader, found in readers.items():
        assert found[uid] == stored, reader
    starts = {datetime.fromtimestamp(start, PARIS).strftime("%a %H:%M") for start, _end in stored}
    assert starts == {"Tue 19:00", "Tue 20:30", "Wed 18:00"}
    as_stored = {datetime.fromtimestamp(start, PARIS).date() for start, _end in stored}
    assert changed + timedelta(weeks=2) not in as_stored and first + timedelta(weeks=1) not in as_stored
    assert first in as_stored and changed + timedelta(weeks=3) in as_stored
    # Four instances, each with the series' UID and its date's original local start.
    instances = [vevent for vevent in icalendar.Calendar.from_ical(body).walk("VEVENT") if "RECURRENCE-ID" in vevent]
    assert len(instances) == 4
    assert {vevent["RECURRENCE-ID"].dt.strftime("%H:%M") for vevent in instances} == {"19:00"}


def test_this_and_following_ends_the_series_and_starts_a_new_one(app, ann):
    event = rehearsal(app, ann, tuesday(1), repeat_ends="count", repeat_count="10")
    make_account(app, "bob@example.org", "bob")
    with app.app_context():
        participation.join(event, Actor.get(Actor.preferred_username == "bob"))
    row = date_row(app, event, tuesday(4))
    link = f"/events/{event.uuid}/dates/{row.id}/following"
    assert link in ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    form = ann.get(link).get_data(as_text=True)
    assert f'value="{tuesday(4).isoformat()}"' in form
    response = submit(ann, link, event_fields(title="Choir rehearsal (new hall)", start_date=tuesday(4).isoformat(),
                                              start_time="20:00", end_time="22:00", repeat="WEEKLY",
                                              repeat_weekdays="TU", repeat_ends="count", repeat_count="7"))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        old = Event.get_by_id(event.id)
        assert old.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=" + (evening(tuesday(4)) - timedelta(seconds=1)).strftime(
            "%Y%m%dT%H%M%SZ")
        assert old.sequence == event.sequence + 1
        dates = [row.begins_on for row in EventOccurrence.select().where(EventOccurrence.event == event.id)]
        assert sorted(dates) == [evening(tuesday(n)) for n in (1, 2, 3)]
        new = Event.get(Event.title == "Choir rehearsal (new hall)")
        assert new.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=7" and new.series_begins_on == evening(tuesday(4)) + \
            timedelta(hours=1)
        # Participations stay on the earlier dates.
        assert Participation.select().where(Participation.event == event.id).count() == 2
    # From the first date, it is the whole series' edit.
    first = date_row(app, event, tuesday(1))
    response = ann.get(f"/events/{event.uuid}/dates/{first.id}/following")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.uuid}/edit")


def test_editing_the_series_times_forgets_the_dates_changed_one_by_one(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(2))
    assert change(ann, event, row, start_time="20:30", end_time="22:00").status_code == 302
    row = date_row(app, event, tuesday(3))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/cancel", {}).status_code == 302
    # Another field of the series: the changed dates stay.
    edit = dict(event_fields(title="Choir rehearsal", start_date=tuesday(1).isoformat(), start_time="19:00",
                             end_time="21:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="never"),
                description="Now with tea.")
    assert submit(ann, f"/events/{event.uuid}/edit", edit).status_code == 302
    with app.app_context():
        assert OccurrenceOverride.select().count() == 2
    # The series at 18:00: its dates are no longer those the overrides named. The moved date follows the
    # series again; the cancelled one stays off, as an excluded date.
    earlier = dict(edit, start_time="18:00", end_time="20:00")
    assert submit(ann, f"/events/{event.uuid}/edit", earlier).status_code == 302
    with app.app_context():
        assert OccurrenceOverride.select().count() == 0
        assert Event.get_by_id(event.id).exdates == [tuesday(3).isoformat()]
        starts = {date.begins_on for date in EventOccurrence.select().where(EventOccurrence.event == event.id)}
        assert evening(tuesday(2)) - timedelta(hours=1) in starts
        assert evening(tuesday(3)) - timedelta(hours=1) not in starts
        assert evening(tuesday(4)) - timedelta(hours=1) in starts
    assert b"RECURRENCE-ID" not in app.test_client().get("/@ann/feed/ics").data


def test_splitting_a_series_counts_as_a_new_event(app, ann):
    app.config["RATE_LIMIT_EVENTS"] = "1 per hour"
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(3))
    response = submit(ann, f"/events/{event.uuid}/dates/{row.id}/following",
                      event_fields(title="Choir rehearsal", start_date=tuesday(3).isoformat(), start_time="20:00",
                                   end_time="22:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="never"))
    assert response.status_code == 429 and response.headers["Retry-After"]
    with app.app_context():
        assert Event.select().count() == 1 and Event.get_by_id(event.id).rrule == "FREQ=WEEKLY;BYDAY=TU"


def test_a_date_id_beyond_any_row_is_not_found(app, ann):
    # Larger than SQLite's integers: a 404 like any unknown id, never an overflow.
    event = rehearsal(app, ann, tuesday(1))
    for action in ("cancel", "change", "following"):
        assert ann.get(f"/events/{event.uuid}/dates/99999999999999999999999/{action}").status_code == 404


def test_the_following_dates_form_keeps_the_count_left_and_the_dates_cancelled(app, ann):
    # Ten dates, three before the split: seven left; a date cancelled after it stays off the new series.
    event = rehearsal(app, ann, tuesday(1), repeat_ends="count", repeat_count="10",
                      repeat_exdates=tuesday(2).isoformat())
    cancelled = date_row(app, event, tuesday(6))
    assert submit(ann, f"/events/{event.uuid}/dates/{cancelled.id}/cancel", {}).status_code == 302
    row = date_row(app, event, tuesday(4))
    form = ann.get(f"/events/{event.uuid}/dates/{row.id}/following").get_data(as_text=True)
    assert re.search(r'name="repeat_count"[^>]*value="7"', form)
    assert re.search(rf'name="repeat_exdates"[^>]*value="{tuesday(6).isoformat()}"', form)


def test_the_following_dates_keep_the_series_picture_group_and_organisers(app, ann):
    from PIL import Image

    club = make_group(app)
    make_account(app, "bob@example.org", "bob")
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    image.seek(0)
    event = rehearsal(app, ann, tuesday(1), group=str(club.id), picture=(image, "choir.png"))
    with app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        Participation.create(event=event.id, actor=bob, role=MODERATOR)
        assert event.picture and event.attributed_to_id == club.id
    row = date_row(app, event, tuesday(3))
    response = submit(ann, f"/events/{event.uuid}/dates/{row.id}/following",
                      event_fields(title="Choir rehearsal (new hall)", start_date=tuesday(3).isoformat(),
                                   start_time="20:00", end_time="22:00", repeat="WEEKLY", repeat_weekdays="TU",
                                   repeat_ends="never", group=str(club.id)))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        new = Event.get(Event.title == "Choir rehearsal (new hall)")
        assert new.attributed_to_id == club.id
        # Its own copy: either may change or drop its picture without the other's going.
        assert new.picture and new.picture != event.picture
        roles = {row.actor.preferred_username: row.role
                 for row in Participation.select().where(Participation.event == new.id)}
        assert roles == {"ann": "creator", "bob": MODERATOR}
    with ann.get(f"/uploads/{new.picture}") as served:  # closed, so is the file it streams
        assert served.status_code == 200


def test_the_series_ended_by_a_split_is_edited_without_taking_the_split_date_back(app, ann):
    event = rehearsal(app, ann, tuesday(1))
    row = date_row(app, event, tuesday(4))
    assert submit(ann, f"/events/{event.uuid}/dates/{row.id}/following",
                  event_fields(title="Choir rehearsal (new hall)", start_date=tuesday(4).isoformat(),
                               start_time="20:00", end_time="22:00", repeat="WEEKLY", repeat_weekdays="TU",
                               repeat_ends="never")).status_code == 302
    # It ends the second before the split date's 19:00: its last day is the day before.
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    last = (tuesday(4) - timedelta(days=1)).isoformat()
    assert re.search(rf'name="repeat_until"[^>]*value="{last}"', form), form
    edit = dict(event_fields(title="Choir rehearsal", start_date=tuesday(1).isoformat(), start_time="19:00",
                             end_time="21:00", repeat="WEEKLY", repeat_weekdays="TU", repeat_ends="until",
                             repeat_until=last), description="Now with tea.")
    assert submit(ann, f"/events/{event.uuid}/edit", edit).status_code == 302
    with app.app_context():
        dates = sorted(row.begins_on for row in EventOccurrence.select().where(EventOccurrence.event == event.id))
    assert dates == [evening(tuesday(n)) for n in (1, 2, 3)]
