"""The VTIMEZONEs of every zone of the tz database, read by icalendar, vobject and ical.js, give the
same UTC instants as Python's zoneinfo, from the zone files as shipped: the tzdata package's "slim"
files, which end with a rule, and the system's "fat" ones, which list changes up to 2037."""
import io
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from mobilizon_lite.feeds import tzdb
from mobilizon_lite.feeds.vtimezone import FIRST_YEAR, vtimezone

from ..calendar_readers import by_icalendar, by_icaljs, by_vobject

THIS_YEAR = datetime.now(UTC).year
# Offsets in whole minutes only: vobject and ical.js drop the seconds of old local mean times.
HISTORY = ("Europe/Paris", "Europe/London", "America/New_York", "America/Sao_Paulo", "Australia/Sydney",
           "America/Santiago", "Pacific/Auckland", "Europe/Moscow", "Asia/Tehran", "Africa/Casablanca",
           "America/Havana", "Asia/Jerusalem", "Pacific/Apia", "Europe/Lisbon", "America/Mexico_City")


def zone_files(source):
    """{zone name: TZif bytes} of one source: "package" (tzdata) or "system" (/usr/share/zoneinfo);
    one name for each distinct file (links such as US/Eastern are the same file)."""
    names = sorted(zoneinfo.available_timezones() - {"localtime"})
    if source == "package":
        import tzdata

        root = Path(tzdata.__file__).parent / "zoneinfo"
    else:
        root = next((Path(path) for path in zoneinfo.TZPATH if (Path(path) / "Europe" / "Paris").is_file()), None)
        if root is None:
            pytest.skip("no system tz database")
    files = {}
    for name in names:
        if (root / name).is_file():
            files.setdefault((root / name).read_bytes(), name)
    return {name: data for data, name in files.items()}


def samples(zone, years):
    """Wall-clock times of these years that exist once in the zone: mid-January, mid-July, and
    twelve hours on either side of each change of UTC offset."""
    found = []
    for year in years:
        day = datetime(year, 1, 1, 12)
        before = day.replace(tzinfo=zone).utcoffset()
        found += [datetime(year, 1, 15, 12), datetime(year, 7, 15, 12)]
        while day.year == year:
            day += timedelta(days=1)
            offset = day.replace(tzinfo=zone).utcoffset()
            if offset != before:
                found += [day - timedelta(days=1), day]
            before = offset
    moments = []
    for local in found:
        aware = local.replace(tzinfo=zone)
        unique = aware.utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset()
        exists = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
        if unique and exists and aware.utcoffset() % timedelta(minutes=1) == timedelta(0):
            moments.append((local, int(aware.timestamp())))
    return moments


def calendar_of(files, years):
    """(document, {UID: expected instant}) with one VTIMEZONE per zone and events at its samples."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//mobilizon_lite tests//EN")
    calendar.add("version", "2.0")
    expected, timezones = {}, []
    for name, data in files.items():
        timezones.append(vtimezone(name, FIRST_YEAR, max(years) + 1, tzdb.parse_tzif(data)))
        zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=name)
        for number, (local, instant) in enumerate(samples(zone, years)):
            event = icalendar.Event()
            uid = f"{name}/{number}"
            event.add("uid", uid)
            event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
            event.add("dtstart", local, parameters={"TZID": name})
            calendar.add_component(event)
            expected[uid] = instant
    head, first_event, rest = calendar.to_ical().partition(b"BEGIN:VEVENT")
    return head + b"".join(timezones) + first_event + rest, expected


def assert_readers_agree(body, expected):
    readers = {"icalendar": by_icalendar(body), "vobject": by_vobject(body), "ical.js": by_icaljs(body)[0]}
    for reader, instants in readers.items():
        wrong = {uid: (instants.get(uid, (None,))[0], want) for uid, want in expected.items()
                 if instants.get(uid, (None,))[0] != want}
        assert not wrong, f"{reader} reads {len(wrong)} times wrong (read, right): {dict(list(wrong.items())[:20])}"


def test_every_zone_two_and_five_years_ahead():
    body, expected = calendar_of(zone_files("package"), (THIS_YEAR + 2, THIS_YEAR + 5))
    assert len(expected) > 1500
    assert_readers_agree(body, expected)


@pytest.mark.parametrize("source", ["package", "system"])
def test_past_rules_of_zones_that_changed_them(source):
    files = {name: data for name, data in zone_files(source).items() if name in HISTORY}
    body, expected = calendar_of(files, (1916, 1944, 1975, 1996, 2006, 2011, 2016, 2022))
    assert_readers_agree(body, expected)


def test_rules_become_yearly_rules_and_irregular_changes_one_rdate_a_line():
    paris = vtimezone("Europe/Paris", 2026, 2031).decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in paris and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in paris
    assert "RDATE" not in paris
    santiago = vtimezone("America/Santiago", 2026, 2031).decode()
    assert "BYDAY=SU;BYMONTHDAY=2,3,4,5,6,7,8;BYMONTH=9" in santiago  # "the Sunday on or after the 2nd"
    casablanca = vtimezone("Africa/Casablanca", 2026, 2031).decode()
    rdates = [line for line in casablanca.splitlines() if line.startswith("RDATE")]
    assert len(rdates) > 10 and not any("," in line for line in rdates)


def test_the_ends_of_the_calendar():
    for name in ("Pacific/Kiritimati", "America/New_York", "Asia/Tokyo", "Africa/Cairo"):
        for first, last in ((1, 2), (1, 9998), (9997, 9998)):
            body = b"BEGIN:VCALENDAR\r\n" + vtimezone(name, first, last) + b"END:VCALENDAR\r\n"
            assert icalendar.Calendar.from_ical(body).walk("VTIMEZONE"), (name, first, last)


def test_zone_files_are_read_as_zoneinfo_reads_them():
    # Around the last change a zone file lists and the first its rule makes.
    for name, data in zone_files("package").items():
        zone = tzdb.parse_tzif(data)
        reference = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=name)
        for onset in zone.onsets[-3:] + tuple(tzdb.rule_onsets(zone.rules, 2040, 2041)):
            moment = datetime(1970, 1, 1, tzinfo=UTC) + tzdb.instant(onset)
            assert (moment - timedelta(seconds=1)).astimezone(reference).utcoffset() == timedelta(
                seconds=onset.before.offset), (name, onset)
            assert moment.astimezone(reference).utcoffset() == timedelta(seconds=onset.after.offset), (name, onset)
