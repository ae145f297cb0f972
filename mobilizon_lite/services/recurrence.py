"""Repeated events: the RFC 5545 RRULE subset a series may hold (read, checked, written back), its
dates expanded by dateutil in the event's zone, and the rule said in words.

A series' rule counts from its first start (DTSTART) as a wall-clock time in the event's zone, so
"every Tuesday 19:00 Europe/Paris" stays 19:00 across clock changes. Excluded dates are local dates:
the occurrence starting that day is left out.
"""
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from babel.dates import format_date, get_day_names
from dateutil import rrule
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from ..dates import YEARS
from ..models.limits import EXDATES_MAX, RRULE_MAX

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # in Python's weekday() order
INTERVAL_MAX = 366
COUNT_MAX = 1000
# Dates an expansion may go through before the window it looks at (a daily series of 27 years).
DATES_MAX = 10_000
# "2nd Tuesday" and "last Friday" of a month: the ordinals a monthly BYDAY may carry.
ORDINALS = (1, 2, 3, 4, 5, -1)
_DAY = re.compile(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)")
_FREQ = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}


class RuleError(ValueError):
    """A rule outside the subset or its bounds; the message is meant for people."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rule:
    """One RRULE of the subset: days are (ordinal or 0, "TU") pairs; until is an aware UTC datetime."""

    freq: str
    interval: int = 1
    days: tuple = ()
    month_day: int | None = None
    until: datetime | None = None
    count: int | None = None

    def text(self):
        """The RRULE value (without "RRULE:"), its parts in one fixed order, UNTIL in UTC."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.days:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{day}" for n, day in self.days))
        if self.month_day is not None:
            parts.append(f"BYMONTHDAY={self.month_day}")
        if self.until is not None:
            parts.append("UNTIL=" + self.until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)


def _number(value, low, high, message):
    if not re.fullmatch(r"[+-]?\d{1,4}", value) or not low <= int(value) <= high:
        raise RuleError(message)
    return int(value)


def _until(value, zone):
    """An UNTIL as UTC: one in UTC as it is, a local date-time or date (the day's end) in zone."""
    match = re.fullmatch(r"(\d{8})(?:T(\d{6})(Z?))?", value)
    if not match:
        raise RuleError(_("The end date of the repetition is not a date."))
    try:
        day = datetime.strptime(match[1], "%Y%m%d").date()
        clock = datetime.strptime(match[2], "%H%M%S").time() if match[2] else time(23, 59, 59)
    except ValueError:
        raise RuleError(_("The end date of the repetition is not a date.")) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise RuleError(_("The repetition ends by the year %(last)d.", last=YEARS[1]))
    return datetime.combine(day, clock, tzinfo=UTC if match[3] else zone).astimezone(UTC)


def parse(value, zone):
    """The Rule of an RRULE value (a leading "RRULE:" allowed), for an event in zone; RuleError when it
    is outside the subset (FREQ daily to yearly, INTERVAL, BYDAY, BYMONTHDAY, UNTIL or COUNT) or its bounds."""
    value = (value or "").strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    if not value or len(value) > RRULE_MAX:
        raise RuleError(_("This repetition is not one this site understands."))
    parts = {}
    for part in value.upper().split(";"):
        name, equals, text = part.partition("=")
        if not equals or name in parts:
            raise RuleError(_("This repetition is not one this site understands."))
        parts[name] = text
    if parts.get("FREQ") not in FREQUENCIES:
        raise RuleError(_("Repeat daily, weekly, monthly or yearly."))
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT"}:
        raise RuleError(_("This repetition is not one this site understands."))
    freq = parts["FREQ"]
    interval = _number(parts.get("INTERVAL", "1"), 1, INTERVAL_MAX,
                       _("Repeat every 1 to %(max)d times.", max=INTERVAL_MAX))
    days = ()
    if "BYDAY" in parts:
        days = tuple(_day(text, freq) for text in parts["BYDAY"].split(","))
        if len(set(days)) != len(days) or (freq == "MONTHLY" and len(days) != 1):
            raise RuleError(_("This repetition is not one this site understands."))
    month_day = None
    if "BYMONTHDAY" in parts:
        if freq != "MONTHLY" or days:
            raise RuleError(_("This repetition is not one this site understands."))
        month_day = _number(parts["BYMONTHDAY"], 1, 31, _("A day of the month is between 1 and 31."))
    if "UNTIL" in parts and "COUNT" in parts:
        raise RuleError(_("A repetition ends on a date or after a number of times, not both."))
    count = None
    if "COUNT" in parts:
        count = _number(parts["COUNT"], 1, COUNT_MAX, _("Repeat 1 to %(max)d times.", max=COUNT_MAX))
    until = _until(parts["UNTIL"], zone) if "UNTIL" in parts else None
    return Rule(freq, interval, tuple(sorted(days, key=lambda day: WEEKDAYS.index(day[1]))), month_day, until, count)


def _day(text, freq):
    match = _DAY.fullmatch(text)
    if not match:
        raise RuleError(_("This repetition is not one this site understands."))
    ordinal = int(match[1] or 0)
    if (freq == "WEEKLY" and ordinal) or freq in ("DAILY", "YEARLY") or (
            freq == "MONTHLY" and ordinal not in ORDINALS):
        raise RuleError(_("This repetition is not one this site understands."))
    return ordinal, match[2]


def _rruleset(rule, exdates, start):
    """dateutil's set of the rule's dates from start (an aware local datetime), less the excluded days."""
    weekdays = [getattr(rrule, day)(n) if n else getattr(rrule, day) for n, day in rule.days] or None
    dates = rrule.rruleset()
    dates.rrule(rrule.rrule(_FREQ[rule.freq], dtstart=start, interval=rule.interval, byweekday=weekdays,
                            bymonthday=rule.month_day, until=rule.until, count=rule.count, cache=False))
    for day in exdates:
        dates.exdate(datetime.combine(date.fromisoformat(day), start.timetz()).replace(tzinfo=start.tzinfo))
    return dates


def starts(rule, exdates, start, after, before):
    """The series' starts (aware, in start's zone) from after to before (aware datetimes, both included):
    the only way dates are expanded, always within a window, and never more than COUNT_MAX of them."""
    found = []
    for moment in _rruleset(rule, exdates, start).xafter(max(after, start), inc=True, count=COUNT_MAX):
        if moment > before:
            break
        # dateutil keeps start's fold on every date; each occurrence is read as the zone has it then.
        found.append(moment.replace(fold=0))
    return found


def reaches(rule, exdates, start, moment):
    """Whether the series gets to moment (or ends before it) within DATES_MAX dates from its first:
    every expansion counts from the first date, so one begun too long ago would cost each of them more."""
    for number, found in enumerate(_rruleset(rule, exdates, start)):
        if found >= moment:
            return True
        if number >= DATES_MAX:
            return False
    return True


def first_start(rule, exdates, start):
    """The series' first start, or None when the rule and exclusions leave no date at all."""
    return next(iter(_rruleset(rule, exdates, start).xafter(start, inc=True, count=1)), None)


def wall_length(begins_on, ends_on, zone):
    """How long an event lasts on its zone's clock (DTEND less DTSTART, as calendar apps carry it to each
    date of a series); None without an end."""
    if ends_on is None:
        return None
    return ends_on.astimezone(zone).replace(tzinfo=None) - begins_on.astimezone(zone).replace(tzinfo=None)


def end_of(start, length):
    """The end of the occurrence starting at start (aware, local): length later on the zone's clock, as
    icalendar (with recurring-ical-events), vobject and ical.js all count it; None without a length."""
    return None if length is None else (start.replace(tzinfo=None) + length).replace(tzinfo=start.tzinfo)


def clock_change(rule, exdates, start, length):
    """The first of the series' first COUNT_MAX dates whose start or end time the clocks skip or repeat
    (calendar apps read such times each their own way), else None."""
    for moment in islice(_rruleset(rule, exdates, start), COUNT_MAX):
        for local in (moment, end_of(moment, length)):
            if local is not None and local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
                return moment
    return None


def clean_exdates(text):
    """ISO dates from a comma-separated text, sorted and each once; RuleError for anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            day = date.fromisoformat(part)
        except ValueError:
            raise RuleError(_("Write excluded dates as 2027-12-25, separated by commas.")) from None
        if not YEARS[0] <= day.year <= YEARS[1]:
            raise RuleError(_("Choose a year between %(first)d and %(last)d.", first=YEARS[0], last=YEARS[1]))
        days.add(day.isoformat())
    if len(days) > EXDATES_MAX:
        raise RuleError(_("At most %(max)d excluded dates.", max=EXDATES_MAX))
    return sorted(days)


def monthly_weekday(day):
    """The (ordinal, weekday) pairs that name day in its month: its nth weekday (1 to 4) and, in the
    month's last week, "last" (-1); a 5th weekday is only ever the last."""
    weekday = WEEKDAYS[day.weekday()]
    choices = [(((day.day - 1) // 7) + 1, weekday)] if day.day <= 28 else []
    if day.day > monthrange(day.year, day.month)[1] - 7:
        choices.append((-1, weekday))
    return choices


def build(freq, interval, start, weekdays=(), monthly="date", until=None, count=None):
    """The Rule the event form describes, from the series' local start (a date or datetime): weekdays
    for weekly ("MO"…); monthly "date" (same day of the month), "nth" or "last" (weekday of the start);
    until a local date (included) or count."""
    days, month_day = (), None
    if freq == "WEEKLY":
        days = tuple((0, day) for day in weekdays) or ((0, WEEKDAYS[start.weekday()]),)
    elif freq == "MONTHLY":
        if monthly == "date":
            month_day = start.day
        else:
            chosen = [pair for pair in monthly_weekday(start) if (pair[0] == -1) == (monthly == "last")]
            if not chosen:
                raise RuleError(_("The start date is not on such a weekday of its month."))
            days = (chosen[0],)
    rule = Rule(freq, interval, days, month_day, None, count)
    return rule if until is None else parse(rule.text() + f";UNTIL={until:%Y%m%d}", start.tzinfo)


def form_fields(rule, start, exdates=()):
    """The event form's "Repeats" fields saying rule (what build reads back), for a series first starting
    at start (aware, local) without the days exdates: until as the last local day the rule includes (an
    UNTIL before that day's start time, as a split writes, ends the day before)."""
    until = None
    if rule.until is not None:
        local_until = rule.until.astimezone(start.tzinfo)
        until = local_until.date() - timedelta(days=1 if local_until.time() < start.time() else 0)
    ordinal = rule.days[0][0] if rule.days and rule.freq == "MONTHLY" else 0
    return {
        "repeat": rule.freq, "repeat_interval": rule.interval,
        "repeat_weekdays": [day for _n, day in rule.days] if rule.freq == "WEEKLY" else [],
        "repeat_monthly": "last" if ordinal == -1 else "nth" if ordinal else "date",
        "repeat_ends": "until" if until else "count" if rule.count else "never",
        "repeat_until": until, "repeat_count": rule.count, "repeat_exdates": ", ".join(exdates),
    }


# Sentences are whole msgids, so translators can order their parts.
def day_name(weekday):
    """The name of a weekday (0: Monday) in the reader's language."""
    return get_day_names("wide", locale=get_locale())[weekday]


def _every(rule):
    n = rule.interval
    if rule.freq == "DAILY":
        return ngettext("Every day", "Every %(num)d days", n)
    if rule.freq == "WEEKLY":
        return ngettext("Every week", "Every %(num)d weeks", n)
    if rule.freq == "MONTHLY":
        return ngettext("Every month", "Every %(num)d months", n)
    return ngettext("Every year", "Every %(num)d years", n)


def _ordinal(n):
    return {1: _("1st"), 2: _("2nd"), 3: _("3rd"), 4: _("4th"), 5: _("5th"), -1: _("last")}[n]


def describe_monthly_day(ordinal, day):
    """"On the 2nd Tuesday", "On the last Friday" (of each month)."""
    return _("On the %(ordinal)s %(weekday)s", ordinal=_ordinal(ordinal), weekday=day_name(WEEKDAYS.index(day)))


def describe(rule, exdates, start):
    """The rule in the reader's language: "Every 2 weeks on Tuesday, until 30 June 2027"."""
    locale = get_locale()
    text = _every(rule)
    if rule.days and rule.freq == "MONTHLY":
        ordinal, day = rule.days[0]
        text = _("%(every)s on the %(ordinal)s %(weekday)s", every=text, ordinal=_ordinal(ordinal),
                 weekday=day_name(WEEKDAYS.index(day)))
    elif rule.days:
        text = _("%(every)s on %(weekdays)s", every=text,
                 weekdays=", ".join(day_name(WEEKDAYS.index(day)) for _n, day in rule.days))
    elif rule.month_day is not None:
        text = _("%(every)s on day %(day)d", every=text, day=rule.month_day)
    if rule.until is not None:
        text = _("%(rule)s, until %(date)s", rule=text,
                 date=format_date(rule.until.astimezone(start.tzinfo), "long", locale=locale))
    elif rule.count is not None:
        text = ngettext("%(rule)s, %(num)d time", "%(rule)s, %(num)d times", rule.count, rule=text)
    if exdates:
        text = _("%(rule)s, except %(dates)s", rule=text, dates=", ".join(
            format_date(date.fromisoformat(day), "medium", locale=locale) for day in exdates))
    return text


def current_start(rule, exdates, start, duration, now):
    """The start of the occurrence listings show at now: the first not over (given each lasts
    duration), else the last; None when the series has no date at all."""
    dates = _rruleset(rule, exdates, start)
    found = dates.after(now - duration, inc=True) or dates.before(now - duration)
    return None if found is None else found.replace(fold=0)
