"""Repeated events' rules: the RRULE subset read and written back, its bounds, dates across clock
changes, the occurrence a series shows, and the rule in words."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from mobilizon_lite.services import recurrence
from mobilizon_lite.services.recurrence import Rule, RuleError, build, parse

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday, 19:00 in Paris, before the clocks go forward in March.
TUESDAY = datetime(2027, 1, 5, 19, 0, tzinfo=PARIS)


def window(rule, start=TUESDAY, exdates=(), days=800):
    return recurrence.starts(rule, list(exdates), start, start, start + timedelta(days=days))


@pytest.mark.parametrize("text", [
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=DAILY;COUNT=10",
    "FREQ=YEARLY;INTERVAL=366",
])
def test_rules_of_the_subset_read_and_write_back_the_same(text):
    assert parse(text, PARIS).text() == text
    assert parse("RRULE:" + text.lower(), PARIS).text() == text


@pytest.mark.parametrize("text", [
    "FREQ=HOURLY", "FREQ=MINUTELY;COUNT=5", "FREQ=SECONDLY", "", "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;INTERVAL=367", "FREQ=DAILY;COUNT=1001", "FREQ=DAILY;COUNT=0",
    "FREQ=DAILY;UNTIL=22010101T000000Z", "FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z",
    "FREQ=WEEKLY;BYSETPOS=1", "FREQ=WEEKLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=6TU",
    "FREQ=DAILY;BYDAY=MO", "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=WEEKLY;BYMONTHDAY=3", "FREQ=DAILY;FREQ=DAILY",
    "FREQ=DAILY;UNTIL=2027-01-01", "FREQ=DAILY;UNTIL=20271301", "FREQ=DAILY;" + "X" * 300, "FREQ",
])
def test_rules_outside_the_subset_or_its_bounds_are_refused(app, text):
    with app.test_request_context(), pytest.raises(RuleError):
        parse(text, PARIS)


def test_a_local_until_is_the_end_of_that_day_in_the_zone():
    rule = parse("FREQ=DAILY;UNTIL=20270630", PARIS)
    assert rule.until == datetime(2027, 6, 30, 21, 59, 59, tzinfo=UTC)
    assert rule.text().endswith("UNTIL=20270630T215959Z")


def test_weekly_tuesday_stays_at_seven_across_clock_changes():
    dates = window(Rule("WEEKLY", days=((0, "TU"),)), days=730)
    assert len(dates) == 105
    assert {(moment.weekday(), moment.hour, moment.minute) for moment in dates} == {(1, 19, 0)}
    offsets = {moment.utcoffset() for moment in dates}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # winter and summer time both crossed
    # 19:00 in Paris is 18:00 UTC in winter, 17:00 UTC in summer.
    assert {moment.astimezone(UTC).hour for moment in dates} == {17, 18}


def test_monthly_by_weekday_second_tuesday_and_last_friday():
    second = window(parse("FREQ=MONTHLY;BYDAY=2TU", PARIS), start=datetime(2027, 1, 12, 19, tzinfo=PARIS), days=365)
    assert [moment.day for moment in second[:4]] == [12, 9, 9, 13]
    assert all(moment.weekday() == 1 and 8 <= moment.day <= 14 for moment in second)
    last = window(parse("FREQ=MONTHLY;BYDAY=-1FR", PARIS), start=datetime(2027, 1, 29, 18, tzinfo=PARIS), days=365)
    assert all(moment.weekday() == 4 and (moment + timedelta(days=7)).month != moment.month for moment in last)
    assert len(last) == 13


def test_count_and_excluded_dates():
    start = datetime(2027, 3, 25, 9, 30, tzinfo=PARIS)
    dates = window(parse("FREQ=DAILY;COUNT=10", PARIS), start=start, exdates=["2027-03-28"])
    # Ten dates counted, one of them left out; the clocks go forward on the 28th, 9:30 stays 9:30.
    assert len(dates) == 9 and date(2027, 3, 28) not in {moment.date() for moment in dates}
    assert dates[-1].date() == date(2027, 4, 3)
    assert {moment.time().isoformat() for moment in dates} == {"09:30:00"}


def test_expansion_is_always_windowed_even_without_an_end():
    dates = recurrence.starts(parse("FREQ=DAILY", PARIS), [], TUESDAY, TUESDAY, TUESDAY + timedelta(days=5000))
    assert len(dates) == recurrence.COUNT_MAX


def test_the_occurrence_shown_is_the_first_not_over_else_the_last():
    rule = parse("FREQ=WEEKLY;BYDAY=TU;COUNT=3", PARIS)
    two_hours = timedelta(hours=2)
    during_first = TUESDAY + timedelta(hours=1)
    assert recurrence.current_start(rule, [], TUESDAY, two_hours, during_first) == TUESDAY
    after_first = TUESDAY + timedelta(hours=3)
    assert recurrence.current_start(rule, [], TUESDAY, two_hours, after_first) == TUESDAY + timedelta(days=7)
    long_after = TUESDAY + timedelta(days=100)
    assert recurrence.current_start(rule, [], TUESDAY, two_hours, long_after) == TUESDAY + timedelta(days=14)


def test_the_form_builds_monthly_rules_from_the_start_date(app):
    with app.test_request_context():
        assert build("MONTHLY", 1, date(2027, 1, 12)).text() == "FREQ=MONTHLY;BYMONTHDAY=12"
        assert build("MONTHLY", 1, date(2027, 1, 12), monthly="nth").text() == "FREQ=MONTHLY;BYDAY=2TU"
        assert build("MONTHLY", 1, date(2027, 1, 29), monthly="last").text() == "FREQ=MONTHLY;BYDAY=-1FR"
        with pytest.raises(RuleError):
            build("MONTHLY", 1, date(2027, 1, 12), monthly="last")  # not in the month's last week
        weekly = build("WEEKLY", 2, TUESDAY, weekdays=("MO", "TH"), until=date(2027, 6, 30))
        assert weekly.text() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z"
        assert build("WEEKLY", 1, TUESDAY, count=4).text() == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"


@pytest.mark.parametrize("text,english,french", [
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20270630T215959Z", "Every 2 weeks on Tuesday, until June 30, 2027",
     "Toutes les 2 semaines le mardi, jusqu’au 30 juin 2027"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "Every month on the last Friday", "Tous les mois le dernier vendredi"),
    ("FREQ=MONTHLY;BYDAY=2TU;COUNT=5", "Every month on the 2nd Tuesday, 5 times",
     "Tous les mois le 2e mardi, 5 fois"),
    ("FREQ=DAILY", "Every day", "Tous les jours"),
])
def test_the_rule_in_words(app, text, english, french):
    with app.test_request_context():
        rule = parse(text, PARIS)
        with force_locale("en"):
            assert recurrence.describe(rule, [], TUESDAY) == english
        with force_locale("fr"):
            assert recurrence.describe(rule, [], TUESDAY) == french


def test_a_series_begun_too_long_ago_is_refused_before_any_expansion_costs_it():
    now = datetime(2026, 12, 6, tzinfo=UTC)
    long_ago = datetime(1950, 1, 3, 19, tzinfo=PARIS)
    assert not recurrence.reaches(parse("FREQ=DAILY", PARIS), [], long_ago, now)  # 28,000 dates
    assert recurrence.reaches(parse("FREQ=WEEKLY", PARIS), [], long_ago, now)  # 4,000
    assert recurrence.reaches(parse("FREQ=DAILY;COUNT=20", PARIS), [], long_ago, now)  # over long ago


def test_dates_whose_times_the_clocks_skip_or_repeat_are_found():
    night = datetime(2027, 3, 20, 2, 30, tzinfo=PARIS)
    length = timedelta(minutes=45)
    # 2:30 does not exist on 28 March (the clocks go from 2:00 to 3:00), and happens twice on 31 October.
    assert recurrence.clock_change(parse("FREQ=DAILY", PARIS), [], night, length).date() == date(2027, 3, 28)
    assert recurrence.clock_change(parse("FREQ=DAILY", PARIS), ["2027-03-28"], night, length).date() == date(
        2027, 10, 31)
    assert recurrence.clock_change(parse("FREQ=DAILY;COUNT=20", PARIS), ["2027-03-28"], night, length) is None
    # An evening event ending at 2:30 is caught by its end.
    evening = datetime(2027, 3, 20, 22, tzinfo=PARIS)
    assert recurrence.clock_change(parse("FREQ=WEEKLY", PARIS), [], evening, timedelta(hours=4, minutes=30)).date(
        ) == date(2027, 3, 27)
    assert recurrence.clock_change(parse("FREQ=WEEKLY", PARIS), [], TUESDAY, timedelta(hours=2)) is None


def test_an_occurrence_lasts_as_long_on_the_clock_as_the_first():
    # 22:00 to 4:00 the next day: six hours on the clock, five the night the clocks go forward.
    start = datetime(2027, 3, 27, 22, tzinfo=PARIS)
    end = recurrence.end_of(start, recurrence.wall_length(datetime(2027, 3, 20, 21, tzinfo=UTC),
                                                          datetime(2027, 3, 21, 3, tzinfo=UTC), PARIS))
    assert end.replace(tzinfo=None) == datetime(2027, 3, 28, 4)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=5)
