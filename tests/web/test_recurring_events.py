"""Repeated events through the event form: the "Repeats" part, its refusals (in French too), the rule
in words and the next dates on the event's page, the form filled back, occurrences in listings."""
import re
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite.models import Event, EventOccurrence
from mobilizon_lite.services import occurrences

from ..helpers import errors, event_fields, submit


def page_text(response):
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def series(app):
    with app.app_context():
        return Event.get()


def weekly(**overrides):
    """A Tuesday rehearsal, 19:00 to 21:00 in Paris, every 2 weeks on Tuesday until 30 June 2027."""
    return event_fields(**{"title": "Choir rehearsal", "start_date": "2027-01-05", "start_time": "19:00",
                           "end_time": "21:00", "repeat": "WEEKLY", "repeat_interval": "2", "repeat_weekdays": "TU",
                           "repeat_ends": "until", "repeat_until": "2027-06-30", **overrides})


def test_a_weekly_series_is_stored_as_one_rule_with_its_dates(app, ann):
    response = submit(ann, "/events/new", weekly(repeat_exdates="2027-02-16, 2027-03-02"))
    assert response.status_code == 302, errors(response)
    event = series(app)
    assert event.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630T215959Z"
    assert event.exdates == ["2027-02-16", "2027-03-02"]
    assert event.series_begins_on == datetime(2027, 1, 5, 18, tzinfo=UTC)
    assert event.begins_on == event.series_begins_on  # the first date is still ahead
    with app.app_context():
        rows = list(EventOccurrence.select().where(EventOccurrence.event == event.id)
                    .order_by(EventOccurrence.begins_on))
    # Every other Tuesday from 5 January to 29 June, less the two excluded: 19:00 in Paris, winter and summer.
    assert [row.local_start for row in rows][:3] == ["2027-01-05T19:00", "2027-01-19T19:00", "2027-02-02T19:00"]
    assert len(rows) == 13 - 2
    assert {row.local_start[11:] for row in rows} == {"19:00"}
    assert {row.begins_on.hour for row in rows} == {17, 18}
    assert all(row.ends_on - row.begins_on == timedelta(hours=2) for row in rows)

    page = page_text(ann.get(response.headers["Location"]))
    assert "Every 2 weeks on Tuesday, until June 30, 2027, except Feb 16, 2027, Mar 2, 2027" in page
    assert "Tuesday, January 19, 2027, 7:00 PM – 9:00 PM (Europe/Paris, UTC+1)" in page
    french = page_text(app.test_client().get(response.headers["Location"], headers={"Accept-Language": "fr"}))
    assert "Toutes les 2 semaines le mardi, jusqu’au 30 juin 2027" in french


def test_the_edit_form_shows_the_rule_back_and_saving_keeps_it(app, ann):
    submit(ann, "/events/new", weekly(repeat_exdates="2027-02-16"))
    event = series(app)
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    for checked in ('name="repeat" type="radio" value="WEEKLY"', 'name="repeat_weekdays" type="checkbox" value="TU"',
                    'name="repeat_ends" type="radio" value="until"'):
        assert re.search(r'<input checked [^>]*' + checked, form), checked
    assert 'value="2027-06-30"' in form and 'value="2027-02-16"' in form and 'value="2027-01-05"' in form
    response = submit(ann, f"/events/{event.uuid}/edit", weekly(repeat_interval="1", repeat_ends="count",
                                                             repeat_count="4", repeat_exdates=""))
    assert response.status_code == 302, errors(response)
    event = series(app)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=4" and event.exdates == []
    with app.app_context():
        assert EventOccurrence.select().where(EventOccurrence.event == event.id).count() == 4
    # Back to a single event: the rule and its dates go.
    response = submit(ann, f"/events/{event.uuid}/edit", weekly(repeat=""))
    assert response.status_code == 302, errors(response)
    event = series(app)
    assert event.rrule == "" and event.series_begins_on is None
    with app.app_context():
        assert EventOccurrence.select().count() == 0


@pytest.mark.parametrize("overrides, field_message", [
    ({"repeat_weekdays": "MO"}, "The event starts on a Tuesday: tick that day too."),
    ({"repeat": "HOURLY"}, "Not a valid choice."),
    ({"repeat_interval": "400"}, "Repeat every 1 to 366 times."),
    ({"repeat_ends": "count", "repeat_count": "5000"}, "Repeat 1 to 1000 times."),
    ({"repeat_ends": "count", "repeat_count": ""}, "Give how many times the event takes place."),
    ({"repeat_until": "2026-12-01"}, "The repetition must end after the event starts."),
    ({"repeat_until": "2300-01-01"}, "The repetition ends by the year 2200."),
    ({"repeat_exdates": "next tuesday"}, "Write excluded dates as 2027-12-25, separated by commas."),
    ({"repeat": "MONTHLY", "repeat_monthly": "last"}, "The start date is not on such a weekday of its month."),
    ({"repeat": "", "repeat_exdates": "2027-01-12"}, "Excluded dates are for an event that repeats."),
    ({"repeat_ends": "count", "repeat_count": "1", "repeat_exdates": "2027-01-05"},
     "With these excluded dates, the event never takes place."),
    ({"repeat": "DAILY", "start_date": "1950-01-03", "repeat_ends": "never"},
     "This repetition began too long ago: choose a later first date."),
    ({"repeat": "DAILY", "start_time": "02:30", "end_time": "03:15", "repeat_ends": "never"},
     "On March 28, 2027 the clocks change during the start or end time of the event, which calendar apps read each "
     "their own way: choose other times, or exclude that date."),
])
def test_bad_repetitions_are_refused_with_a_message(app, ann, overrides, field_message):
    response = submit(ann, "/events/new", weekly(**overrides))
    assert response.status_code == 400
    assert field_message in errors(response)
    with app.app_context():
        assert Event.select().count() == 0


def test_refusals_in_french(app, ann):
    response = submit(ann, "/events/new", weekly(repeat_weekdays="MO"), headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "L’événement commence un mardi : cochez aussi ce jour." in errors(response)


def test_monthly_choices_name_the_start_dates_weekday(app, ann):
    response = submit(ann, "/events/new", weekly(start_date="2027-01-29", repeat="MONTHLY", repeat_monthly="nth",
                                                 repeat_weekdays=""))
    # The 29th is no "nth" weekday (a fifth Friday is only ever the last): the form offers "last".
    assert response.status_code == 400
    page = page_text(response)
    assert "On the last Friday" in page and "On day 29 of the month" in page
    response = submit(ann, "/events/new", weekly(start_date="2027-01-29", repeat="MONTHLY", repeat_monthly="last",
                                                 repeat_weekdays=""))
    assert response.status_code == 302, errors(response)
    assert series(app).rrule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;UNTIL=20270630T215959Z"


def test_listings_show_a_series_at_its_next_date(app, ann):
    # A weekly series that began long ago: the home page and search list it at its next Tuesday.
    response = submit(ann, "/events/new", weekly(start_date="2025-01-07", repeat_interval="1", repeat_ends="never",
                                                 repeat_until=""))
    assert response.status_code == 302, errors(response)
    event = series(app)
    now = datetime.now(UTC)
    assert event.series_begins_on.year == 2025
    assert now - timedelta(hours=2) <= event.begins_on <= now + timedelta(days=7)
    assert event.begins_on.astimezone(event.zone).strftime("%a %H:%M") == "Tue 19:00"
    for path in ("/", "/search?q=choir"):
        listing = ann.get(path).get_data(as_text=True)
        assert "Choir rehearsal" in listing and "Repeated event" in listing, path
    # Once that date is over, the job moves the series to the one after, and listings follow.
    later = event.ends_on + timedelta(minutes=1)
    with app.app_context():
        assert occurrences.advance_series(later) == 1
        moved = Event.get_by_id(event.id)
        assert moved.begins_on == event.begins_on + timedelta(days=7) or moved.begins_on.weekday() == 1
        assert moved.sequence == event.sequence  # the series itself did not change
        assert occurrences.advance_series(later) == 0
        # A daily refresh keeps the rows a year ahead.
        assert occurrences.refresh_series(later) == 1
        last = EventOccurrence.select().order_by(EventOccurrence.begins_on.desc()).first()
        assert last.begins_on > later + timedelta(days=358)


def test_search_on_days_finds_a_series_on_any_of_its_dates(app, ann):
    assert submit(ann, "/events/new", weekly()).status_code == 302
    # Its first date is 5 January; in March it takes place on the 2nd, 16th and 30th.
    march = ann.get("/search?q=choir&starts=2027-03-01&ends=2027-03-31").get_data(as_text=True)
    assert "Choir rehearsal" in march
    august = ann.get("/search?q=choir&starts=2027-08-01&ends=2027-08-31").get_data(as_text=True)
    assert "Choir rehearsal" not in august  # the series ended on 30 June
    with app.app_context():
        event = Event.get()
        found = occurrences.occurrences_between([event.id], datetime(2027, 3, 1, tzinfo=UTC),
                                                datetime(2027, 4, 1, tzinfo=UTC))
    assert [row.local_start for row in found[event.id]] == ["2027-03-02T19:00", "2027-03-16T19:00",
                                                            "2027-03-30T19:00"]


def test_the_month_calendar_shows_a_series_on_each_of_its_dates(app, ann):
    from .test_calendar import page

    assert submit(ann, "/events/new", weekly(repeat_exdates="2027-03-16")).status_code == 302
    march = page(app.test_client(), "/calendar/2027/03", headers={"Accept-Language": "en"})
    days = [day for day in sorted(march.cells) if march.cells[day]["lines"] and day.month == 3]
    # Every other Tuesday (2, 16, 30 March), less the excluded 16th. 19:00 in Paris, shown in the
    # instance's zone (UTC here): 18:00, then 17:00 once Paris is on summer time.
    assert [day.day for day in days] == [2, 30]
    assert [march.lines(day) for day in days] == [["6:00 PM Choir rehearsal"], ["5:00 PM Choir rehearsal"]]


def test_participants_are_emailed_the_new_rule(mail_app, smtp):
    from mobilizon_lite.models import Actor
    from mobilizon_lite.services import participation

    from ..helpers import log_in, make_account

    make_account(mail_app)
    make_account(mail_app, "bob@example.org", "bob")
    ann = mail_app.test_client()
    log_in(ann)
    assert submit(ann, "/events/new", weekly()).status_code == 302
    with mail_app.app_context():
        event = Event.get()
        participation.join(event, Actor.get(Actor.preferred_username == "bob"), "")
    # The same first date, another repetition: those taking part hear of it, with the rule in words.
    response = submit(ann, f"/events/{event.uuid}/edit", weekly(repeat_interval="1", repeat_ends="count",
                                                               repeat_count="4"))
    assert response.status_code == 302, errors(response)
    [changed] = smtp.wait_for(1)
    assert changed["To"] == "bob@example.org" and changed["Subject"].startswith("Changed:")
    assert "Repeats: Every week on Tuesday, 4 times" in changed.get_content()


def test_an_account_export_holds_the_series_rule(app, ann):
    from mobilizon_lite.models import Account
    from mobilizon_lite.services import account_export

    assert submit(ann, "/events/new", weekly(repeat_exdates="2027-02-16")).status_code == 302
    with app.app_context():
        sections = dict(account_export.sections(Account.get()))
        [event] = list(sections["events_organised"])
    assert event["repetition"] == {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630T215959Z",
                                   "exdates": ["2027-02-16"], "first_begins_on": "2027-01-05T19:00:00+01:00",
                                   "first_ends_on": "2027-01-05T21:00:00+01:00"}
