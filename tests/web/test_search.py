"""Search: words without accents or case, prefixes, ranking, every filter alone and together, input
that FTS5 would read as its own syntax, privacy, and the feeds of a search."""
import re
import uuid
from datetime import date, time, timedelta

import feedparser
import pytest

from mobilizon_lite.geo import KM_PER_DEGREE
from mobilizon_lite.models import Actor, Event, Place
from mobilizon_lite.services import events, search
from mobilizon_lite.services.search_query import SearchQuery

from ..calendar_readers import by_three, parse_both, utc_seconds, vevents
from ..helpers import EVENT_DAY, make_account, make_event, make_group, service_fields

TITLE_RE = re.compile(r'<a href="/events/[^"]+">([^<]+)</a>')
MONTREAL = (45.50884, -73.58781)  # the gazetteer's Montréal


def titles(client, path, status=200):
    """The event titles a search page lists, in order."""
    response = client.get(path)
    assert response.status_code == status, path
    return TITLE_RE.findall(response.get_data(as_text=True))


def on(number):
    """The ISO date of day number of EVENT_DAY's month (EVENT_DAY is its first)."""
    return (EVENT_DAY + timedelta(days=number - 1)).isoformat()


def day(number):
    return {"start_date": date.fromisoformat(on(number)), "start_time": time(14, 0)}


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def test_accents_and_case_never_matter(ann, client):
    make_event(ann, title="Festival de jazz à Montréal")
    make_event(ann, title="Ciné-club", tags="cinéma, Québec")
    make_event(ann, title="Garden party")
    assert titles(client, "/search?q=montreal") == ["Festival de jazz à Montréal"]
    assert titles(client, "/search?q=MONTRÉAL") == ["Festival de jazz à Montréal"]
    assert titles(client, "/search?q=cinema") == ["Ciné-club"]
    assert titles(client, "/search?q=%23quebec") == ["Ciné-club"]
    # Every word must match, each as the start of a word.
    assert titles(client, "/search?q=mont") == ["Festival de jazz à Montréal"]
    assert titles(client, "/search?q=jazz+garden") == []


def test_a_title_counts_more_than_tags_than_the_description(ann, client):
    make_event(ann, title="Open evening", description="Some **jazz** after the talks.", **day(1))
    make_event(ann, title="Potluck", tags="jazz", **day(2))
    make_event(ann, title="Jazz night", **day(3))
    assert titles(client, "/search?q=jazz") == ["Jazz night", "Potluck", "Open evening"]
    # Without words, soonest first.
    assert titles(client, "/search?category=CRAFTS") == ["Open evening", "Potluck", "Jazz night"]


def test_the_index_follows_edits_and_deletions(ann, client):
    event = make_event(ann, title="Bike repair")
    with ann.app_context():
        ann_actor = Actor.get(Actor.preferred_username == "ann")
        events.update_event(Event.get_by_id(event.id), ann_actor, service_fields(title="Sewing circle"))
    assert titles(client, "/search?q=bike") == []
    assert titles(client, "/search?q=sewing") == ["Sewing circle"]
    with ann.app_context():
        events.delete_event(Event.get_by_id(event.id), ann_actor)
    assert titles(client, "/search?q=sewing") == []


@pytest.mark.parametrize("words", ['"', "*", "AND", "-", "NEAR(", '"jazz', "jazz OR", "title:jazz", "^jazz",
                                   "(jazz", "jazz AND NOT", "'", "+", "{title}: x", "jazz*", "NEAR(jazz, 3)",
                                   "jazz\x00z", "\x00", "jazz & !night", "jazz | x", "jazz <-> night", "jazz:*",
                                   "jazz:AB", "!jazz", "jazz'night", "'jazz' & 'x", "<2>", "\\jazz"])
def test_fts_syntax_in_the_words_is_only_words(ann, client, words):
    # FTS5's syntax (SQLite) and tsquery's (PostgreSQL) alike.
    make_event(ann, title="Jazz night")
    for path in ("/search", "/search/feed/ics", "/search/feed/atom"):
        assert client.get(path, query_string={"q": words}).status_code == 200, (path, words)
    if words in ('"jazz', "^jazz", "(jazz", "jazz*", "jazz & !night", "jazz:*", "!jazz", "jazz <-> night",
                 "\\jazz"):
        assert client.get("/search", query_string={"q": words}).get_data(as_text=True).count("Jazz night") == 1


def test_private_and_unlisted_events_are_never_found(ann, client):
    make_event(ann, title="Jazz for all")
    make_event(ann, title="Jazz among friends", visibility="private")
    make_event(ann, title="Jazz by the link", visibility="unlisted")
    assert titles(client, "/search?q=jazz") == ["Jazz for all"]
    calendar = client.get("/search/feed/ics?q=jazz").data.decode()
    assert "Jazz for all" in calendar and "friends" not in calendar and "link" not in calendar
    assert [entry.title for entry in feedparser.parse(client.get("/search/feed/atom?q=jazz").data).entries] == [
        "Jazz for all"]


def test_date_range_category_tags_and_mode(ann, client):
    make_event(ann, title="Craft fair", tags="market, crafts", **day(1))
    make_event(ann, title="Book club", category="BOOK_CLUBS", tags="books", online_url="https://visio.example/b",
               place_name="", locality="", country="", **day(2))
    make_event(ann, title="Hybrid book fair", category="BOOK_CLUBS", tags="books, market",
               online_url="https://visio.example/h", **day(10))
    assert titles(client, f"/search?starts={on(2)}&ends={on(9)}") == ["Book club"]
    assert titles(client, f"/search?starts={on(2)}") == ["Book club", "Hybrid book fair"]
    assert titles(client, f"/search?ends={on(1)}") == ["Craft fair"]
    assert titles(client, "/search?category=book_clubs") == ["Book club", "Hybrid book fair"]
    assert titles(client, "/search?tags=%23Market") == ["Craft fair", "Hybrid book fair"]
    assert titles(client, "/search?tags=market,books") == ["Hybrid book fair"]
    assert titles(client, "/search?mode=online") == ["Book club", "Hybrid book fair"]
    assert titles(client, "/search?mode=in_person") == ["Craft fair", "Hybrid book fair"]
    # Words and filters together.
    assert titles(client, "/search?q=fair&category=BOOK_CLUBS&mode=online") == ["Hybrid book fair"]
    assert titles(client, f"/search?q=book&tags=market&starts={on(1)}&ends={on(31)}") == ["Hybrid book fair"]


@pytest.mark.parametrize("query", ["starts=2027-13-01", "ends=yesterday", "starts=2027-07-02&ends=2027-07-01",
                                   "category=PICNIC", "mode=offline", "scope=galaxy", "radius=3&near=Paris",
                                   "radius=ten&near=Paris", "near=Nowhere%20Upon%20Nothing", "starts=0001-01-01",
                                   "tags=" + ",".join(f"t{number}" for number in range(20))])
def test_bad_values_are_a_message_on_the_page_and_a_400_for_feeds(ann, client, query):
    page = client.get(f"/search?{query}")
    assert page.status_code == 400 and 'class="error"' in page.get_data(as_text=True)
    assert client.get(f"/search/feed/ics?{query}").status_code == 400
    assert client.get(f"/search/feed/atom?{query}").status_code == 400


def test_only_this_instances_events(ann, client):
    make_event(ann, title="Local picnic")
    with ann.app_context():
        alice = Actor.create(preferred_username="alice", domain="remote.example",
                             ap_id="https://remote.example/u/alice", inbox="https://remote.example/u/alice/inbox")
        number = uuid.uuid4()
        Event.create(uuid=str(number), ap_id=f"https://remote.example/events/{number}", organizer=alice,
                     title="Remote picnic", begins_on=events.Event.begins_on.python_value(f"{on(2)} 12:00:00"),
                     timezone="Europe/Paris")
    assert sorted(titles(client, "/search?q=picnic")) == ["Local picnic", "Remote picnic"]
    assert titles(client, "/search?q=picnic&scope=local") == ["Local picnic"]
    assert titles(client, f"/search?scope=all&starts={on(1)}") == ["Local picnic", "Remote picnic"]


def near_query(app, place, radius):
    """The titles of the events within radius km of place (a Place), by the search service."""
    with app.test_request_context():
        found, _more = search.find_events(SearchQuery(place=place, near=place.name, radius=radius))
        return sorted(row.title for row in found)


def test_near_a_town_by_its_name(ann, client):
    make_event(ann, title="In Montréal", locality="Montréal", latitude=MONTREAL[0], longitude=MONTREAL[1])
    make_event(ann, title="In Laval", locality="Laval", latitude=45.6066, longitude=-73.7124)
    make_event(ann, title="In Paris", latitude=48.8566, longitude=2.3522)
    make_event(ann, title="Somewhere", locality="Montréal")  # no coordinates: never near anything
    assert sorted(titles(client, "/search?near=montreal&radius=5")) == ["In Montréal"]
    assert sorted(titles(client, "/search?near=Montreal&radius=25")) == ["In Laval", "In Montréal"]
    assert titles(client, "/search?near=paris") == ["In Paris"]
    # The largest town of a name, unless a country says which: Paris, Texas is far from both.
    assert titles(client, "/search?near=Paris,%20US") == []
    page = client.get("/search?near=paris").get_data(as_text=True)
    assert "Near Paris, Île-de-France, France." in page
    # The other towns of the name, told apart by their region, each a link that finds it first.
    assert '?near=Paris,+Texas&amp;radius=25">Paris, Texas, United States</a>' in page
    assert titles(client, "/search?near=Paris,+Texas") == []
    assert titles(client, "/search?q=laval&near=montr%C3%A9al&radius=25") == ["In Laval"]


def test_radius_boundary_and_the_antimeridian(ann):
    fiji = Place(name="Somewhere in Fiji", country="FJ", latitude=-16.5, longitude=179.95, population=1)
    kilometre = 1 / KM_PER_DEGREE
    make_event(ann, title="East of the line", latitude=-16.5, longitude=-179.95)  # about 10.7 km away
    make_event(ann, title="Just inside", latitude=-16.5 + 30 * kilometre * 0.999, longitude=179.95)
    make_event(ann, title="Just outside", latitude=-16.5 + 30 * kilometre * 1.001, longitude=179.95)
    assert near_query(ann, fiji, 10) == []
    assert near_query(ann, fiji, 11) == ["East of the line"]
    assert near_query(ann, fiji, 30) == ["East of the line", "Just inside"]
    pole = Place(name="North Pole", country="", latitude=89.99, longitude=0, population=1)
    make_event(ann, title="Other side of the pole", latitude=89.99, longitude=180)
    assert near_query(ann, pole, 5) == ["Other side of the pole"]


def test_groups_and_people_tabs(ann, client):
    make_group(ann, "riders", name="Vélo club", summary_source="Rides every **Sunday**")
    make_group(ann, "hidden", name="Vélo secret", visibility="unlisted")
    make_account(ann, "bea@example.org", "bea")
    with ann.app_context():
        bea = Actor.get(Actor.preferred_username == "bea")
        bea.name = "Béatrice Vélo"
        bea.save()
    page = client.get("/search?q=velo&tab=groups").get_data(as_text=True)
    assert "@riders" in page and "@hidden" not in page and "@bea" not in page
    page = client.get("/search?q=velo&tab=people").get_data(as_text=True)
    assert "@bea" in page and "@riders" not in page
    # Words of the description and the username find a group too; a new name replaces the old one.
    assert "@riders" in client.get("/search?q=sunday+ride&tab=groups").get_data(as_text=True)
    with ann.app_context():
        Actor.update(name="Bicycle club").where(Actor.preferred_username == "riders").execute()
    assert "@riders" not in client.get("/search?q=velo&tab=groups").get_data(as_text=True)
    assert "@riders" in client.get("/search?q=bicy&tab=groups").get_data(as_text=True)


def test_feeds_repeat_the_search(ann, client):
    wanted = make_event(ann, title="Jazz à Montréal", tags="musique", **day(3))
    make_event(ann, title="Jazz in Paris", tags="musique", category="MUSIC", **day(4))
    make_event(ann, title="Rock à Montréal", **day(5))
    page = client.get("/search?q=montreal+jazz").get_data(as_text=True)
    assert "/search/feed/ics?q=montreal+jazz" in page and "/search/feed/atom?q=montreal+jazz" in page
    response = client.get("/search/feed/ics?q=montreal+jazz")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert [str(vevent["SUMMARY"]) for vevent in vevents(parse_both(response.data)[0])] == ["Jazz à Montréal"]
    for reader, instants in by_three(response.data).items():
        assert list(instants.values()) == [(utc_seconds(wanted.begins_on), utc_seconds(wanted.ends_on))], reader
    atom = feedparser.parse(client.get("/search/feed/atom?tags=musique&category=CRAFTS").data)
    assert [entry.title for entry in atom.entries] == ["Jazz à Montréal"]
    etag = response.headers["ETag"]
    assert client.get("/search/feed/ics?q=montreal+jazz", headers={"If-None-Match": etag}).status_code == 304
