"""An account's data as a ZIP: its JSON document, written a row at a time, and the calendar of its
events, written by the feeds' iCalendar writer."""
import json
import zipfile

from ..services import account_export

JSON_NAME = "account.json"
ICS_NAME = "events.ics"


def _dump(value):
    return json.dumps(value, ensure_ascii=False, indent=2)


def _write_json(out, sections, progress):
    """Write the sections as one JSON object; returns how many rows each list section held."""
    counts = {}
    out.write(b"{")
    for index, (name, value) in enumerate(sections):
        out.write((("," if index else "") + "\n" + _dump(name) + ": ").encode())
        if isinstance(value, dict | str):
            out.write(_dump(value).encode())
            continue
        count = 0
        out.write(b"[")
        for row in value:
            out.write((("," if count else "") + "\n" + _dump(row)).encode())
            count += 1
        out.write(b"\n]" if count else b"]")
        counts[name] = count
        progress(f"{name}: {count}")
    out.write(b"\n}\n")
    return counts


def write_export(account, file, progress=lambda _line: None):
    """Write the account's export ZIP to file (a path or a binary file); progress gets a line per
    section written. Returns the rows written per section (the calendar's events as "calendar")."""
    # icalendar is loaded by the first calendar written, not by every process that serves pages.
    from . import ical

    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(JSON_NAME, "w", force_zip64=True) as out:
            counts = _write_json(out, account_export.sections(account), progress)
        counts["calendar"] = 0

        def counted(items):
            for item in items:
                counts["calendar"] += 1
                yield item

        archive.writestr(ICS_NAME, ical.calendar(account.email, counted(account_export.calendar_items(account))))
        progress(f"calendar: {counts['calendar']}")
    return counts
