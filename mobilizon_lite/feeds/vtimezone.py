"""VTIMEZONE components that every calendar reader gets right, as tzurl and vzic publish them.

A zone's regular changes become yearly RRULEs (BYMONTH with BYDAY, or BYMONTHDAY and BYDAY for
rules such as "the Sunday on or after the 2nd"); the rule in force today has no end, so the
component stays right for any later year. Changes that follow no rule are listed one RDATE a line:
ical.js and vobject read only the first value of a multi-valued RDATE.
"""
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import groupby

from . import tzdb
from .contentline import component, line, moment, offset, text, utc

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The weekdays of a date repeat every 400 years: a pattern true for 400 of them holds for ever.
SAMPLE_YEARS = range(2001, 2401)
# A zone is described the same in every feed: vobject (and so Radicale) keeps the first VTIMEZONE
# it reads for a TZID for the life of the process. From the earliest year the event form takes
# (older stored rows move it back), and rules no RRULE can say are listed at least until then:
FIRST_YEAR = 1900
LISTED_UNTIL = 2100


def _month_length(moment):
    following = datetime(moment.year + 1, 1, 1) if moment.month == 12 else datetime(moment.year, moment.month + 1, 1)
    return (following - datetime(moment.year, moment.month, 1)).days


def pattern(moments):
    """The RRULE parts (a dict) of a yearly rule giving exactly these wall-clock times, one per
    consecutive year; None when no BYMONTH/BYDAY/BYMONTHDAY rule does."""
    first = moments[0]
    if any((m.month, m.time()) != (first.month, first.time()) for m in moments):
        return None
    days = [m.day for m in moments]
    if any(m.weekday() != first.weekday() for m in moments):
        return {"bymonth": first.month, "bymonthday": first.day} if len(set(days)) == 1 else None
    weekday = WEEKDAYS[first.weekday()]
    week = (first.day - 1) // 7
    if week < 4 and all((day - 1) // 7 == week for day in days):
        return {"bymonth": first.month, "byday": f"{week + 1}{weekday}"}
    if all(m.day > _month_length(m) - 7 for m in moments):
        return {"bymonth": first.month, "byday": f"-1{weekday}"}
    if max(days) - min(days) <= 6:
        # "The Sunday on or after the 2nd": seven days that hold every observed one.
        low = max(1, max(days) - 6)
        return {"bymonth": first.month, "bymonthday": list(range(low, low + 7)), "byday": weekday}
    return None


def _runs(onsets):
    """Onsets split into runs that one yearly rule describes: (onsets, pattern or None)."""
    def key(onset):
        return onset.before, onset.after, onset.local.month, onset.local.time()

    runs = []
    for _key, group in groupby(sorted(onsets, key=lambda o: (key(o), o.year)), key=key):
        group = list(group)
        start = 0
        while start < len(group):
            end, found = start + 1, None
            while end < len(group) and group[end].year == group[end - 1].year + 1:
                candidate = pattern([onset.local for onset in group[start:end + 1]])
                if candidate is None:
                    break
                end, found = end + 1, candidate
            runs.append((group[start:end], found))
            start = end
    return runs


class _Observance:
    """A STANDARD or DAYLIGHT component: from `start` on, `observance` follows `before`."""

    def __init__(self, observance, before, start, rrule=None):
        self.observance, self.before, self.start, self.rrule, self.rdates = observance, before, start, rrule, []

    def written(self):
        # Properties in alphabetical order, as icalendar writes them.
        lines = [line("DTSTART", moment(self.start)), *(line("RDATE", moment(rdate)) for rdate in self.rdates)]
        if self.rrule:
            lines.append(line("RRULE", _recur(self.rrule)))
        lines += [line("TZNAME", text(self.observance.name)), line("TZOFFSETFROM", offset(self.before.offset)),
                  line("TZOFFSETTO", offset(self.observance.offset))]
        return component("DAYLIGHT" if self.observance.is_dst else "STANDARD", lines)


def _recur(parts):
    """An RRULE value; its parts in RFC 5545's order, as icalendar writes them."""
    written = ["FREQ=YEARLY"]
    if "until" in parts:
        written.append("UNTIL=" + utc(parts["until"]))
    if "byday" in parts:
        written.append("BYDAY=" + parts["byday"])
    if "bymonthday" in parts:
        days = parts["bymonthday"]
        written.append("BYMONTHDAY=" + (",".join(map(str, days)) if isinstance(days, list) else str(days)))
    written.append(f"BYMONTH={parts['bymonth']}")
    return ";".join(written)


@lru_cache(maxsize=1024)
def rule_pattern(rule):
    """The RRULE parts of a footer rule of the tz database, None when it cannot be said so."""
    return pattern([rule.local(year) for year in SAMPLE_YEARS])


def _tail(onsets, rule):
    """The last onsets that follow the zone's current rule, year after year up to the last one listed."""
    own = [onset for onset in onsets if (onset.before, onset.after) == (rule.before, rule.after)]
    count = 0
    while count < len(own):
        onset = own[-1 - count]
        if onset.local != rule.local(onset.year) or (count and onset.year != own[-count].year - 1):
            break
        count += 1
    return own[len(own) - count:]


def vtimezone(key, first_year, last_year, zone=None):
    """The VTIMEZONE (bytes) of a tz database zone (its tzdb.Zone, read from the tz database by default),
    right for every wall-clock time from the start of first_year on (and past last_year while the
    zone's current rules hold)."""
    zone = zone or tzdb.load(key)
    start = datetime(first_year, 1, 1)
    explicit_last = zone.onsets[-1].year if zone.onsets else 0
    patterns = [rule_pattern(rule) for rule in zone.rules]
    # A rule no RRULE can say (Cairo's "Friday after the last Thursday of October" falls in
    # November some years) is listed year by year.
    horizon = (max(explicit_last + 1, first_year) + 1 if all(patterns)
               else min(tzdb.MAX_YEAR - 1, max(explicit_last, last_year, LISTED_UNTIL) + 1))
    # The rules apply from the last listed change on, within its year too (slim files stop there).
    generated = [onset for onset in tzdb.rule_onsets(zone.rules, max(explicit_last, first_year - 1), horizon)
                 if not zone.onsets or tzdb.instant(onset) > tzdb.instant(zone.onsets[-1])]
    onsets = sorted(zone.onsets + tuple(generated), key=tzdb.instant)
    earlier = [onset for onset in onsets if onset.local < start]
    inside = [onset for onset in onsets if onset.local >= start]

    components = []
    if not inside or inside[0].local > start:
        current = earlier[-1].after if earlier else zone.initial
        components.append(_Observance(current, current, start))
    for rule, found in zip(zone.rules, patterns, strict=True):
        tail = _tail(inside, rule) if found else []
        if tail:
            components.append(_Observance(rule.after, rule.before, tail[0].local, found))
            ruled = set(tail)
            inside = [onset for onset in inside if onset not in ruled]
    singles = []
    for run, found in _runs(inside):
        if found is None:
            singles += run
            continue
        # UNTIL is in UTC; vobject (dateutil) compares it with the local wall-clock time, so a
        # day's margin keeps the last onset for readers east of UTC (the next comes a year later).
        until = datetime(1970, 1, 1, tzinfo=UTC) + tzdb.instant(run[-1]) + timedelta(days=1)
        components.append(_Observance(run[0].after, run[0].before, run[0].local, {"until": until, **found}))
    # Irregular changes: one component per observance, one RDATE a line. DTSTART is repeated as an
    # RDATE because ical.js ignores DTSTART when a component has RDATEs.
    for _key, group in groupby(sorted(singles, key=lambda o: (o.before, o.after, o.local)),
                               key=lambda o: (o.before, o.after)):
        group = list(group)
        listed = _Observance(group[0].after, group[0].before, group[0].local)
        if len(group) > 1:
            listed.rdates = [onset.local for onset in group]
        components.append(listed)
    components.sort(key=lambda c: c.start)
    return component("VTIMEZONE", [line("TZID", text(key)), *(c.written() for c in components)])
