"""Tag pages: a tag in a link read as events store it (other case, accents, '#' moved to the spelling
events carry), malformed ones 404, search's privacy, pages, the tag's feeds, the index and the links."""
import re
from datetime import date, time

import feedparser
import pytest

from mobilizon_lite.models import Actor
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services.groups import new_member_row

from ..calendar_readers import by_three, parse_both, vevents
from ..helpers import NEXT_YEAR, log_in, make_account, make_event, make_group, sql_log

TITLE_RE = re.compile(r'<h3><a href="/events/[^"]+">([^<]+)</a></h3>')
FRENCH = {"Accept-Language": "fr"}
CINEMA = "/tags/cin%C3%A9ma"


def titles(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return TITLE_RE.findall(response.get_data(as_text=True))


def day(number):
    return {"start_date": date(NEXT_YEAR, 7, number), "start_time": time(14, 0)}


@pytest.fixture
def ann(app):
    make_account(app)
    return app


def test_a_tag_lists_its_upcoming_public_events_soonest_first(ann, client):
    make_event(ann, title="Second screening", tags="cinéma", **day(9))
    make_event(ann, title="First screening", tags="#Cinéma, plein air", **day(2))
    make_event(ann, title="Concert", tags="musique", **day(3))
    make_event(ann, title="Last year's screening", tags="cinéma", start_date=date(2025, 7, 1))
    assert titles(client, CINEMA) == ["First screening", "Second screening"]
    assert titles(client, "/tags/plein%20air") == ["First screening"]


@pytest.mark.parametrize("written", ["Cinema", "cinema", "CIN%C3%89MA", "%23cin%C3%A9ma", "%20Cin%C3%A9ma"])
def test_another_case_or_accent_moves_to_the_spelling_events_carry(ann, client, written):
    make_event(ann, title="Screening", tags="cinéma")
    response = client.get(f"/tags/{written}?page=2")
    assert response.status_code == 301
    assert response.headers["Location"] == CINEMA + "?page=2"


def test_hyphens_and_apostrophes_lead_to_the_tag_used(ann, client):
    make_event(ann, title="Install party", tags="logiciel libre")
    response = client.get("/tags/Logiciel-Libre")
    assert response.status_code == 301 and response.headers["Location"] == "/tags/logiciel%20libre"
    assert titles(client, "/tags/logiciel%20libre") == ["Install party"]


def test_the_spelling_written_is_kept_when_events_carry_it(ann, client):
    make_event(ann, title="Without accent", tags="cinema")
    make_event(ann, title="With accent", tags="cinéma")
    assert titles(client, "/tags/cinema") == ["Without accent"]
    assert titles(client, CINEMA) == ["With accent"]


def test_an_unknown_tag_is_an_empty_page_and_a_malformed_one_404(ann, client):
    response = client.get("/tags/nothing-here")
    assert response.status_code == 200 and "No upcoming event carries this tag." in response.get_data(as_text=True)
    for malformed in ("a" * 41, "one%2Ctwo", "bad%01tag", "%20%20", "%23", "%00"):
        assert client.get(f"/tags/{malformed}").status_code == 404, malformed
    # As long as a stored tag may be.
    assert client.get("/tags/" + "a" * 40).status_code == 200


def test_private_members_only_and_unlisted_events_are_listed_to_those_who_may_see_them(ann, client):
    make_account(ann, "bea@example.org", "bea")
    make_account(ann, "cat@example.org", "cat")
    club = make_group(ann, "club")
    with ann.app_context():
        new_member_row(club, Actor.get(Actor.preferred_username == "bea"), Role.MEMBER)
    make_event(ann, title="Open screening", tags="cinéma", **day(1))
    make_event(ann, title="Private screening of ann", tags="cinéma", visibility="private", **day(2))
    make_event(ann, title="Club screening", tags="cinéma", visibility="private", group=club, **day(3))
    make_event(ann, title="Screening by the link", tags="cinéma", visibility="unlisted", **day(4))
    assert titles(client, CINEMA) == ["Open screening"]
    cat = ann.test_client()
    log_in(cat, "cat@example.org")
    assert titles(cat, CINEMA) == ["Open screening"]
    bea = ann.test_client()
    log_in(bea, "bea@example.org")
    assert titles(bea, CINEMA) == ["Open screening", "Club screening"]
    owner = ann.test_client()
    log_in(owner)
    # Her own events, as her search finds them.
    assert titles(owner, CINEMA) == ["Open screening", "Private screening of ann", "Club screening",
                                     "Screening by the link"]
    # Only public events count in the index, whoever asks.
    assert "<span class=\"muted\">1</span>" in owner.get("/tags").get_data(as_text=True)
    # Nor does a tag only private events carry lead anywhere else.
    make_event(ann, title="Hidden", tags="secret", visibility="private")
    assert client.get("/tags/Secret").headers["Location"] == "/tags/secret"
    assert titles(client, "/tags/secret") == []


def test_pages_of_a_tag(ann, client):
    for number in range(1, 23):
        make_event(ann, title=f"Screening {number:02}", tags="cinéma", **day(number))
    first = client.get(CINEMA).get_data(as_text=True)
    assert TITLE_RE.findall(first) == [f"Screening {number:02}" for number in range(1, 21)]
    assert f'href="{CINEMA}?page=2"' in first
    assert titles(client, CINEMA + "?page=2") == ["Screening 21", "Screening 22"]
    assert titles(client, CINEMA + "?page=3") == []
    assert client.get(CINEMA + "?page=-1").status_code == 200


def test_the_tags_feeds_are_the_search_of_the_tag(ann, client):
    make_event(ann, title="Screening", tags="cinéma", **day(1))
    make_event(ann, title="Private screening", tags="cinéma", visibility="private", **day(2))
    make_event(ann, title="Concert", tags="musique", **day(3))
    page = client.get(CINEMA).get_data(as_text=True)
    ics = "/search/feed/ics?tags=cin%C3%A9ma"
    atom = "/search/feed/atom?tags=cin%C3%A9ma"
    assert f"http://events.test{ics}" in page and f"http://events.test{atom}" in page
    assert 'href="/calendar?tags=cin%C3%A9ma"' in page
    response = client.get(ics)
    assert response.status_code == 200
    calendar, same = parse_both(response.data)
    assert [str(vevent["SUMMARY"]) for vevent in vevents(calendar)] == ["Screening"]
    assert [vevent.summary.value for vevent in same.vevent_list] == ["Screening"]
    assert {reader: len(instants) for reader, instants in by_three(response.data).items()} == {
        "icalendar": 1, "vobject": 1, "ical.js": 1}
    assert [entry.title for entry in feedparser.parse(client.get(atom).data).entries] == ["Screening"]


def test_the_index_counts_upcoming_public_events_most_used_first(ann, client):
    make_event(ann, title="A", tags="musique, jazz", **day(1))
    make_event(ann, title="B", tags="musique", **day(2))
    make_event(ann, title="C", tags="zoo", **day(3))
    make_event(ann, title="Past", tags="archive", start_date=date(2025, 1, 1))
    page = client.get("/tags").get_data(as_text=True)
    assert re.findall(r'href="/tags/([^"]+)">#', page) == ["musique", "jazz", "zoo"]


def test_the_event_page_links_its_tags_and_category(ann, client):
    event = make_event(ann, title="Screening", tags="cinéma, plein air", category="FILM_MEDIA")
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f'href="{CINEMA}">#cinéma</a>' in page and 'href="/tags/plein%20air"' in page
    assert 'href="/categories/film_media">' in page


def test_french_labels(ann, client):
    make_event(ann, title="Screening", tags="cinéma")
    page = client.get(CINEMA, headers=FRENCH).get_data(as_text=True)
    assert "Tous les mots-clés" in page
    assert "Aucun événement à venir ne porte ce mot-clé." in client.get(
        "/tags/rien", headers=FRENCH).get_data(as_text=True)
    assert "Les mots-clés des événements à venir, les plus utilisés d’abord." in client.get(
        "/tags", headers=FRENCH).get_data(as_text=True)


def test_cards_of_listings_link_their_tags(ann, client):
    make_event(ann, title="Screening", tags="cinéma, plein air", **day(1))
    tags = '<p class="tags"><a class="tag" href="/tags/cin%C3%A9ma">#cinéma</a> ' \
           '<a class="tag" href="/tags/plein%20air">#plein air</a></p>'
    for path in ("/", "/search?q=screening", CINEMA, "/categories/crafts", "/@ann"):
        assert tags in client.get(path).get_data(as_text=True), path


def _counts_tags(record):
    return "GROUP BY tag.value" in record.getMessage()


def test_a_tag_linked_as_stored_is_found_without_counting_every_tag(ann, client):
    make_event(ann, title="Screening", tags="cinéma", **day(2))
    make_event(ann, title="Concert", tags="musique", **day(3))
    with sql_log() as records:
        assert titles(client, CINEMA) == ["Screening"]
        counted_before = sum(_counts_tags(record) for record in records)
        assert client.get("/tags/Cinema").headers["Location"] == CINEMA
    # The count of every tag only for a link written otherwise than events store it.
    assert counted_before == 0
    assert any(_counts_tags(record) for record in records)
