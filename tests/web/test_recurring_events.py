"""Repeated events through the event form: the "Repeats" part, its refusals (in French too), the rule
in words and the next dates on the event's page, the form filled back, occurrences in listings."""
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from mobilizon_lite.models import Event, EventOccurrence
from mobilizon_lite.services import occurrences

from ..helpers import errors, event_fields, submit


def page_text(response):
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def series(app):
    with app.app_context():
        return Event.get()


PARIS = ZoneInfo("Europe/Paris")


def _first_tuesday():
    """A Tuesday over a week ahead and in its month's first three weeks (so never its last): dates are
    counted from today, and the tests hold on any day."""
    day = datetime.now(UTC).date() + timedelta(days=8)
    day += timedelta(days=(1 - day.weekday()) % 7)
    while day.day > 21:
        day += timedelta(weeks=1)
    return day


FIRST = _first_tuesday()
# 36 weeks: every stretch that long has a clock change in Paris, and all of it is in the stored window.
UNTIL = FIRST + timedelta(weeks=36)
DATES = [FIRST + timedelta(weeks=2 * number) for number in range(19)]  # every other Tuesday to UNTIL


def local(day, hour=19):
    return datetime.combine(day, time(hour), PARIS)


def until_text(day):
    """An RRULE's UNTIL of a local last day: its last second in Paris, in UTC."""
    return datetime.combine(day, time(23, 59, 59), PARIS).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _clock_change(after):
    """The first day from after on whose clocks change in Paris."""
    day = after
    while local(day, 12).utcoffset() == local(day - timedelta(days=1), 12).utcoffset():
        day += timedelta(days=1)
    return day


def weekly(**overrides):
    """A Tuesday rehearsal, 19:00 to 21:00 in Paris, every 2 weeks on Tuesday from FIRST until UNTIL."""
    return event_fields(**{"title": "Choir rehearsal", "start_date": FIRST.isoformat(), "start_time": "19:00",
                           "end_time": "21:00", "repeat": "WEEKLY", "repeat_interval": "2", "repeat_weekdays": "TU",
                           "repeat_ends": "until", "repeat_until": UNTIL.isoformat(), **overrides})


def test_a_weekly_series_is_stored_as_one_rule_with_its_dates(app, ann):
    excluded = [DATES[3], DATES[4]]
    response = submit(ann, "/events/new", weekly(repeat_exdates=", ".join(day.isoformat() for day in excluded)))
    assert response.status_code == 302, errors(response)
    event = series(app)
    assert event.rrule == f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL={until_text(UNTIL)}"
    assert event.exdates == [day.isoformat() for day in excluded]
    assert event.series_begins_on == local(FIRST).astimezone(UTC)
    assert event.begins_on == event.series_begins_on  # the first date is still ahead
    with app.app_context():
        rows = list(EventOccurrence.select().where(EventOccurrence.event == event.id)
                    .order_by(EventOccurrence.begins_on))
    # Every other Tuesday to the last day, less the two excluded: 19:00 in Paris, winter and summer.
    assert [row.local_start for row in rows] == [f"{day}T19:00" for day in DATES if day not in excluded]
    assert {row.begins_on.hour for row in rows} == {17, 18}
    assert all(row.ends_on - row.begins_on == timedelta(hours=2) for row in rows)

    page = page_text(ann.get(response.headers["Location"]))
    assert (f"Every 2 weeks on Tuesday, until {format_date(UNTIL, 'long', locale='en')}, except "
            f"{format_date(excluded[0], 'medium', locale='en')}, {format_date(excluded[1], 'medium', locale='en')}"
            in page)
    offset = local(DATES[1]).utcoffset() // timedelta(hours=1)
    assert (f"{format_date(DATES[1], 'full', locale='en')}, 7:00 PM – 9:00 PM (Europe/Paris, UTC+{offset})"
            in page)
    french = page_text(app.test_client().get(response.headers["Location"], headers={"Accept-Language": "fr"}))
    assert f"Toutes les 2 semaines le mardi, jusqu’au {format_date(UNTIL, 'long', locale='fr')}" in french


def test_the_edit_form_shows_the_rule_back_and_saving_keeps_it(app, ann):
    submit(ann, "/events/new", weekly(repeat_exdates=DATES[3].isoformat()))
    event = series(app)
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    for checked in ('name="repeat" type="radio" value="WEEKLY"', 'name="repeat_weekdays" type="checkbox" value="TU"',
                    'name="repeat_ends" type="radio" value="until"'):
        assert re.search(r'<input checked [^>]*' + checked, form), checked
    assert f'value="{UNTIL}"' in form and f'value="{DATES[3]}"' in form and f'value="{FIRST}"' in form
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
    ({"repeat": "MONTHLY", "repeat_monthly": "third"}, "Not a valid choice."),
    ({"repeat_ends": "someday"}, "Not a valid choice."),
    ({"repeat_interval": "two"}, "Not a valid integer value."),
    ({"repeat_interval": "400"}, "Repeat every 1 to 366 times."),
    ({"repeat_ends": "count", "repeat_count": "5000"}, "Repeat 1 to 1000 times."),
    ({"repeat_ends": "count", "repeat_count": ""}, "Give how many times the event takes place."),
    ({"repeat_until": (FIRST - timedelta(days=1)).isoformat()}, "The repetition must end after the event starts."),
    ({"repeat_until": "2300-01-01"}, "The repetition ends by the year 2200."),
    ({"repeat_exdates": "next tuesday"}, "Write excluded dates as 2027-12-25, separated by commas."),
    ({"repeat": "MONTHLY", "repeat_monthly": "last"}, "The start date is not on such a weekday of its month."),
    ({"repeat": "", "repeat_exdates": "2027-01-12"}, "Excluded dates are for an event that repeats."),
    ({"repeat_ends": "count", "repeat_count": "1", "repeat_exdates": FIRST.isoformat()},
     "With these excluded dates, the event never takes place."),
    ({"repeat": "DAILY", "start_date": "1950-01-03", "repeat_ends": "never"},
     "This repetition began too long ago: choose a later first date."),
    ({"repeat": "DAILY", "repeat_interval": "1", "start_time": "02:30", "end_time": "03:15", "repeat_ends": "never"},
     f"On {format_date(_clock_change(FIRST), 'long', locale='en')} the clocks change during the start or end time "
     "of the event, which calendar apps read each their own way: choose other times, or exclude that date."),
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
    fifth = FIRST + timedelta(days=1)
    while fifth.day < 29:
        fifth += timedelta(days=1)
    weekday = format_date(fifth, "EEEE", locale="en")
    response = submit(ann, "/events/new", weekly(start_date=fifth.isoformat(), repeat="MONTHLY", repeat_monthly="nth",
                                                 repeat_weekdays=""))
    # The 29th or later is no "nth" weekday (a fifth one is only ever the last): the form offers "last".
    assert response.status_code == 400
    page = page_text(response)
    assert f"On the last {weekday}" in page and f"On day {fifth.day} of the month" in page
    response = submit(ann, "/events/new", weekly(start_date=fifth.isoformat(), repeat="MONTHLY", repeat_monthly="last",
                                                 repeat_weekdays=""))
    assert response.status_code == 302, errors(response)
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[fifth.weekday()]
    assert series(app).rrule == f"FREQ=MONTHLY;INTERVAL=2;BYDAY=-1{day};UNTIL={until_text(UNTIL)}"


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
    # Weeks after its first date, on days it takes place (a Wednesday to the fourth Tuesday after).
    starts, ends = DATES[4] - timedelta(days=6), DATES[5] + timedelta(days=7)
    later = ann.get(f"/search?q=choir&starts={starts}&ends={ends}").get_data(as_text=True)
    assert "Choir rehearsal" in later
    after = ann.get(f"/search?q=choir&starts={UNTIL + timedelta(days=10)}&ends={UNTIL + timedelta(days=40)}")
    assert "Choir rehearsal" not in after.get_data(as_text=True)  # the series is over by then
    with app.app_context():
        event = Event.get()
        found = occurrences.occurrences_between([event.id], datetime.combine(starts, time(), UTC),
                                                datetime.combine(ends, time(), UTC) + timedelta(days=1))
    assert [row.local_start for row in found[event.id]] == [f"{DATES[4]}T19:00", f"{DATES[5]}T19:00"]


def test_the_month_calendar_shows_a_series_on_each_of_its_dates(app, ann):
    from .test_calendar import page

    month = DATES[6].replace(day=1)
    dates = [day for day in DATES if day.replace(day=1) == month]
    assert submit(ann, "/events/new", weekly(repeat_exdates=dates[0].isoformat())).status_code == 302
    shown = page(app.test_client(), f"/calendar/{month.year}/{month.month:02d}", headers={"Accept-Language": "en"})
    days = [day for day in sorted(shown.cells) if shown.cells[day]["lines"] and day.month == month.month]
    # Every other Tuesday of the month, less the excluded first. 19:00 in Paris, shown in the instance's
    # zone (UTC here): 18:00 in winter, 17:00 on summer time.
    assert days == dates[1:]
    assert [shown.lines(day) for day in days] == [
        [f"{local(day).astimezone(UTC).hour - 12}:00 PM Choir rehearsal"] for day in dates[1:]]


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

    assert submit(ann, "/events/new", weekly(repeat_exdates=DATES[3].isoformat())).status_code == 302
    with app.app_context():
        sections = dict(account_export.sections(Account.get()))
        [event] = list(sections["events_organised"])
    assert event["repetition"] == {"rrule": f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL={until_text(UNTIL)}",
                                   "exdates": [DATES[3].isoformat()], "first_begins_on": local(FIRST).isoformat(),
                                   "first_ends_on": local(FIRST, 21).isoformat()}
