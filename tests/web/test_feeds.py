"""Calendar and Atom feeds, parsed back by icalendar, vobject and feedparser."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import decisions, participation, subscriptions
from mobilizon_lite.services.identities import create_identity, update_identity

from ..calendar_readers import parse_both, vevents
from ..helpers import EVENT_DAY, event_fields, log_in, make_account, make_event, submit

TRICKY = "Line one, with; semicolons \\ backslash\nالعربية — 日本語 — emoji 🎉 " + "long " * 40


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def test_single_event_ics_has_every_field(ann, client):
    event = make_event(ann, title="Repair café, 2nd; edition", tags="repair, diy", latitude=48.8566,
                       longitude=2.3522, street="1 rue de la Paix", postal_code="75001")
    response = client.get(f"/events/{event.uuid}/export/ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.uuid}.ics"'
    assert response.headers["ETag"] and response.headers["Last-Modified"] and response.headers["Cache-Control"]
    cal, vcal = parse_both(response.data)
    assert str(cal["VERSION"]) == "2.0" and "mobilizon_lite" in str(cal["PRODID"])
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Repair café, 2nd; edition"
    assert "REFRESH-INTERVAL" in cal and str(cal["X-PUBLISHED-TTL"].to_ical().decode()) == "PT1H"
    [vevent] = vevents(cal)
    assert str(vevent["UID"]) == f"{event.uuid}@events.test"
    assert str(vevent["SUMMARY"]) == "Repair café, 2nd; edition"
    assert vevent["SEQUENCE"] == 0
    for name in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
        assert vevent[name].dt.tzinfo is not None
    start = vevent["DTSTART"]
    assert start.params["TZID"] == "Europe/Paris"
    assert start.dt == datetime.combine(EVENT_DAY, time(14, 0), ZoneInfo("Europe/Paris"))
    assert vevent["DTEND"].dt == datetime.combine(EVENT_DAY, time(18, 0), ZoneInfo("Europe/Paris"))
    assert str(vevent["URL"]) == f"http://events.test/events/{event.uuid}"
    assert str(vevent["LOCATION"]) == "Maison des associations, 1 rue de la Paix, 75001 Paris, France"
    assert vevent["GEO"].latitude == 48.8566 and vevent["GEO"].longitude == 2.3522
    assert vevent["ORGANIZER"].params["CN"] == "ann"
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["repair", "diy"]
    assert str(vevent["STATUS"]) == "CONFIRMED"
    description = str(vevent["DESCRIPTION"])
    assert description.startswith("Bring your toaster.") and description.endswith(str(vevent["URL"]))
    # A matching VTIMEZONE, with the real DST rules.
    [vtimezone] = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Paris"
    # vobject reads the same times on its own.
    assert vcal.vevent.dtstart.value.utcoffset() == timedelta(hours=2)
    assert vcal.vevent.dtstart.value.astimezone(UTC) == datetime.combine(EVENT_DAY, time(12, 0), UTC)
    assert vcal.vevent.uid.value == f"{event.uuid}@events.test"


def test_dst_change_is_read_right_by_both_parsers(ann, client):
    # Saturday 22:00 to Sunday 04:00 across the spring-forward night in Paris: 5 real hours.
    event = make_event(ann, start_date=date(2027, 3, 27), start_time=time(22, 0),
                       end_date=date(2027, 3, 28), end_time=time(4, 0))
    cal, vcal = parse_both(client.get(f"/events/{event.uuid}/export/ics").data)
    [vevent] = vevents(cal)
    # Python subtracts wall-clock times within one zone: compare instants in UTC.
    assert vevent["DTEND"].dt.astimezone(UTC) - vevent["DTSTART"].dt.astimezone(UTC) == timedelta(hours=5)
    assert vevent["DTSTART"].dt.utcoffset() == timedelta(hours=1)
    assert vevent["DTEND"].dt.utcoffset() == timedelta(hours=2)
    start, end = vcal.vevent.dtstart.value, vcal.vevent.dtend.value
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=5)
    assert end.astimezone(UTC) == datetime(2027, 3, 28, 2, tzinfo=UTC)


def test_tricky_text_survives_a_round_trip(ann, client):
    event = make_event(ann, title="Fête; été, \\ ñ — 日本語 🎉", description=TRICKY,
                       place_name="Salle « Les Tilleuls », 1er étage; porte B")
    body = client.get(f"/events/{event.uuid}/export/ics").data
    cal, vcal = parse_both(body)
    [vevent] = vevents(cal)
    assert str(vevent["SUMMARY"]) == vcal.vevent.summary.value == "Fête; été, \\ ñ — 日本語 🎉"
    expected_location = "Salle « Les Tilleuls », 1er étage; porte B, Paris, France"
    assert str(vevent["LOCATION"]) == vcal.vevent.location.value == expected_location
    description = str(vevent["DESCRIPTION"])
    assert description == vcal.vevent.description.value
    assert "Line one, with; semicolons \\ backslash" in description and "日本語" in description
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_identity_feed_lists_public_events_only(ann, client):
    make_event(ann, title="Public picnic")
    make_event(ann, title="Unlisted meeting", visibility="unlisted")
    make_event(ann, title="Private party", visibility="private")
    make_event(ann, title="Long gone", start_date=date(2020, 1, 1))
    for url in ("/@ann/feed/ics", "/feed/instance/ics"):
        cal, _vcal = parse_both(client.get(url).data)
        assert [str(e["SUMMARY"]) for e in vevents(cal)] == ["Public picnic"], url
    for url in ("/@ann/feed/atom", "/feed/instance/atom"):
        parsed = feedparser.parse(client.get(url).data)
        assert [entry.title for entry in parsed.entries] == ["Public picnic"], url


def test_feed_keeps_recent_past_and_cancelled_events_sorted_by_start(ann, client):
    today = utcnow().date()
    make_event(ann, title="Next month", start_date=today + timedelta(days=30))
    make_event(ann, title="Last week", start_date=today - timedelta(days=7))
    make_event(ann, title="Two months ago", start_date=today - timedelta(days=60))
    make_event(ann, title="Cancelled tomorrow", start_date=today + timedelta(days=1), status="cancelled")
    cal, _vcal = parse_both(client.get("/@ann/feed/ics").data)
    assert [(str(e["SUMMARY"]), str(e["STATUS"])) for e in vevents(cal)] == [
        ("Last week", "CONFIRMED"), ("Cancelled tomorrow", "CANCELLED"), ("Next month", "CONFIRMED")]


def test_item_cap(tmp_path, app_config):
    from mobilizon_lite import create_app

    app = create_app(dict(app_config, FEED_MAX_ITEMS=2), instance_path=str(tmp_path / "i"))
    make_account(app)
    for day in (3, 1, 2):
        make_event(app, title=f"Day {day}", start_date=EVENT_DAY + timedelta(days=day))
    cal, _vcal = parse_both(app.test_client().get("/feed/instance/ics").data)
    assert [str(e["SUMMARY"]) for e in vevents(cal)] == ["Day 1", "Day 2"]


def test_update_grows_sequence_and_changes_the_etag(ann, client):
    make_account(ann, "bob@example.org", "bob")
    log_in(client)
    submit(client, "/events/new", event_fields(identity="1"))
    with ann.app_context():
        event = Event.get()
    first = client.get("/@ann/feed/ics")
    submit(client, f"/events/{event.uuid}/edit", event_fields(start_time="15:00"))
    second = client.get("/@ann/feed/ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    [vevent] = vevents(parse_both(second.data)[0])
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt.hour == 15


def test_organiser_rename_changes_the_feed(ann, client):
    make_event(ann)
    first = client.get("/@ann/feed/ics")
    with ann.app_context():
        update_identity(Actor.get(Actor.preferred_username == "ann"), "Ann the organiser", "")
    second = client.get("/@ann/feed/ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert vevents(parse_both(second.data)[0])[0]["ORGANIZER"].params["CN"] == "Ann the organiser"


def test_conditional_requests_answer_304(ann, client):
    make_event(ann)
    for url in ("/@ann/feed/ics", "/@ann/feed/atom", "/feed/instance/ics"):
        first = client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
        assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        head = client.head(url)
        assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_feed_is_built_only_when_something_changed(ann, client):
    make_event(ann)
    cache = ann.extensions["feed_cache"]
    client.get("/@ann/feed/ics")
    client.get("/@ann/feed/ics")
    client.get("/@ann/feed/ics")
    assert cache.builds == 1
    make_event(ann, title="Another")
    client.get("/@ann/feed/ics")
    assert cache.builds == 2


def test_private_feed_token_lifecycle(ann, client):
    make_account(ann, "bob@example.org", "bob")
    organised = make_event(ann, title="Ann's event")
    restricted = make_event(ann, title="Closed workshop", join_mode="restricted")
    secret = make_event(ann, "bob", title="Bob's private party", visibility="private")
    bob_only = make_event(ann, "bob", title="Bob's own")
    log_in(client)
    with ann.app_context():
        account = Actor.get(Actor.preferred_username == "ann").account
        club = create_identity(account, "ann_club")
        participation.invite(secret, Actor.get(Actor.preferred_username == "bob"), "ann_club")
        participation.join(secret, club)
        bob = Actor.get(Actor.preferred_username == "bob")
        participation.join(restricted, bob)
    assert bob_only and organised
    page = client.get("/settings/feeds")
    assert page.status_code == 200 and "No link yet." in page.get_data(as_text=True)
    submit(client, "/settings/feeds/all/issue", {}, page="/settings/feeds")
    page = client.get("/settings/feeds").get_data(as_text=True)
    url = page.split('id="ics-all" type="text" readonly value="')[1].split('"')[0]
    token = url.rsplit("/", 2)[-2]
    assert len(token.split("-", 1)[1]) * 4 >= 128
    path = url.replace("http://events.test", "")
    response = client.get(path)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "My events on mobilizon_lite" in response.get_data(as_text=True)
    cal, _vcal = parse_both(response.data)
    assert sorted(str(e["SUMMARY"]) for e in vevents(cal)) == ["Ann's event", "Bob's private party", "Closed workshop"]
    assert feedparser.parse(client.get(path.replace("/ics", "/atom")).data).entries
    # A revoked token stops at once, even for a client that had it cached.
    etag = response.headers["ETag"]
    submit(client, "/settings/feeds/all/revoke", {}, page="/settings/feeds")
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 404
    assert client.get(path.replace("/ics", "/atom")).status_code == 404
    # Regenerating gives a new link; the old one stays dead.
    submit(client, "/settings/feeds/all/issue", {}, page="/settings/feeds")
    assert client.get(path).status_code == 404


def test_pending_participation_shows_as_tentative(ann):
    make_account(ann, "bob@example.org", "bob")
    restricted = make_event(ann, title="Closed workshop", join_mode="restricted")
    with ann.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        participation.join(restricted, bob)
        token = subscriptions.token_text(subscriptions.issue_token(bob.account, bob))
    client = ann.test_client()
    [vevent] = vevents(parse_both(client.get(f"/events/going/{token}/ics").data)[0])
    assert str(vevent["STATUS"]) == "TENTATIVE"
    with ann.app_context():
        pid = participation.participation_of(restricted, bob).id
        decisions.approve(restricted, Actor.get(Actor.preferred_username == "ann"), pid)
    [vevent] = vevents(parse_both(client.get(f"/events/going/{token}/ics").data)[0])
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_identity_token_covers_only_that_identity(ann):
    make_account(ann, "bob@example.org", "bob")
    first = make_event(ann, "bob", title="For ann")
    second = make_event(ann, "bob", title="For club")
    with ann.app_context():
        account = Actor.get(Actor.preferred_username == "ann").account
        club = create_identity(account, "ann_club")
        participation.join(first, Actor.get(Actor.preferred_username == "ann"))
        participation.join(second, club)
        token = subscriptions.token_text(subscriptions.issue_token(account, club))
    cal, _vcal = parse_both(ann.test_client().get(f"/events/going/{token}/ics").data)
    assert [str(e["SUMMARY"]) for e in vevents(cal)] == ["For club"]


@pytest.mark.parametrize("url", [
    "/events/no-such-uuid/export/ics", "/@nobody/feed/ics", "/@nobody/feed/atom",
    "/events/going/123-abc/ics", "/events/going/not-a-token/atom", "/events/going/99999999999999-x/ics",
])
def test_unknown_things_are_404(ann, client, url):
    assert client.get(url).status_code == 404


def test_private_event_ics_is_hidden_from_others(ann, client):
    event = make_event(ann, visibility="private")
    assert client.get(f"/events/{event.uuid}/export/ics").status_code == 404
    log_in(client)
    assert client.get(f"/events/{event.uuid}/export/ics").status_code == 200


def test_instance_feeds_can_be_turned_off(ann, client):
    make_event(ann)
    with ann.app_context():
        subscriptions.set_instance_feeds(False)
    assert client.get("/feed/instance/ics").status_code == 404
    assert client.get("/feed/instance/atom").status_code == 404
    assert "/feed/instance/ics" not in client.get("/").get_data(as_text=True)


def test_atom_feed_is_valid_and_escaped(ann, client):
    make_event(ann, title="<script>alert(1)</script> & friends", description="**Bold** <img src=x onerror=alert(1)>",
               tags="one, two")
    response = client.get("/@ann/feed/atom")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "http://events.test/@ann/feed/atom"
    assert parsed.feed.title == "ann (@ann)" and parsed.feed.updated
    assert any(link.rel == "self" and link.href == parsed.feed.id for link in parsed.feed.links)
    [entry] = parsed.entries
    assert entry.title == "<script>alert(1)</script> & friends"
    assert entry.id.startswith("http://events.test/events/") and entry.link == entry.id
    assert entry.published and entry.updated and entry.author == "ann"
    assert [tag.term for tag in entry.tags] == ["one", "two"]
    content = entry.content[0].value
    assert "<strong>Bold</strong>" in content and "onerror" not in content
    assert b"<script>" not in response.data


def test_subscribe_links_on_pages(ann, client):
    event = make_event(ann)
    profile = client.get("/@ann").get_data(as_text=True)
    assert 'href="webcal://events.test/@ann/feed/ics"' in profile
    assert 'href="http://events.test/@ann/feed/atom"' in profile
    assert f'href="/events/{event.uuid}/export/ics"' in client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert 'href="webcal://events.test/feed/instance/ics"' in client.get("/").get_data(as_text=True)


def test_every_zone_used_gets_its_vtimezone_and_utc_needs_none(ann, client):
    for zone in ("UTC", "Asia/Tokyo", "America/Montreal", "Etc/GMT+5"):
        make_event(ann, title=zone, timezone=zone)
    cal, vcal = parse_both(client.get("/feed/instance/ics").data)
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == ["America/Montreal", "Asia/Tokyo", "Etc/GMT+5"]
    starts = {str(e["SUMMARY"]): e["DTSTART"].dt.astimezone(UTC) for e in vevents(cal)}
    assert starts["UTC"].hour == 14 and starts["Asia/Tokyo"].hour == 5 and starts["America/Montreal"].hour == 18
    assert starts["Etc/GMT+5"].hour == 19
    by_vobject = {e.summary.value: e.dtstart.value.astimezone(UTC) for e in vcal.vevent_list}
    assert by_vobject == starts


def test_an_edit_rebuilds_only_the_changed_event(ann, client):
    first = make_event(ann, title="First")
    make_event(ann, title="Second")
    client.get("/feed/instance/ics")
    pieces = ann.extensions["feed_cache"].pieces
    before = len(pieces.entries)
    with ann.app_context():
        from mobilizon_lite.models import Event as EventRow

        EventRow.update(title="First, renamed", updated_at=utcnow()).where(EventRow.id == first.id).execute()
    cal, _vcal = parse_both(client.get("/feed/instance/ics").data)
    assert [str(e["SUMMARY"]) for e in vevents(cal)] == ["First, renamed", "Second"]
    assert len(pieces.entries) == before + 1


def test_only_people_have_feeds(ann, client):
    client.get("/relay", headers={"Accept": "application/activity+json"})  # the instance actor exists
    assert client.get("/@relay/feed/ics").status_code == 404 and client.get("/@relay/feed/atom").status_code == 404
