"""The tz database as a list of onsets: zone files (TZif, RFC 8536) and their POSIX TZ footer rules."""
import re
import struct
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from ..dates import tz_file

EPOCH = datetime(1970, 1, 1)
MAX_YEAR = 9999


class Observance(NamedTuple):
    offset: int  # seconds east of UTC
    is_dst: bool
    name: str


class Onset(NamedTuple):
    """A change of observance, at `local`: the wall-clock time just before it (in `before.offset`)."""
    local: datetime
    before: Observance
    after: Observance
    year: int  # the year of the rule it follows (the year of `local` but for rules crossing New Year)


class Rule(NamedTuple):
    """One transition of a POSIX TZ rule: on `day` (Mm.w.d, Jn or n) at `seconds` past midnight."""
    day: str
    seconds: int
    before: Observance
    after: Observance

    def local(self, year):
        """The wall-clock time of this year's transition, in the offset before it."""
        return datetime.combine(_rule_date(self.day, year), datetime.min.time()) + timedelta(seconds=self.seconds)


class Zone(NamedTuple):
    initial: Observance  # before the first onset
    onsets: tuple  # listed in the zone file, in order
    rules: tuple  # the footer's two yearly rules (empty for a zone without DST), after the listed onsets


@lru_cache(maxsize=512)
def load(key):
    """The Zone of a tz database name (cached: zone files do not change while the server runs)."""
    try:
        return parse_tzif(tz_file(key))
    except struct.error as error:
        raise ValueError(f"a damaged zone file: {key}") from error


def parse_tzif(data):
    """A Zone from the bytes of a TZif file (version 2 or later: 64-bit times and a footer)."""
    if data[:4] != b"TZif":
        raise ValueError("not a TZif file")
    counts = struct.unpack(">6l", data[20:44])
    version = data[4:5]
    body, size = 44, 4
    if version >= b"2":
        # Skip the 32-bit block: the second header and its 64-bit times follow it.
        isut, isstd, leap, times, types, chars = counts
        body += times * 5 + types * 6 + chars + leap * 8 + isstd + isut
        counts = struct.unpack(">6l", data[body + 20:body + 44])
        body += 44
        size = 8
    isut, isstd, leap, times, types, chars = counts
    stamps = struct.unpack(f">{times}{'q' if size == 8 else 'l'}", data[body:body + times * size])
    body += times * size
    indexes = data[body:body + times]
    body += times
    infos = [struct.unpack(">lBB", data[body + 6 * i:body + 6 * i + 6]) for i in range(types)]
    body += types * 6
    names = data[body:body + chars]
    body += chars + leap * (size + 4) + isstd + isut

    def observance(index):
        offset, is_dst, name_at = infos[index]
        return Observance(offset, bool(is_dst), names[name_at:names.index(b"\0", name_at)].decode("ascii"))

    initial = observance(0) if infos else Observance(0, False, "UTC")
    onsets, before = [], initial
    for stamp, index in zip(stamps, indexes, strict=False):  # a truncated file keeps what it holds
        after = observance(index)
        if after != before:
            local = EPOCH + timedelta(seconds=stamp + before.offset)
            onsets.append(Onset(local, before, after, local.year))
        before = after
    footer = data[body:].strip(b"\n").decode("ascii") if version >= b"2" else ""
    return Zone(initial, tuple(onsets), footer_rules(footer))


_NAME = r"(<[^>]*>|[A-Za-z]+)"
_OFFSET = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_POSIX = re.compile(rf"{_NAME}{_OFFSET}(?:{_NAME}{_OFFSET}?(?:,([^,/]+)(?:/{_OFFSET})?,([^,/]+)(?:/{_OFFSET})?)?)?$")


def _seconds(text):
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def footer_rules(footer):
    """The two yearly rules of a POSIX TZ string such as CET-1CEST,M3.5.0,M10.5.0/3 (none without DST)."""
    match = _POSIX.match(footer)
    if not match or not match.group(3):
        return ()
    std_name, std_offset, dst_name, dst_offset, start, start_time, end, end_time = match.groups()
    if not start:
        raise ValueError(f"a TZ string without rules: {footer!r}")
    # POSIX offsets count west of UTC; daylight time is one hour ahead unless stated.
    std = Observance(-_seconds(std_offset), False, std_name.strip("<>"))
    dst = Observance(-_seconds(dst_offset) if dst_offset else std.offset + 3600, True, dst_name.strip("<>"))
    return (Rule(start, _seconds(start_time or "2"), std, dst),
            Rule(end, _seconds(end_time or "2"), dst, std))


def _rule_date(day, year):
    """The date of a POSIX rule day in a year: Mm.w.d (w-th weekday d, Sunday 0, w 5 = last),
    Jn (1-365, February 29 never counted) or n (0-365)."""
    if day.startswith("M"):
        month, week, weekday = (int(part) for part in day[1:].split("."))
        first = date(year, month, 1)
        day_of_month = 1 + (weekday - (first.weekday() + 1)) % 7 + 7 * (week - 1)
        length = ((date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - first).days
        while day_of_month > length:
            day_of_month -= 7
        return date(year, month, day_of_month)
    if day.startswith("J"):
        number = int(day[1:])
        leap = date(year, 3, 1) - date(year, 2, 28) == timedelta(days=2)
        return date(year, 1, 1) + timedelta(days=number - 1 + (leap and number >= 60))
    return date(year, 1, 1) + timedelta(days=int(day))


def rule_onsets(rules, first, last):
    """The onsets the footer's rules make from year first to year last, in order."""
    onsets = []
    for year in range(max(first, 1), min(last, MAX_YEAR - 1) + 1):
        for rule in rules:
            onsets.append(Onset(rule.local(year), rule.before, rule.after, year))
    return sorted(onsets, key=instant)


def instant(onset):
    """When an onset happens, as a duration since 1970 UTC (never out of datetime's range)."""
    return onset.local - EPOCH - timedelta(seconds=onset.before.offset)
