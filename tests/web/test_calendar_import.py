"""Importing a calendar: the preview says what each event becomes, the events made have the source's
instants in our own feed (read back by icalendar, vobject and ical.js), a second import updates them
by UID, and hostile calendars are refused with a clear message."""
import os
import re
import time as time_module
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from mobilizon_lite.models import Actor, Event, ImportedEvent
from mobilizon_lite.scheduler import build_scheduler
from mobilizon_lite.services import calendar_import, ics_import
from mobilizon_lite.services.errors import Invalid

from ..calendar_readers import occurrences_by_icalendar, occurrences_by_three
from ..helpers import csrf_token, log_in, loopback_server, make_account, make_group
from ..ics_samples import EXCLUDED, GOOGLE, NEXTCLOUD, YEAR, many, single

LIMIT = datetime(YEAR + 2, 1, 1, tzinfo=UTC)


def owner_value(app, username="ann"):
    with app.app_context():
        actor = Actor.get(Actor.preferred_username == username)
    return f"{'group' if actor.type == 'Group' else 'identity'}-{actor.id}"


def send(client, app, body, owner=None):
    """Post a calendar file to the import form; the answer (a redirect to the preview when read). The
    form is encoded here: the test client would spool a large file to a temporary file it never closes."""
    fields = {"csrf_token": csrf_token(client, "/import").encode(), "owner": (owner or owner_value(app)).encode()}
    parts = [b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
             for name, value in fields.items()]
    parts.append(b'--B\r\nContent-Disposition: form-data; name="calendar"; filename="calendar.ics"\r\n'
                 b"Content-Type: text/calendar\r\n\r\n" + body + b"\r\n--B--\r\n")
    return client.post("/import", data=b"".join(parts), content_type="multipart/form-data; boundary=B")


def preview_and_confirm(client, app, body, owner=None):
    """(preview page text, done page text) of importing body."""
    return confirmed(client, send(client, app, body, owner))


def confirmed(client, sent):
    """(preview page text, done page text) of an import sent (the answer to the import form)."""
    assert sent.status_code == 302, sent.get_data(as_text=True)
    preview = client.get(sent.location)
    assert preview.status_code == 200
    done = client.post(sent.location, data={"csrf_token": csrf_token(client, sent.location)})
    assert done.status_code == 200, done.get_data(as_text=True)
    return preview.get_data(as_text=True), done.get_data(as_text=True)


def titles_and_instants(body):
    """{SUMMARY: sorted occurrences} as recurring-ical-events reads a calendar."""
    calendar = icalendar.Calendar.from_ical(body)
    titles = {str(event["UID"]): str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    return {titles[uid]: dates for uid, dates in occurrences_by_icalendar(body, LIMIT).items()}


def test_import_previews_then_creates_events_with_the_source_instants(app, ann, client):
    form = ann.get("/events/new").get_data(as_text=True)
    assert 'href="/import"' in form
    preview, done = preview_and_confirm(ann, app, NEXTCLOUD)
    assert "Repair café" in preview and "Every week on Tuesday, 6 times, except" in preview
    assert "3 new events" in preview and "Maison des associations, Paris" in preview
    assert "Cancelled" in preview and "7:00\u202fPM – 9:30\u202fPM" in preview  # times in the event's zone, not UTC
    assert "3 events created" in done
    _preview, done = preview_and_confirm(ann, app, GOOGLE)
    assert "1 event created" in done

    with app.app_context():
        repair = Event.get(Event.title == "Repair café")
        assert repair.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=6" and repair.exdates == [EXCLUDED.isoformat()]
        assert repair.timezone == "Europe/Paris" and repair.tags == ["repair", "diy"]
        assert (repair.place_name, repair.street, repair.postal_code, repair.locality) == (
            "Maison des associations", "12 rue de la Paix", "75002", "Paris")
        assert repair.links == [{"type": "website", "url": "https://cloud.example.org/repair", "label": ""}]
        assert "<em>" not in repair.description and "&lt;toasters&gt;" in repair.description
        assert "*lamps*" in repair.description
        fete = Event.get(Event.title == "Fête du quartier")
        paris = ZoneInfo("Europe/Paris")  # the calendar's one VTIMEZONE is its days' zone
        assert fete.begins_on == datetime.combine(date(YEAR, 6, 21), time(0), paris).astimezone(UTC)
        assert fete.ends_on == datetime.combine(date(YEAR, 6, 22), time(0), paris).astimezone(UTC)
        assert Event.get(Event.title == "Assemblée générale").status == "cancelled"
        walk = Event.get(Event.title == "Evening walk")
        assert walk.timezone == "America/New_York"  # X-WR-TIMEZONE, though DTSTART is in UTC
        assert ImportedEvent.select().count() == 4

    feed = client.get("/@ann/feed/ics").data
    feed_titles = {str(e["UID"]): str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")}
    # Whole days have no instants in the source: checked above.
    timed = re.sub(rb"BEGIN:VEVENT\r\nUID:fete.*?END:VEVENT\r\n", b"", NEXTCLOUD, flags=re.S)
    source = {**titles_and_instants(timed), **titles_and_instants(GOOGLE)}
    for reader, found in occurrences_by_three(feed, LIMIT).items():
        ours = {feed_titles[uid]: dates for uid, dates in found.items()}
        for title, dates in source.items():
            assert ours[title] == dates, (reader, title)
    assert len(source["Repair café"]) == 5  # six Tuesdays, one excluded


def test_importing_again_updates_instead_of_duplicating(app, ann):
    preview_and_confirm(ann, app, single("talk@x", "Talk", sequence=1))
    preview, done = preview_and_confirm(ann, app, single("talk@x", "Talk, moved", sequence=2,
                                                         start=f"{YEAR}0802T100000Z"))
    assert "Updated" in preview and "1 updated" in done
    with app.app_context():
        assert Event.select().count() == 1
        event = Event.get()
        assert event.title == "Talk, moved" and event.begins_on == datetime(YEAR, 8, 2, 10, tzinfo=UTC)
        assert event.sequence == 1
    # An older version does not overwrite the newer one; the same one changes nothing.
    sent = send(ann, app, single("talk@x", "Talk, old", sequence=1))
    page = ann.get(sent.location).get_data(as_text=True)
    assert "Already imported, and not changed since." in page and "0 new events" in page
    with app.app_context():
        assert Event.get().title == "Talk, moved"


def test_group_import_from_the_group_page(app, ann):
    make_group(app, "club")
    assert 'href="/import?group=club"' in ann.get("/@club").get_data(as_text=True)
    page = ann.get("/import?group=club").get_data(as_text=True)
    assert re.search(r'<option selected value="group-\d+">The group', page)
    _preview, done = preview_and_confirm(ann, app, single("g@x", "Club night"), owner_value(app, "club"))
    assert "1 event created" in done
    with app.app_context():
        event = Event.get()
        assert event.attributed_to.preferred_username == "club"
        assert ImportedEvent.get().owner.preferred_username == "club"


def refused(ann, app, body):
    response = send(ann, app, body)
    assert response.status_code == 400
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_hostile_calendars_are_refused_with_a_message(app, ann):
    assert "The calendar is larger than 2 MB." in refused(ann, app, b"BEGIN:VCALENDAR\r\n" + b"X" * (3 << 20))
    assert "at most 500 can be imported at once" in refused(ann, app, many(600))
    assert "This is not a calendar (.ics) file" in refused(ann, app, b"\x89PNG garbage \x00\xff")
    assert "This is not a calendar (.ics) file" in refused(ann, app, b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMM")
    secondly = single("s@x", "Every second", "RRULE:FREQ=SECONDLY\r\n")
    sent = send(ann, app, secondly)
    page = ann.get(sent.location).get_data(as_text=True)
    assert "Imported as a single event: Repeat daily, weekly, monthly or yearly." in page
    untitled = single("u@x", "")
    page = ann.get(send(ann, app, untitled).location).get_data(as_text=True)
    assert "Give the event a title." in page and "Skipped" in page


def test_a_calendar_address_is_fetched_through_the_safe_client(app, ann, app_config):
    class Calendar(BaseHTTPRequestHandler):
        def do_GET(self):
            body = single("web@x", "From the web")
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with loopback_server(Calendar) as url:
        response = ann.post("/import", data={"csrf_token": csrf_token(ann, "/import"),
                                             "owner": owner_value(app), "url": f"{url}/club.ics"})
        assert response.status_code == 400
        assert "The calendar could not be fetched" in response.get_data(as_text=True)
        app.config["ALLOWED_PRIVATE_NETWORKS"] = ["127.0.0.0/8"]
        response = ann.post("/import", data={"csrf_token": csrf_token(ann, "/import"),
                                             "owner": owner_value(app), "url": f"{url}/club.ics"})
        assert response.status_code == 302
        assert "From the web" in ann.get(response.location).get_data(as_text=True)


def test_a_preview_belongs_to_its_session(app, ann):
    sent = send(ann, app, single("p@x", "Private"))
    other = app.test_client()
    assert other.get(sent.location).status_code == 302  # to the log-in page
    assert ann.get("/import/not-a-token").status_code == 404


def test_checking_a_calendar_is_bounded_in_time(app):
    # Daily series begun decades ago: the form's checks walk thousands of dates for each.
    old = "".join(f"BEGIN:VEVENT\r\nUID:d{n}\r\nSUMMARY:Daily {n}\r\nDTSTART;TZID=Europe/Paris:19990101T100000\r\n"
                  "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n" for n in range(500))
    body = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{old}END:VCALENDAR\r\n".encode()
    with app.test_request_context():
        try:
            ics_import.read(body, "UTC", seconds=0.5)
        except Invalid as error:
            assert "takes too long" in error.message
        else:
            raise AssertionError("not bounded")
        item = ics_import.read(body.split(b"BEGIN:VEVENT\r\nUID:d1\r\n")[0] + b"END:VCALENDAR\r\n", "UTC")[0]
        assert item.notes == ["Imported as a single event: This repetition began too long ago: choose a later "
                              "first date."]


def test_only_groups_one_may_organise_in_are_offered(app, ann):
    make_account(app, "bob@example.org", "bob")
    make_group(app, "bobs", creator_username="bob")
    assert "bobs" not in ann.get("/import").get_data(as_text=True)
    response = send(ann, app, single("x@x", "Intruder"), owner_value(app, "bobs"))
    assert response.status_code == 400
    with app.app_context():
        assert Event.select().count() == 0


def test_a_later_last_modified_updates_at_the_same_sequence(app, ann):
    def version(title, modified):
        return single("m@x", title, f"LAST-MODIFIED:{YEAR}0{modified}01T000000Z\r\n", sequence=3)

    preview_and_confirm(ann, app, version("First", 2))
    assert "Already imported" in ann.get(send(ann, app, version("Older", 1)).location).get_data(as_text=True)
    _preview, done = preview_and_confirm(ann, app, version("Later", 3))
    assert "1 updated" in done
    with app.app_context():
        assert [event.title for event in Event.select()] == ["Later"]


def test_odd_zones_and_times_give_a_reason_never_a_500(app, ann):
    # A TZID naming a folder of the zone database, or far too long, used to raise inside the parser.
    for zone in ("Europe", "E" * 300):
        response = send(ann, app, single("z@x", "Zoned", start=f"{YEAR}0801T100000").replace(
            b"DTSTART:", f"DTSTART;TZID={zone}:".encode()))
        assert response.status_code in (302, 400), zone
        google = GOOGLE.replace(b"X-WR-TIMEZONE:", f"X-WR-TIMEZONE:{zone}\r\nX-OLD:".encode())
        assert send(ann, app, google).status_code in (302, 400), zone
    with app.test_request_context():
        [item] = ics_import.read(single("t@x", "Time only", start="100000").replace(
            b"DTSTART:", b"DTSTART;VALUE=TIME:"), "Europe/Paris")
        assert item.problem == "The event's dates or fields cannot be read."


def test_events_hidden_in_other_components_are_neither_counted_nor_imported(app):
    nested = many(3).replace(b"BEGIN:VEVENT", b"BEGIN:VTODO\r\nBEGIN:VEVENT", 1).replace(
        b"END:VEVENT", b"END:VEVENT\r\nEND:VTODO", 1)
    with app.test_request_context():
        assert [item.title for item in ics_import.read(nested, "Europe/Paris")] == ["Event 1", "Event 2"]


def test_a_changed_date_before_its_series_leaves_the_series_imported(app):
    series = single("choir@x", "Choir", "RRULE:FREQ=WEEKLY;COUNT=4\r\n")
    moved = (f"BEGIN:VEVENT\r\nUID:choir@x\r\nDTSTAMP:{YEAR}0101T000000Z\r\nRECURRENCE-ID:{YEAR}0808T100000Z\r\n"
             f"SUMMARY:Choir (moved)\r\nDTSTART:{YEAR}0809T100000Z\r\nEND:VEVENT\r\n").encode()
    calendar = series.replace(b"BEGIN:VEVENT", moved + b"BEGIN:VEVENT", 1)
    with app.test_request_context():
        first, second = ics_import.read(calendar, "Europe/Paris")
    assert "one date of a repeated event" in first.problem and second.problem == ""


def test_long_uids_and_many_categories_are_bounded(app):
    long_uid = "u" * 3000
    categories = "".join(f"CATEGORIES:t{n}\r\n" for n in range(20_000))
    with app.test_request_context():
        [item] = ics_import.read(single(long_uid, "Long"), "Europe/Paris")
        assert "UID is longer than" in item.problem
        [tagged] = ics_import.read(single("c@x", "Tagged", categories), "Europe/Paris")
    assert tagged.problem == "" and 0 < len(tagged.data["tags"].split(", ")) <= 10


def test_a_session_holds_one_calendar_at_a_time(app, ann):
    for number in range(3):
        assert send(ann, app, single(f"h{number}@x", f"Held {number}")).status_code == 302
    assert len(list((Path(app.instance_path) / "imports").glob("*.ics"))) == 1


def test_the_hourly_job_forgets_previews_never_confirmed(app, ann):
    sent = send(ann, app, single("late@x", "Never confirmed"))
    assert sent.status_code == 302
    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    assert send(bob, app, single("fresh@x", "Still looked at"), owner_value(app, "bob")).status_code == 302
    folder = Path(app.instance_path) / "imports"
    late, fresh = sorted(folder.glob("*.ics"), key=lambda path: b"late@x" not in path.read_bytes())
    hours_ago = time_module.time() - calendar_import.HELD_SECONDS - 60
    os.utime(late, (hours_ago, hours_ago))
    # No other calendar is sent: the scheduler's job alone forgets it.
    build_scheduler(app).get_job("purge_held").func()
    assert not late.exists() and fresh.exists()
    gone = ann.get(sent.location)
    assert gone.status_code == 404 and "This import has expired" in gone.get_data(as_text=True)


EASTERN = """BEGIN:VTIMEZONE\r
TZID:Eastern Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def test_a_series_in_a_zone_this_machine_does_not_know_comes_as_one_date(app):
    # Its dates would follow the instance's clock changes, not the other zone's: one date, at its instant.
    calendar = single("e@x", "Outlook meeting", "RRULE:FREQ=WEEKLY;COUNT=20\r\n", start=f"{YEAR}0303T190000")
    calendar = calendar.replace(b"DTSTART:", b"DTSTART;TZID=Eastern Standard Time:").replace(
        b"BEGIN:VEVENT", EASTERN.encode() + b"BEGIN:VEVENT", 1)
    with app.test_request_context():
        [item] = ics_import.read(calendar, "Europe/Paris")
    assert item.problem == "" and "repeat" not in item.data
    assert any("Imported as a single event" in note for note in item.notes)
    local = datetime.combine(item.data["start_date"], item.data["start_time"], ZoneInfo(item.data["timezone"]))
    assert local.astimezone(UTC) == datetime(YEAR, 3, 4, 0, 0, tzinfo=UTC)
