"""Category pages: the index with its translated labels and counts, a category's upcoming events by its
lowercase slug (another case moves there, an unknown one is a 404), search's privacy, and its feeds."""
import re
from datetime import date, time, timedelta

import feedparser
import pytest

from ..calendar_readers import parse_both, vevents
from ..helpers import EVENT_DAY, log_in, make_account, make_event

TITLE_RE = re.compile(r'<h3><a href="/events/[^"]+">([^<]+)</a></h3>')
FRENCH = {"Accept-Language": "fr"}


def titles(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return TITLE_RE.findall(response.get_data(as_text=True))


def day(number):
    return {"start_date": EVENT_DAY + timedelta(days=number - 1), "start_time": time(14, 0)}


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def test_a_category_lists_its_upcoming_events_and_hides_private_ones(ann, client):
    make_event(ann, title="Reading circle", category="BOOK_CLUBS", **day(5))
    make_event(ann, title="Poetry night", category="BOOK_CLUBS", **day(2))
    make_event(ann, title="Secret readers", category="BOOK_CLUBS", visibility="private", **day(3))
    make_event(ann, title="Jam session", category="MUSIC", **day(1))
    make_event(ann, title="Old reading", category="BOOK_CLUBS", start_date=date(2025, 7, 1))
    assert titles(client, "/categories/book_clubs") == ["Poetry night", "Reading circle"]
    owner = ann.test_client()
    log_in(owner)
    assert titles(owner, "/categories/book_clubs") == ["Poetry night", "Secret readers", "Reading circle"]
    assert titles(client, "/categories/music") == ["Jam session"]
    assert "No upcoming event in this category." in client.get("/categories/pets").get_data(as_text=True)


@pytest.mark.parametrize(("written", "slug"), [("BOOK_CLUBS", "book_clubs"), ("Music", "music")])
def test_another_case_moves_to_the_slug(ann, client, written, slug):
    response = client.get(f"/categories/{written}")
    assert response.status_code == 301 and response.headers["Location"] == f"/categories/{slug}"


@pytest.mark.parametrize("name", ["picnic", "book-clubs", "music%20", "a" * 300])
def test_an_unknown_category_is_a_404(ann, client, name):
    response = client.get(f"/categories/{name}")
    assert response.status_code == 404
    assert "This category does not exist." in response.get_data(as_text=True)


def test_the_index_names_every_category_with_its_count(ann, client):
    make_event(ann, title="Jam session", category="MUSIC", **day(1))
    make_event(ann, title="Choir", category="MUSIC", **day(2))
    make_event(ann, title="Private choir", category="MUSIC", visibility="private", **day(3))
    page = client.get("/categories").get_data(as_text=True)
    assert len(re.findall(r'href="/categories/[a-z_]+"', page)) == 30
    assert re.search(r'href="/categories/music">Music</a>\s*<span class="muted">2 upcoming events</span>', page)
    assert re.search(r'href="/categories/pets">Pets</a>\s*<span class="muted">0 upcoming events</span>', page)


def test_the_feeds_are_the_search_of_the_category(ann, client):
    make_event(ann, title="Jam session", category="MUSIC", **day(1))
    make_event(ann, title="Private jam", category="MUSIC", visibility="private", **day(2))
    make_event(ann, title="Repair café", **day(3))
    page = client.get("/categories/music").get_data(as_text=True)
    assert "http://events.test/search/feed/ics?category=MUSIC" in page
    assert "http://events.test/search/feed/atom?category=MUSIC" in page
    assert 'href="/calendar?category=MUSIC"' in page and 'href="/search?category=MUSIC"' in page
    calendar, same = parse_both(client.get("/search/feed/ics?category=MUSIC").data)
    assert [str(vevent["SUMMARY"]) for vevent in vevents(calendar)] == ["Jam session"]
    assert [vevent.summary.value for vevent in same.vevent_list] == ["Jam session"]
    atom = feedparser.parse(client.get("/search/feed/atom?category=MUSIC").data)
    assert [entry.title for entry in atom.entries] == ["Jam session"]


def test_french_labels(ann, client):
    make_event(ann, title="Lecture", category="BOOK_CLUBS", **day(1))
    index = client.get("/categories", headers=FRENCH).get_data(as_text=True)
    assert re.search(r'href="/categories/book_clubs">Clubs de lecture</a>\s*'
                     r'<span class="muted">1 événement à venir</span>', index)
    page = client.get("/categories/book_clubs", headers=FRENCH).get_data(as_text=True)
    assert "<h1>Clubs de lecture</h1>" in page and "Toutes les catégories" in page
    assert "Aucun événement à venir dans cette catégorie." in client.get(
        "/categories/pets", headers=FRENCH).get_data(as_text=True)


def test_a_label_with_an_ampersand_is_escaped_on_its_page_and_on_its_events(ann, client):
    event = make_event(ann, title="Soup night", category="FOOD_DRINK", **day(4))
    for path in ("/categories/food_drink", f"/events/{event.uuid}"):
        page = client.get(path).get_data(as_text=True)
        assert "Food &amp; drink" in page and "Food & drink" not in page, path
    page = client.get("/categories/food_drink").get_data(as_text=True)
    assert "<h1>Food &amp; drink</h1>" in page and "<title>Food &amp; drink" in page
