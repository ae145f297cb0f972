"""Events through the web UI: create, show, edit, cancel, delete, time zones, bad input."""
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from mobilizon_lite.models import Actor, Event

from ..helpers import EVENT_DAY, day_text, errors, event_fields, log_in, make_account, make_event, submit


@pytest.fixture
def ann(app, client):
    make_account(app)
    log_in(client)
    return client


def page_text(response):
    """The page as text, with CLDR's narrow no-break spaces made plain spaces."""
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def event_count(app):
    with app.app_context():
        return Event.select().count()


def only_event(app):
    with app.app_context():
        return Event.get()


def test_create_event_with_every_field(app, ann):
    fields = event_fields(
        online_url="https://meet.example/repair",
        capacity="12", tags="#Repair, repair , DIY,  vélo ", anonymous_participation="y",
        **{"links-0-type": "pad", "links-0-url": "https://pad.example/notes", "links-0-label": "Notes",
           "links-1-type": "chat", "links-1-url": "https://chat.example/room"},
    )
    response = submit(ann, "/events/new", fields)
    assert response.status_code == 302, errors(response)
    event = only_event(app)
    assert response.headers["Location"] == f"/events/{event.uuid}"
    assert event.tags == ["repair", "diy", "vélo"]
    assert event.links == [{"type": "pad", "url": "https://pad.example/notes", "label": "Notes"},
                           {"type": "chat", "url": "https://chat.example/room", "label": ""}]
    assert event.capacity == 12 and event.anonymous_participation
    assert event.description == "<p>Bring your <strong>toaster</strong>.</p>"
    assert event.sequence == 0
    page = page_text(ann.get(response.headers["Location"]))
    for text in ("Repair café", f"{day_text(EVENT_DAY)}, 2:00 PM – 6:00 PM (Europe/Paris, UTC+2)",
                 "Maison des associations", "openstreetmap.org/?mlat=48.853410&amp;mlon=2.348800",
                 "https://pad.example/notes", "Shared notes (pad)", "#diy", "12 seats left",
                 "0 participants", "Crafts"):
        assert text in page, text


@pytest.mark.parametrize("day, local_time, fold, utc_hour", [
    ("2027-07-01", "14:00", "", 12),   # summer time, UTC+2
    ("2027-12-01", "14:00", "", 13),   # winter time, UTC+1
    ("2027-10-31", "02:30", "0", 0),   # the first 02:30 of the night clocks go back (UTC+2)
    ("2027-10-31", "02:30", "1", 1),   # the second one (UTC+1)
])
def test_times_are_stored_in_utc_with_the_zone(app, ann, day, local_time, fold, utc_hour):
    response = submit(ann, "/events/new", event_fields(start_date=day, start_time=local_time, end_time="",
                                                       start_fold=fold))
    assert response.status_code == 302, errors(response)
    event = only_event(app)
    assert event.timezone == "Europe/Paris"
    assert event.begins_on.tzinfo == UTC and event.begins_on.hour == utc_hour
    assert event.ends_on is None


def test_a_time_that_happens_twice_is_asked_which_one(app, ann):
    fields = event_fields(start_date="2027-10-31", start_time="01:30", end_time="02:30")
    response = submit(ann, "/events/new", fields)
    assert response.status_code == 400 and event_count(app) == 0
    assert "This time happens twice in Europe/Paris, as the clocks go back then: choose which one." in errors(response)
    page = page_text(response)
    assert "Which end time?" in page and "Which start time?" not in page
    assert "The first one (UTC+2, before the clocks go back)" in page
    assert "The second one (UTC+1, after the clocks go back)" in page
    response = submit(ann, "/events/new", dict(fields, end_fold="1"))
    assert response.status_code == 302, errors(response)
    event = only_event(app)
    assert (event.ends_on - event.begins_on).total_seconds() == 2 * 3600
    # Editing it offers the choice again, with the stored one ticked, and keeps it.
    form = page_text(ann.get(f"/events/{event.uuid}/edit"))
    assert '<input checked id="end_fold-1" name="end_fold" type="radio" value="1">' in form
    response = submit(ann, f"/events/{event.uuid}/edit", dict(fields, end_fold="1", title="Night walk"))
    assert response.status_code == 302, errors(response)
    assert only_event(app).ends_on == event.ends_on


def test_event_across_a_dst_change_keeps_its_wall_clock_times(app, ann):
    # Saturday 10:00 to Sunday 10:00 while clocks go forward: 23 hours long.
    response = submit(ann, "/events/new", event_fields(
        start_date="2027-03-27", start_time="10:00", end_date="2027-03-28", end_time="10:00"))
    assert response.status_code == 302, errors(response)
    event = only_event(app)
    assert (event.ends_on - event.begins_on).total_seconds() == 23 * 3600
    page = page_text(ann.get(f"/events/{event.uuid}"))
    assert "Saturday, March 27, 2027, 10:00 AM – Sunday, March 28, 2027, 10:00 AM (Europe/Paris, UTC+1)" in page


def test_event_is_shown_in_its_own_zone_and_the_reader_language(app, client):
    make_account(app)
    make_event(app, timezone="America/Montreal")
    event = only_event(app)
    page = page_text(client.get(f"/events/{event.uuid}", headers={"Accept-Language": "fr"}))
    assert f"{day_text(EVENT_DAY, 'fr')}, 14:00 – 18:00 (America/Montreal, UTC-4)" in page


BAD_INPUT = [
    ({"end_time": "13:00"}, "end_time", "The event must end after it starts."),
    ({"end_date": "2027-06-30"}, "end_time", "The event must end after it starts."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice."),
    ({"start_date": "2027-02-30"}, "start_date", "Not a valid date value."),
    ({"start_time": "25:00"}, "start_time", "Not a valid time value."),
    ({"start_date": "2027-03-28", "start_time": "02:30", "end_time": ""}, "start_time",
     "This time does not exist in Europe/Paris: the clocks change then."),
    ({"capacity": "0"}, "capacity", "Capacity is between 1 and 100000, or empty for no limit."),
    ({"capacity": "-3"}, "capacity", "Capacity is between 1 and 100000, or empty for no limit."),
    ({"capacity": "5000000"}, "capacity", "Capacity is between 1 and 100000, or empty for no limit."),
    ({"capacity": "lots"}, "capacity", "Not a valid integer value."),
    ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a full web address starting with http:// or https://."),
    ({"links-0-url": "javascript:alert(1)"}, "links", "Enter a full web address starting with http:// or https://."),
    ({"links-0-url": "https://ok.example", "links-0-type": "bogus"}, "links", "Choose what kind of link this is."),
    ({"join_mode": "external", "external_participation_url": "ftp://x.example"}, "external_participation_url",
     "Enter a full web address starting with http:// or https://."),
    ({"join_mode": "external"}, "external_participation_url", "Give the address where people register."),
    ({"title": ""}, "title", "Give the event a title."),
    ({"title": "t" * 201}, "title", "Field cannot be longer than 200 characters."),
    ({"place_name": "p" * 201}, "place_name", "At most 200 characters."),
    ({"tags": ", ".join(f"tag{i}" for i in range(11))}, "tags", "At most 10 tags."),
    ({"tags": "x" * 41}, "tags", "A tag is at most 40 characters long."),
    *(({"tags": f"fine, {tag}"}, "tags", f"“{tag}” cannot be a tag: a tag neither begins nor ends with “/”, "
        "and no part of it between slashes is “.” or “..”.") for tag in ("/etc", ".", "..", "a/../b", "a/")),
    ({"visibility": "everyone"}, "visibility", "Not a valid choice."),
    ({"category": "NOPE"}, "category", "Not a valid choice."),
    ({"identity": "999"}, "identity", "Not a valid choice."),
]


@pytest.mark.parametrize("change, field, message", BAD_INPUT)
def test_bad_event_input_is_refused_beside_its_field(app, ann, change, field, message):
    response = submit(ann, "/events/new", event_fields(**change))
    assert response.status_code == 400
    assert message in errors(response)
    assert event_count(app) == 0
    # The rest of what was typed is kept.
    assert 'value="75001"' in response.get_data(as_text=True)


def test_script_in_text_fields_never_executes(app, ann):
    attack = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    response = submit(ann, "/events/new", event_fields(
        title=attack[:60], description=attack + " [x](javascript:alert(3))", place_name=attack[:60],
        tags="<b>bold</b>"))
    assert response.status_code == 302
    event = only_event(app)
    for url in (f"/events/{event.uuid}", "/", "/@ann", "/my-events"):
        page = ann.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "javascript:alert" not in page, url


def png_bytes(size=(64, 32)):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, "PNG")
    return output.getvalue()


def jpeg_with_gps():
    image = Image.new("RGB", (40, 40), (0, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes())
    return output.getvalue()


def test_banner_picture_is_checked_stored_and_stripped(app, ann):
    data = event_fields(picture=(io.BytesIO(jpeg_with_gps()), "holiday.jpg"))
    response = submit(ann, "/events/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    event = only_event(app)
    assert event.picture.endswith(".jpg") and "holiday" not in event.picture
    with ann.get(f"/uploads/{event.picture}") as served:  # closed, so is the file it streams
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        stored = Image.open(io.BytesIO(served.data))
    assert stored.size == (40, 40) and not stored.getexif()
    assert f'src="/uploads/{event.picture}"' in ann.get(f"/events/{event.uuid}").get_data(as_text=True)


@pytest.mark.parametrize("payload, name", [
    (b"<?php echo 'hi'; ?>", "shell.png"),
    (b"GIF89a" + b"\0" * 20, "broken.gif"),
    (png_bytes()[:40], "truncated.png"),
])
def test_files_that_are_not_images_are_refused(app, ann, payload, name):
    data = event_fields(picture=(io.BytesIO(payload), name))
    response = submit(ann, "/events/new", data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert any("picture" in message for message in errors(response))
    assert event_count(app) == 0


def test_too_big_picture_is_refused(tmp_path, app_config):
    from mobilizon_lite import create_app

    app = create_app(dict(app_config, PICTURE_MAX_BYTES=1000), instance_path=str(tmp_path / "i"))
    make_account(app)
    client = app.test_client()
    log_in(client)
    data = event_fields(picture=(io.BytesIO(png_bytes((600, 600)) + b"\0" * 2000), "big.png"))
    response = submit(client, "/events/new", data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The picture is too big (at most 1 KB)." in errors(response)
    assert event_count(app) == 0


def test_edit_bumps_the_sequence_and_keeps_fields(app, ann):
    submit(ann, "/events/new", event_fields(tags="one, two"))
    event = only_event(app)
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    assert 'value="14:00"' in form and f'value="{EVENT_DAY}"' in form and 'value="one, two"' in form
    response = submit(ann, f"/events/{event.uuid}/edit", event_fields(title="Repair café #2", tags="one, two"))
    assert response.status_code == 302, errors(response)
    response = submit(ann, f"/events/{event.uuid}/edit", event_fields(title="Repair café #3", tags="one, two"))
    event = only_event(app)
    assert event.title == "Repair café #3" and event.sequence == 2


def test_cancelled_event_stays_visible_and_marked(app, ann):
    submit(ann, "/events/new", event_fields())
    event = only_event(app)
    # Cancelling is the page's button and its confirmation: the form does not offer it.
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    assert 'value="cancelled"' not in form and 'value="tentative"' in form
    refused = submit(ann, f"/events/{event.uuid}/edit", event_fields(status="cancelled"))
    assert refused.status_code == 400 and not only_event(app).is_cancelled
    submit(ann, f"/events/{event.uuid}/cancel", {}, page=f"/events/{event.uuid}/cancel")
    # Edited, even by a form that still reads "confirmed", it stays cancelled: restoring is a button too.
    form = ann.get(f"/events/{event.uuid}/edit").get_data(as_text=True)
    assert 'value="confirmed"' not in form and '<option selected value="cancelled">' in form
    assert submit(ann, f"/events/{event.uuid}/edit", event_fields(title="Repair café (off)")).status_code == 302
    assert only_event(app).is_cancelled and only_event(app).title == "Repair café (off)"
    page = ann.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event is cancelled." in page
    home = ann.get("/").get_data(as_text=True)
    assert "Repair café" in home and "Cancelled" in home


def test_delete_asks_for_confirmation(app, ann):
    submit(ann, "/events/new", event_fields())
    event = only_event(app)
    page = ann.get(f"/events/{event.uuid}/delete")
    assert page.status_code == 200 and "disappear for good" in page.get_data(as_text=True)
    assert event_count(app) == 1
    assert submit(ann, f"/events/{event.uuid}/delete", {}).status_code == 302
    assert event_count(app) == 0
    assert ann.get(f"/events/{event.uuid}").status_code == 404


def test_only_organisers_edit_or_delete(app, ann):
    submit(ann, "/events/new", event_fields())
    event = only_event(app)
    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    assert bob.get(f"/events/{event.uuid}/edit").status_code == 403
    assert submit(bob, f"/events/{event.uuid}/edit", event_fields(title="Mine now"),
                  page="/").status_code == 403
    assert submit(bob, f"/events/{event.uuid}/delete", {}, page="/").status_code == 403
    assert only_event(app).title == "Repair café"


def test_visibility_of_unlisted_and_private_events(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    public = make_event(app, title="Public picnic")
    unlisted = make_event(app, title="Unlisted meeting", visibility="unlisted")
    private = make_event(app, title="Private party", visibility="private")
    visitor, bob = app.test_client(), app.test_client()
    log_in(bob, "bob@example.org")
    for client in (visitor, bob):
        for url in ("/", "/@ann"):
            page = client.get(url).get_data(as_text=True)
            assert "Public picnic" in page
            assert "Unlisted meeting" not in page and "Private party" not in page
        assert client.get(f"/events/{unlisted.uuid}").status_code == 200
        response = client.get(f"/events/{private.uuid}")
        assert response.status_code == 404
        assert "Private party" not in response.get_data(as_text=True)
    owner = app.test_client()
    log_in(owner, "ann@example.org")
    assert owner.get(f"/events/{private.uuid}").status_code == 200
    assert "Private party" in owner.get("/my-events").get_data(as_text=True)
    assert owner.get(f"/events/{public.uuid}").status_code == 200


def test_home_lists_upcoming_soonest_first_with_pages(app, client):
    make_account(app)
    for day in range(25, 0, -1):
        make_event(app, title=f"Event {day:02d}", start_date=EVENT_DAY + timedelta(days=day))
    make_event(app, title="Long ago", start_date=datetime(2020, 5, 1).date())
    first = client.get("/").get_data(as_text=True)
    assert first.index("Event 01") < first.index("Event 02") < first.index("Event 20")
    assert "Event 21" not in first and "Long ago" not in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Event 21" in second and "Event 25" in second and "Event 01" not in second
    assert "Long ago" in client.get("/past").get_data(as_text=True)
    assert client.get("/?page=abc").status_code == 200


def test_my_events_groups_what_i_organise_join_and_wait_for(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    mine = make_event(app, "bob", title="Bob's own")
    free = make_event(app, title="Open choir")
    restricted = make_event(app, title="Closed workshop", join_mode="restricted")
    client = app.test_client()
    log_in(client, "bob@example.org")
    with app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob").id
    submit(client, f"/events/{free.uuid}/join", {"identity": bob}, page=f"/events/{free.uuid}")
    submit(client, f"/events/{restricted.uuid}/join", {"identity": bob}, page=f"/events/{restricted.uuid}")
    page = client.get("/my-events").get_data(as_text=True)
    organised, rest = page.split("I take part", 1)
    going, pending = rest.split("Awaiting approval", 1)
    assert "Bob&#39;s own" in organised and "Open choir" in going and "Closed workshop" in pending
    assert mine.uuid in organised


def test_login_required_to_create(client):
    assert client.get("/events/new").status_code == 302


def test_unknown_event_is_404(client):
    assert client.get("/events/not-a-uuid").status_code == 404


def test_lists_name_the_zone_of_events_elsewhere(app, client):
    make_account(app)
    make_event(app, title="Montreal", timezone="America/Montreal")
    make_event(app, title="Here", timezone="UTC")
    page = page_text(client.get("/"))
    assert '<span class="time">2:00 PM (America/Montreal)</span>' in page
    assert '<span class="time">2:00 PM</span>' in page
