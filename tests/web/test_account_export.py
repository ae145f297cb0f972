"""The export of an account's data: a ZIP with the JSON document and the calendar, given after the
password (with the form's CSRF token), the same from run.py export-account."""
import io
import json
import zipfile
from datetime import date, time

import pytest

from mobilizon_lite.cli.commands import build_parser, run_command
from mobilizon_lite.models import Actor
from mobilizon_lite.services import comments, discussions, participation, posts
from mobilizon_lite.services.errors import NotFound

from ..calendar_readers import by_icalendar, by_vobject, parse_both, utc_seconds, vevents
from ..helpers import BASE_URL, PASSWORD, errors, log_in, make_account, make_event, make_group, submit


def actor(username):
    return Actor.get(Actor.preferred_username == username)


@pytest.fixture(name="data")
def data_fixture(app):
    """ann's account and what she did: an event of her own (with an online address), an event of her
    group, a post and a discussion there, and on bob's events a participation, a request waiting, a
    comment and a reply."""
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    club = make_group(app, "club", "ann")
    own = make_event(app, "ann", title="Repair café", online_url="https://visio.example.org/room",
                     tags="repair", start_date=date(2027, 7, 1), start_time=time(14, 0))
    club_event = make_event(app, "ann", group=club, title="Club night", timezone="America/New_York",
                            start_date=date(2027, 1, 15), start_time=time(19, 30), end_time=time(22, 0))
    free = make_event(app, "bob", title="Picnic", start_date=date(2027, 6, 1), start_time=time(12, 0))
    restricted = make_event(app, "bob", title="Workshop", join_mode="restricted",
                            online_url="https://visio.example.org/secret", start_date=date(2027, 5, 1))
    with app.app_context():
        ann = actor("ann")
        participation.join(free, ann, "See you there")
        participation.join(restricted, ann, "May I come?")
        first = comments.comment_on(free, ann, "I'll bring **bread**.")
        comments.comment_on(free, ann, "And cheese.", in_reply_to=first)
        post = posts.create_post(club, ann, {"title": "Welcome", "body": "Hello *all*", "visibility": "public"})
        discussions.start_discussion(club, ann, "Next meeting", "Tuesday or **Thursday**?")
    return {"own": own, "club_event": club_event, "free": free, "restricted": restricted, "post": post}


def download(client, password=PASSWORD):
    return submit(client, "/settings/export", {"current_password": password})


def read_zip(body):
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["account.json", "events.ics"]
        return json.loads(archive.read("account.json")), archive.read("events.ics")


def test_the_zip_holds_the_json_document_field_by_field(app, data):
    client = app.test_client()
    log_in(client)
    page = client.get("/settings/export")
    assert page.status_code == 200 and 'name="current_password"' in page.get_data(as_text=True)
    response = download(client)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="ann-')
    assert response.headers["Cache-Control"] == "no-store"
    document, _ics = read_zip(response.data)

    assert document["format"] == "mobilizon_lite account export 1"
    account = document["account"]
    assert account["email"] == "ann@example.org" and account["locale"] is None and account["role"] == "user"
    assert account["created"].endswith("+00:00")
    [identity] = document["identities"]
    assert identity["username"] == "ann" and identity["url"] == f"{BASE_URL}/@ann"

    own, club_event = document["events_organised"][1], document["events_organised"][0]
    assert club_event["title"] == "Club night"
    assert club_event["begins_on"] == "2027-01-15T19:30:00-05:00"
    assert club_event["ends_on"] == "2027-01-15T22:00:00-05:00"
    assert club_event["timezone"] == "America/New_York"
    assert club_event["group"] == {"url": f"{BASE_URL}/@club", "name": "club"}
    assert own["title"] == "Repair café" and own["organiser"] == "ann" and own["group"] is None
    assert own["url"] == f"{BASE_URL}/events/{data['own'].uuid}"
    assert own["begins_on"] == "2027-07-01T14:00:00+02:00" and own["ends_on"] == "2027-07-01T18:00:00+02:00"
    assert own["description"] == "Bring your **toaster**."
    assert own["online_url"] == "https://visio.example.org/room"
    assert own["address"]["place_name"] == "Maison des associations" and own["address"]["locality"] == "Paris"
    assert (own["status"], own["visibility"], own["join_mode"]) == ("confirmed", "public", "free")
    assert own["tags"] == ["repair"] and own["category"] == "CRAFTS" and own["language"] == "fr"
    assert own["repetition"] is None

    # Her own events' organiser rows are not participations; bob's events are, soonest first.
    assert [(p["title"], p["state"], p["message"]) for p in document["participations"]] == [
        ("Workshop", "not_approved", "May I come?"), ("Picnic", "participant", "See you there")]
    picnic = document["participations"][1]
    assert picnic["event"] == f"{BASE_URL}/events/{data['free'].uuid}"
    assert picnic["begins_on"] == "2027-06-01T12:00:00+02:00" and picnic["identity"] == "ann"

    assert [(c["text"], c["in_reply_to"], c["event_title"]) for c in document["comments"]] == [
        ("I'll bring **bread**.", False, "Picnic"), ("And cheese.", True, "Picnic")]
    [message] = document["discussion_comments"]
    assert (message["discussion_title"], message["text"], message["group"]) == (
        "Next meeting", "Tuesday or **Thursday**?", f"{BASE_URL}/@club")
    assert message["discussion"].startswith(f"{BASE_URL}/@club/") and message["created"].endswith("+00:00")
    assert [(m["group"], m["role"], m["identity"]) for m in document["group_memberships"]] == [
        (f"{BASE_URL}/@club", "administrator", "ann")]
    [post] = document["posts"]
    assert (post["title"], post["body"], post["group"], post["visibility"], post["draft"]) == (
        "Welcome", "Hello *all*", f"{BASE_URL}/@club", "public", False)
    assert post["published"].endswith("+00:00")
    # Nothing of bob's own doing.
    assert "bob@example.org" not in json.dumps(document)


def test_the_calendar_holds_the_events_organised_and_joined(app, data):
    client = app.test_client()
    log_in(client)
    _document, ics = read_zip(download(client).data)
    icalendar_cal, vobject_cal = parse_both(ics)
    by_title = {str(event["SUMMARY"]): event for event in vevents(icalendar_cal)}
    assert sorted(by_title) == ["Club night", "Picnic", "Repair café", "Workshop"]
    assert len(vobject_cal.vevent_list) == 4
    # Still waiting for approval: tentative, and without the online address only participants see.
    assert str(by_title["Workshop"]["STATUS"]) == "TENTATIVE"
    assert "visio.example.org/secret" not in ics.decode()
    assert str(by_title["Picnic"]["STATUS"]) == "CONFIRMED"
    assert "https://visio.example.org/room" in str(by_title["Repair café"]["DESCRIPTION"])
    # Each reader finds each event at the instant stored, with the document's own time zones.
    expected = {f"{data[key].uuid}@events.test": (utc_seconds(data[key].begins_on), utc_seconds(data[key].ends_on))
                for key in ("own", "club_event", "free", "restricted")}
    assert by_icalendar(ics) == expected
    assert by_vobject(ics) == expected


def test_the_password_and_the_forms_token_are_required(app, data):
    client = app.test_client()
    log_in(client)
    wrong = download(client, "not my password at all")
    assert wrong.status_code == 400 and wrong.mimetype == "text/html"
    assert "This is not your current password." in errors(wrong)
    forged = client.post("/settings/export", data={"current_password": PASSWORD})
    assert forged.status_code == 400 and forged.mimetype == "text/html"
    assert app.test_client().get("/settings/export").status_code == 302
    assert app.test_client().post("/settings/export", data={"current_password": PASSWORD}).mimetype != (
        "application/zip")


def test_run_py_export_account_writes_the_same_zip(app, data, tmp_path, capsys):
    client = app.test_client()
    log_in(client)
    web_document, web_ics = read_zip(download(client).data)
    output = tmp_path / "ann.zip"
    args = build_parser().parse_args(["export-account", "ANN@example.org", "--output", str(output)])
    assert run_command(app, args) == 0
    cli_document, cli_ics = read_zip(output.read_bytes())
    for document in (web_document, cli_document):
        del document["account"]["exported"]
    assert cli_document == web_document and cli_ics == web_ics
    out = capsys.readouterr().out
    assert "participations: 2" in out and "comments: 2" in out and "calendar: 4" in out
    assert out.splitlines()[-1].startswith(f"Wrote {output} (") and "2 participations" in out.splitlines()[-1]
    unknown = build_parser().parse_args(["export-account", "nobody@example.org", "--output", str(output)])
    with pytest.raises(NotFound, match="No account uses this email address"):
        run_command(app, unknown)
