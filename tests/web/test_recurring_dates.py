"""A series' dates wherever they are asked, with dates counted from today so the tests hold on any day:
an edit from elsewhere carrying a date the series has moved past, received rules whose first date is
not theirs, months outside the stored window, searches bounded by an end only, and results sorted
and shown at the series' first date within the days asked."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mobilizon_lite.models import Event
from mobilizon_lite.services import occurrences

from ..helpers import errors, event_fields, submit
from .test_calendar import page

PARIS = ZoneInfo("Europe/Paris")


def tuesday(weeks):
    """The Tuesday weeks after (before, if negative) this week's."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday() - 1) + timedelta(weeks=weeks)


def evening(day):
    """19:00 in Paris on day, as UTC."""
    return datetime(day.year, day.month, day.day, 19, tzinfo=PARIS).astimezone(UTC)


def rehearsal(app, ann, first, **overrides):
    """A weekly Tuesday rehearsal in Paris, 19:00 to 21:00, from first; the stored Event."""
    fields = event_fields(**{"title": "Choir rehearsal", "start_date": first.isoformat(), "start_time": "19:00",
                             "end_time": "21:00", "repeat": "WEEKLY", "repeat_weekdays": "TU", "repeat_ends": "never",
                             **overrides})
    response = submit(ann, "/events/new", fields)
    assert response.status_code == 302, errors(response)
    with app.app_context():
        return Event.select().where(Event.title == fields["title"]).get()


def test_an_edit_from_elsewhere_at_a_date_the_series_moved_past_keeps_the_series(app, ann):
    event = rehearsal(app, ann, tuesday(-3))
    sent = {"begins_on": event.begins_on, "ends_on": event.ends_on, "timezone": "Europe/Paris"}
    with app.app_context():
        assert occurrences.advance(event, event.ends_on + timedelta(minutes=1))
        moved = Event.get_by_id(event.id)
        assert moved.begins_on == sent["begins_on"] + timedelta(weeks=1)
        # Their copy still shows the date it had when it was last sent: one of the series' dates.
        kept = occurrences.received(sent, None, kept=moved)
        assert kept["rrule"] == "FREQ=WEEKLY;BYDAY=TU" and kept["begins_on"] == moved.series_begins_on
        # A date that is none of the series' is a change: the series becomes that one event.
        other = dict(sent, begins_on=sent["begins_on"] + timedelta(days=1), ends_on=sent["ends_on"] + timedelta(days=1))
        assert occurrences.received(other, None, kept=moved)["rrule"] == ""


def test_the_atom_feed_follows_a_series_moving_to_its_next_date(app, ann):
    event = rehearsal(app, ann, tuesday(-3))
    client = app.test_client()
    first = client.get("/feed/instance/atom")
    assert first.status_code == 200 and first.headers["ETag"]
    with app.app_context():
        assert occurrences.advance(event, event.ends_on + timedelta(minutes=1))
    again = client.get("/feed/instance/atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    unchanged = client.get("/feed/instance/atom", headers={"If-None-Match": again.headers["ETag"]})
    assert unchanged.status_code == 304


def test_a_received_rule_whose_first_date_is_not_one_of_its_own_makes_a_single_event(app):
    monday = evening(tuesday(2) - timedelta(days=1))
    values = {"begins_on": monday, "ends_on": monday + timedelta(hours=2), "timezone": "Europe/Paris"}
    with app.test_request_context():
        single = occurrences.received(values, ("FREQ=WEEKLY;BYDAY=TU", [], monday, values["ends_on"]))
        assert single["rrule"] == "" and single["begins_on"] == monday
        # Excluding the first date leaves it the rule's own: the series stays.
        start = evening(tuesday(2))
        kept = occurrences.received(dict(values, begins_on=start, ends_on=start + timedelta(hours=2)),
                                    ("FREQ=WEEKLY;BYDAY=TU", [tuesday(2).isoformat()], start,
                                     start + timedelta(hours=2)))
        assert kept["rrule"] == "FREQ=WEEKLY;BYDAY=TU"


def tuesdays_of(month):
    day = month + timedelta(days=(1 - month.weekday()) % 7)
    found = []
    while day.month == month.month:
        found.append(day.day)
        day += timedelta(weeks=1)
    return found


def test_months_outside_the_stored_window_show_the_series_dates(app, ann):
    today = datetime.now(UTC).date()
    past = (today.replace(day=1) - timedelta(days=80)).replace(day=1)
    future = (today.replace(day=1) + timedelta(days=430)).replace(day=1)
    first = past + timedelta(days=(1 - past.weekday()) % 7)
    rehearsal(app, ann, first)
    client = app.test_client()
    for month in (past, future):
        shown = page(client, f"/calendar/{month.year}/{month.month:02d}", headers={"Accept-Language": "en"})
        days = [day.day for day in sorted(shown.cells) if shown.cells[day]["lines"] and day.month == month.month]
        assert days == tuesdays_of(month), month
    words = client.get(f"/search?q=choir&starts={past.isoformat()}&ends={(past + timedelta(days=27)).isoformat()}")
    assert f'datetime="{first.isoformat()}T19:00' in words.get_data(as_text=True)


def test_a_search_with_only_an_end_leaves_out_a_series_that_is_over(app, ann):
    rehearsal(app, ann, tuesday(-3), repeat_ends="count", repeat_count="2")
    found = ann.get(f"/search?q=choir&ends={(date.today() + timedelta(days=30)).isoformat()}").get_data(as_text=True)
    assert "Choir rehearsal" not in found


def test_a_date_search_sorts_and_shows_a_series_at_its_first_date_within(app, ann):
    rehearsal(app, ann, tuesday(1))
    wednesday = tuesday(8) + timedelta(days=1)
    response = submit(ann, "/events/new", event_fields(title="Repair cafe", start_date=wednesday.isoformat()))
    assert response.status_code == 302, errors(response)
    listing = ann.get(f"/search?starts={wednesday.isoformat()}&ends={(wednesday + timedelta(days=13)).isoformat()}")
    text = listing.get_data(as_text=True)
    assert text.index("Repair cafe") < text.index("Choir rehearsal")
    assert f'datetime="{tuesday(9).isoformat()}T19:00' in text
    assert f'datetime="{tuesday(1).isoformat()}T19:00' not in text


def test_a_month_cut_short_says_so_from_a_series_left_out(app, ann, monkeypatch):
    from mobilizon_lite.services import calendar_month

    today = datetime.now(UTC).date()
    month = (today.replace(day=1) - timedelta(days=80)).replace(day=1)
    first = month + timedelta(days=(1 - month.weekday()) % 7)
    rehearsal(app, ann, first)  # shown at its next date, after this month: read last
    for day in (20, 21):
        fields = event_fields(title=f"Fair {day}", start_date=month.replace(day=day).isoformat())
        assert submit(ann, "/events/new", fields).status_code == 302
    monkeypatch.setattr(calendar_month, "EVENTS_MAX", 2)
    shown = page(app.test_client(), f"/calendar/{month.year}/{month.month:02d}", headers={"Accept-Language": "en"})
    # The series was left out: the days of its dates before the last event read may miss it too.
    assert shown.cells[first]["more"][0] == "More events"
