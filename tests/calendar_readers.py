"""Calendars read by three parsers nobody on this team wrote: icalendar, vobject and ical.js.

Each reader interprets the VTIMEZONEs of the document itself (icalendar would otherwise look the
TZID up in its own tz database), and gives {UID: (start, end)} as UTC instants in whole seconds.
ical.js runs under Node from tests/js; its node_modules are installed with `npm ci` on first use.
In CI (CI set), a missing Node or ical.js fails the test instead of skipping it.
"""
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import icalendar
import pytest
import vobject

JS = Path(__file__).parent / "js"


def parse_both(body):
    """The calendar parsed by icalendar and, independently, by vobject."""
    text = body.decode("utf-8")
    return icalendar.Calendar.from_ical(body), vobject.readOne(text)


def vevents(cal):
    return [c for c in cal.walk("VEVENT")]


def _seconds(value):
    return None if value is None else int(value.timestamp())


def by_icalendar(body):
    """The instants as icalendar reads them with the document's own VTIMEZONEs."""
    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}

    def instant(prop):
        if prop is None:
            return None
        value = prop.dt
        tzid = prop.params.get("TZID")
        if tzid is not None:
            value = value.replace(tzinfo=zones[tzid])
        return _seconds(value)

    return {str(event["UID"]): (instant(event.get("DTSTART")), instant(event.get("DTEND")))
            for event in calendar.walk("VEVENT")}


def by_vobject(body):
    """The instants as vobject reads them (through dateutil's reader of VTIMEZONE)."""
    # vobject keeps the first VTIMEZONE it read for each TZID for the life of the process: each
    # document is read here as a new process would read it.
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    calendar = vobject.readOne(body.decode("utf-8"))
    return {event.uid.value: (_seconds(event.dtstart.value),
                              _seconds(event.dtend.value) if hasattr(event, "dtend") else None)
            for event in getattr(calendar, "vevent_list", [])}


@lru_cache(maxsize=1)
def _node():
    """(node executable, None) when ical.js can run, else (None, why not)."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    # Test processes running side by side (pytest -n) install one at a time: npm ci empties the folder first.
    with open(JS / ".npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (JS / "node_modules" / "ical.js").is_dir():
            npm = shutil.which("npm")
            if npm is None:
                return None, "npm is not installed"
            result = subprocess.run([npm, "ci", "--prefix", str(JS), "--no-audit", "--no-fund"],
                                    capture_output=True, text=True, timeout=600, check=False)
            if result.returncode != 0:
                return None, f"npm ci --prefix tests/js failed: {result.stderr.strip()[-500:]}"
    return node, None


def require_icaljs():
    """The node executable, or the test fails (CI) or is skipped (elsewhere) without ical.js."""
    node, problem = _node()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"ical.js is required in CI: {problem}")
        pytest.skip(f"ical.js unavailable: {problem}")
    return node


def by_icaljs(*bodies):
    """The instants as ical.js (Thunderbird's parser) reads them, one dict per document."""
    node = require_icaljs()
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, body in enumerate(bodies):
            path = Path(folder) / f"{number}.ics"
            path.write_bytes(body)
            paths.append(str(path))
        result = subprocess.run([node, str(JS / "instants.mjs"), *paths], capture_output=True, text=True,
                                timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return [{event["uid"]: (event["start"], event["end"]) for event in calendar}
            for calendar in json.loads(result.stdout)]


def by_three(body):
    """{reader name: its instants} for the one document."""
    return {"icalendar": by_icalendar(body), "vobject": by_vobject(body), "ical.js": by_icaljs(body)[0]}


def utc_seconds(moment):
    """A stored (aware) datetime as the readers' whole seconds."""
    return None if moment is None else int(moment.timestamp())


# Occurrences of repeated events (RRULE, EXDATE, and instances with a RECURRENCE-ID replacing the
# rule's date, left out when cancelled): {UID: [(start, end), ...]} up to a limit (an aware datetime,
# exclusive), each reader expanding the series itself.

def occurrences_by_icalendar(body, limit):
    """The occurrences as recurring-ical-events expands what icalendar read (its TZIDs resolved by
    icalendar from the tz database, as apps built on it do)."""
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(body)
    found = {}
    # A cancelled series' dates are read as dates (calendar apps show them so); a cancelled instance is left out.
    series_cancelled = {str(event["UID"]) for event in calendar.walk("VEVENT")
                        if "RECURRENCE-ID" not in event and str(event.get("STATUS", "")).upper() == "CANCELLED"}
    for event in recurring_ical_events.of(calendar).between(datetime(1970, 1, 2, tzinfo=UTC), limit):
        if str(event.get("STATUS", "")).upper() == "CANCELLED" and str(event["UID"]) not in series_cancelled:
            continue
        end = event.get("DTEND")
        found.setdefault(str(event["UID"]), []).append(
            (_seconds(event["DTSTART"].dt), None if end is None else _seconds(end.dt)))
    return {uid: sorted(dates) for uid, dates in found.items()}


def occurrences_by_vobject(body, limit):
    """The occurrences as vobject's rruleset (dateutil, with the document's VTIMEZONEs) gives them."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    calendar = vobject.readOne(body.decode("utf-8"))
    found, instances = {}, {}

    def span(event):
        start = event.dtstart.value
        return start, (event.dtend.value - start if hasattr(event, "dtend") else None)

    # vobject expands the rule alone: each instance replaces the date its RECURRENCE-ID names.
    for event in getattr(calendar, "vevent_list", []):
        if hasattr(event, "recurrence_id"):
            cancelled = hasattr(event, "status") and event.status.value.upper() == "CANCELLED"
            instances.setdefault(event.uid.value, {})[_seconds(event.recurrence_id.value)] = (
                None if cancelled else span(event))
    for event in getattr(calendar, "vevent_list", []):
        if hasattr(event, "recurrence_id"):
            continue
        start, length = span(event)
        rules = event.getrruleset(addRDate=True)
        starts = [start] if rules is None else rules.between(start, limit, inc=True)
        replaced = instances.get(event.uid.value, {})
        dates = []
        for moment in starts:
            moment, moment_length = replaced.get(_seconds(moment), (moment, length)) or (None, None)
            if moment is not None and moment < limit:
                dates.append((_seconds(moment), None if moment_length is None else _seconds(moment + moment_length)))
        found[event.uid.value] = sorted(dates)
    return found


def occurrences_by_icaljs(body, limit):
    """The occurrences as ical.js's iterator expands them, with the document's VTIMEZONEs."""
    node = require_icaljs()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "0.ics"
        path.write_bytes(body)
        result = subprocess.run([node, str(JS / "occurrences.mjs"), str(int(limit.timestamp())), str(path)],
                                capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return {uid: [tuple(pair) for pair in dates] for uid, dates in json.loads(result.stdout)[0].items()}


def occurrences_by_three(body, limit):
    """{reader name: its occurrences} for the one document."""
    return {"icalendar": occurrences_by_icalendar(body, limit), "vobject": occurrences_by_vobject(body, limit),
            "ical.js": occurrences_by_icaljs(body, limit)}
