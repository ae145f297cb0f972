"""Hostile or unusual documents from other servers: huge arrays, impossible dates, control characters, every
location shape Mobilizon and Gancio send. Whole activities arrive through the inbox as real signed requests;
the reader alone is given the many shapes of one field."""
import json
from datetime import UTC, datetime

import pytest

from mobilizon_lite.activitypub.convert.event import event_from_ap
from mobilizon_lite.activitypub.parse import ParseError, load_json
from mobilizon_lite.activitypub.vocab import AS_PUBLIC, ITEMS_MAX
from mobilizon_lite.models import Actor, Event, InboxItem
from mobilizon_lite.models.events import CATEGORIES
from mobilizon_lite.services.actors import actor_from_ap
from mobilizon_lite.services.event_input import LANGUAGES

from ..helpers import log_in
from .captured import FIXTURES, needs_fixtures
from .remote import ACTOR, REMOTE, remote_event, send, stored


def read(**changes):
    return event_from_ap(remote_event(**changes), CATEGORIES, LANGUAGES)


# Huge arrays ------------------------------------------------------------------------------------

def test_an_event_with_20000_tags_is_accepted_with_few_of_them(fed, remote_keys):
    (private, _public), _other = remote_keys
    tags = [{"type": "Hashtag", "name": f"#tag{number}"} for number in range(20_000)]
    document = remote_event(tag=tags, cc=[f"{REMOTE}/users/u{number}" for number in range(2_000)])
    response = send(fed, private, "Create", document, 1)
    assert response.status_code in (202, 400)
    [event] = stored(fed)
    assert len(event.tags) <= 64 and event.tags[0] == "tag0"


def test_readers_never_look_past_the_first_items_of_an_array():
    junk = [{"type": "Mention", "href": f"{REMOTE}/users/u{n}"} for n in range(ITEMS_MAX)]
    assert read(tag=[*junk, {"type": "Hashtag", "name": "#late"}])["tags"] == []
    assert read(tag=[*junk[:3], {"type": "Hashtag", "name": "#early"}])["tags"] == ["early"]
    documents = [{"type": "Document", "url": f"{REMOTE}/media/{n}.jpg"} for n in range(ITEMS_MAX)]
    website = {"type": "Link", "name": "Website", "href": "https://meet.example/room"}
    assert read(attachment=[*documents, website])["online_url"] == ""
    assert read(attachment=[*documents[:3], website])["online_url"] == "https://meet.example/room"
    # The Public after the first entries of the audience is not read: the event stays out of listings.
    followers = [f"{REMOTE}/users/u{n}" for n in range(ITEMS_MAX)]
    assert read(to=[*followers, AS_PUBLIC])["visibility"] == "private"
    assert read(to=[*followers[:3], AS_PUBLIC])["visibility"] == "public"


def test_json_depth_limit_is_exact_and_wide_documents_pass():
    assert load_json(b'{"a":' * 32 + b"1" + b"}" * 32)
    with pytest.raises(ParseError, match="deeper"):
        load_json(b'{"a":' * 33 + b"1" + b"}" * 33)
    with pytest.raises(ParseError, match="deeper"):
        load_json(b'{"a": [1, {"b": 2}], "c": ' + b"[" * 40 + b"]" * 40 + b"}")
    assert load_json(json.dumps({"tag": [{"name": str(n)} for n in range(20_000)]}).encode())


# Dates from elsewhere ---------------------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    {"startTime": "9999-12-31T20:00:00Z", "endTime": None, "timezone": "Pacific/Kiritimati"},
    {"startTime": "0001-01-01T00:00:00-05:00", "endTime": "0001-01-01T03:00:00-05:00",
     "timezone": "America/New_York"},
    {"startTime": "1899-12-31T23:00:00Z", "endTime": None},
    {"startTime": "2027-06-21T18:00:00+02:00", "endTime": "2201-01-01T12:00:00+02:00"},
    {"startTime": "0001-01-01T00:00:00+05:00"},  # before year 1 in UTC: no start at all
    {"name": "   "},
])
def test_events_out_of_the_forms_years_are_refused(fed, remote_keys, changes):
    (private, _public), _other = remote_keys
    # Judged by the handling job, once the sender was answered 202: refused for good, never retried.
    assert send(fed, private, "Create", remote_event(**changes), 1).status_code == 202
    assert stored(fed) == []
    with fed.app_context():
        item = InboxItem.get()
    assert item.state == "refused" and item.next_attempt_at is None
    assert "between the years 1900 and 2200" in item.error or "needs a name" in item.error
    # An Update that would move a stored event there is refused too, and changes nothing.
    assert send(fed, private, "Create", remote_event(), 2).status_code == 202
    assert send(fed, private, "Update", remote_event(**changes), 3).status_code == 202
    with fed.app_context():
        assert InboxItem.get(InboxItem.activity_id.endswith("/3")).state == "refused"
    assert [event.begins_on.year for event in stored(fed)] == [2027]


EDGE_DATES = [
    # (begins_on, ends_on, zone): the stored dates cannot be written in the zone.
    (datetime(9999, 12, 31, 20, tzinfo=UTC), None, "Pacific/Kiritimati"),
    (datetime(1, 1, 1, 2, tzinfo=UTC), datetime(1, 1, 1, 8, tzinfo=UTC), "America/New_York"),
    (datetime(2027, 1, 1, 2, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC), "Asia/Tokyo"),
]


@pytest.mark.parametrize("begins_on, ends_on, zone", EDGE_DATES)
def test_no_stored_date_breaks_a_page(fed, begins_on, ends_on, zone):
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        alice = Actor.get(Actor.ap_id == ACTOR)
        for number, organizer in enumerate((ann, alice)):
            Event.create(uuid=f"00000000-0000-0000-0000-00000000000{number}", ap_id=f"{REMOTE}/events/edge{number}",
                         organizer=organizer, title=f"Edge of time {number}", begins_on=begins_on, ends_on=ends_on,
                         timezone=zone)
    client = fed.test_client()
    log_in(client)
    for url in ("/", "/?scope=all", "/past", "/search?q=Edge", "/my-events", "/@ann",
                "/events/00000000-0000-0000-0000-000000000000", "/events/00000000-0000-0000-0000-000000000001",
                "/events/00000000-0000-0000-0000-000000000000/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/events/00000000-0000-0000-0000-000000000001").get_data(as_text=True)
    assert "Edge of time 1" in page and "(UTC, UTC+0)" in page
    document = client.get("/events/00000000-0000-0000-0000-000000000000",
                          headers={"Accept": "application/activity+json"}).json
    assert document["timezone"] == zone and document["startTime"].startswith(begins_on.date().isoformat())


# Control and bidi override characters ------------------------------------------------------------

DIRTY = "Fête\x01 de\x00 quartier\u202e\x7f\x9b"


def test_control_characters_from_other_servers_are_not_stored(fed, remote_keys):
    (private, _public), _other = remote_keys
    document = remote_event(name=DIRTY, content="<p>Bring\x02 a\x0b dish\u202e</p>",
                            location={"type": "Place", "name": "Square\x03", "address": "12 rue X\nLyon"},
                            tag=[{"type": "Hashtag", "name": "#fe\x04te"}],
                            attachment=[{"type": "Link", "name": "Website", "href": "https://meet.example/\x05room"}])
    assert send(fed, private, "Create", document, 1).status_code == 202
    [event] = stored(fed)
    assert (event.title, event.place_name, event.street, event.tags) == ("Fête de quartier", "Square", "12 rue X Lyon",
                                                                         ["fete"])
    assert event.description == "<p>Bring a dish</p>" and event.online_url == ""
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Fête de quartier" in page and not any(character in page for character in "\x01\x02\u202e")


def test_a_remote_profile_name_or_comment_loses_its_control_characters(fed, remote_keys):
    (private, _public), _other = remote_keys
    with fed.app_context():
        actor = actor_from_ap({"id": f"{REMOTE}/users/zoe", "type": "Person", "preferredUsername": "zo\x01e",
                               "name": "Zoé\nthe\u202e\x1bfirst", "summary": "<p>hi\x08</p>", "inbox": f"{REMOTE}/in"})
        assert (actor.preferred_username, actor.name, actor.summary) == ("zoe", "Zoé thefirst", "<p>hi</p>")


def test_pages_never_show_stored_control_or_override_characters(fed):
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        Actor.update(name="Ann\u202eevil\x01").where(Actor.id == ann.id).execute()
        Event.create(uuid="00000000-0000-0000-0000-00000000000a", ap_id=f"{REMOTE}/events/old", organizer=ann,
                     title="Old\x01 row\u202e", description="<p>Stored\x02 before</p>",
                     begins_on=datetime(2027, 1, 1, tzinfo=UTC), timezone="UTC")
    client = fed.test_client()
    for url in ("/", "/@ann", "/events/00000000-0000-0000-0000-00000000000a"):
        page = client.get(url).get_data(as_text=True)
        assert "Old row" in page and "Annevil" in page, url
        assert not any(character in page for character in "\x01\x02\u202e"), url


# Every location shape Mobilizon and Gancio send --------------------------------------------------

def gancio_event(**changes):
    """Gancio's captured Create{Event} object, changed as its later versions send hybrid or online events."""
    document = json.loads((FIXTURES / "gancio-event-activity.json").read_text())["object"]
    return {**document, **changes}


@needs_fixtures
def test_a_gancio_hybrid_event_keeps_its_place_and_online_links(fed, remote_keys):
    (private, _public), _other = remote_keys
    gancio = "https://demo.gancio.org/federation/u/gancio"
    with fed.app_context():
        Actor.create(preferred_username="gancio", domain="demo.gancio.org", ap_id=gancio,
                     public_key_pem=remote_keys[0][1], inbox=f"{gancio}/inbox")
    document = gancio_event(
        location=[{"type": "Place", "id": "https://demo.gancio.org/federation/p/4", "name": "Colosseo",
                   "address": "Piazza del Colosseo, Roma", "latitude": 41.89, "longitude": 12}],
        attachment=[{"type": "Document", "mediaType": "image/jpeg", "url": "https://demo.gancio.org/media/x.jpg"},
                    {"type": "Link", "mediaType": "text/html", "name": "https://stream.example/live",
                     "href": "https://stream.example/live"},
                    {"type": "Link", "mediaType": "text/html", "name": "Chat", "href": "https://chat.example/room"}])
    response = send(fed, private, "Create", document, 1, actor=gancio)
    assert response.status_code == 202, response.json
    [event] = stored(fed)
    assert (event.place_name, event.street, event.latitude, event.longitude) == (
        "Colosseo", "Piazza del Colosseo, Roma", 41.89, 12.0)
    assert event.online_url == "https://stream.example/live"
    assert event.links == [{"type": "website", "url": "https://chat.example/room", "label": "Chat"}]
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Piazza del Colosseo, Roma" in page and "https://stream.example/live" in page


@needs_fixtures
@pytest.mark.parametrize("location", [
    # A list of Places, the online ones with a VirtualLocation as their address (Gancio's own test shapes).
    [{"type": "Place", "id": "https://demo.gancio.org/federation/p/4", "name": "Colosseo"},
     {"type": "Place", "id": "https://meet.example/room", "name": "A Virtual location",
      "address": {"type": "VirtualLocation", "url": "https://meet.example/room"}}],
    # The online place first: the physical one is still found.
    [{"type": "Place", "name": "Online", "address": {"type": "VirtualLocation", "url": "https://meet.example/room"}},
     "Colosseo"],
    # A schema.org VirtualLocation beside a Place.
    [{"type": "VirtualLocation", "url": "https://meet.example/room"}, {"type": "Place", "name": "Colosseo"}],
])
def test_location_lists_give_the_place_and_the_online_address(location):
    values = event_from_ap(gancio_event(location=location), CATEGORIES, LANGUAGES)
    assert (values["place_name"], values["online_url"]) == ("Colosseo", "https://meet.example/room")


@needs_fixtures
@pytest.mark.parametrize("location, attachment", [
    ({"type": "VirtualLocation", "url": "https://meet.example/room"}, []),
    ([{"type": "Place", "name": "online", "address": {"type": "VirtualLocation", "url": "https://meet.example/room"}}],
     []),
    # Gancio's online-only events: its "online" place, and the address as a Link attachment.
    ({"type": "Place", "name": "online"}, [{"type": "Link", "mediaType": "text/html",
                                             "name": "https://meet.example/room", "href": "https://meet.example/room"}]),
    ("https://meet.example/room", []),
])
def test_online_only_events_have_no_place(location, attachment):
    values = event_from_ap(gancio_event(location=location, attachment=attachment), CATEGORIES, LANGUAGES)
    assert values["online_url"] == "https://meet.example/room" and values["links"] == []
    assert not any(values[name] for name in ("place_name", "street", "locality", "latitude"))


@needs_fixtures
def test_mobilizon_places_and_online_addresses_are_read():
    legacy = json.loads((FIXTURES / "external/mobilizon.org-event.json").read_text())
    values = event_from_ap(legacy, CATEGORIES, LANGUAGES)
    assert (values["place_name"], values["locality"], values["country"]) == (
        "Cour du Château des Ducs de Bretagne", "Nantes", "France")
    # Its legacy `geo` has latitude and longitude swapped: ignored, as Mobilizon does.
    assert values["latitude"] is None and values["online_url"] == ""
    old = json.loads((FIXTURES / "mobilizon-post-activity.json").read_text())["object"]
    values = event_from_ap(old, CATEGORIES, LANGUAGES)
    assert values["street"] == "10 Rue Jangot" and values["online_url"] == "https://google.com"
    assert values["links"] == [{"type": "website", "url": "https://something.org", "label": "Another link"}]
    # Coordinates are numbers within range; true, strings and the impossible are dropped.
    for lat, lon in ((True, 2.0), ("45", "4"), (91.0, 4.0), (45.0, 181), (10 ** 400, 4), (float("inf"), 4.0)):
        place = {"type": "Place", "name": "Hall", "latitude": lat, "longitude": lon}
        assert event_from_ap(dict(old, location=place), CATEGORIES, LANGUAGES)["latitude"] is None
