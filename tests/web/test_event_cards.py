"""Event cards in every listing: the banner's thumbnail (never the original file), a date block, the place or
"Online", the organiser and the participants counted; thumbnails served to be kept for good; and listings
whose SQL statements do not grow with the number of cards."""
import io
import re
from datetime import date

import pytest
from PIL import Image

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import events, participation
from mobilizon_lite.services.pictures import upload_folder
from mobilizon_lite.services.remote_events import store
from mobilizon_lite.services.thumbnails import thumbnail_name

from ..federation.remote import ACTOR, remote_event
from ..helpers import NEXT_YEAR, make_account, make_event, make_group, page_statements, service_fields

CARD_RE = re.compile(r'<li class="card event-card[^"]*">(.*?)</li>', re.S)


def photo(size=(1600, 900)):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(data, "JPEG")
    data.seek(0)
    return data


def event_with_banner(app, title="Picnic", **overrides):
    """An event of ann's with a banner; returns its picture's stored name."""
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        return events.create_event(ann, service_fields(title=title, **overrides), picture=photo()).picture


def cards(page):
    """{title: the card's HTML} of the event cards on a page."""
    return {re.search(r"<h3><a [^>]*>([^<]*)</a>", card).group(1): card for card in CARD_RE.findall(page)}


def event_id(app, title):
    with app.app_context():
        return Event.get(Event.title == title).id


def join(app, event_id, *usernames):
    with app.app_context():
        event = Event.get_by_id(event_id)
        for username in usernames:
            participation.join(event, Actor.get(Actor.preferred_username == username))


@pytest.fixture
def people(app):
    make_account(app)
    for name in ("bob", "cat"):
        make_account(app, f"{name}@example.org", name)


def test_cards_show_the_thumbnail_the_place_or_online_and_the_participants(app, people):
    picture = event_with_banner(app, capacity=10)
    join(app, event_id(app, "Picnic"), "bob", "cat")
    webinar = make_event(app, title="Webinar", place_name="", street="", postal_code="", locality="", country="",
                         online_url="https://meet.example.org/room", start_date=date(NEXT_YEAR, 7, 2))
    join(app, webinar.id, "bob")
    make_group(app)
    with app.app_context():
        club = Actor.get(Actor.preferred_username == "club")
    make_event(app, title="Club night", group=club, start_date=date(NEXT_YEAR, 7, 3))

    home = app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    found = cards(home)
    picnic = found["Picnic"]
    assert (f'<img class="card-picture" src="/uploads/{thumbnail_name(picture)}" alt="" width="400" height="225" '
            'loading="lazy" decoding="async">') in picnic
    assert f"/uploads/{picture}\"" not in home  # never the original file
    assert '<span class="day">1</span>' in picnic and "Maison des associations, Paris" in picnic
    assert "2/10 participants" in picnic and "by Ann" not in picnic
    # No banner: the date block alone; online only.
    assert "<img" not in found["Webinar"] and "Online" in found["Webinar"] and "1 participant<" in found["Webinar"]
    assert "Online" not in picnic
    assert "by club" in found["Club night"] and "0 participants" in found["Club night"]

    french = cards(app.test_client().get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "En ligne" in french["Webinar"] and "2/10 participant·es" in french["Picnic"]
    assert "1 participant·e<" in french["Webinar"]

    # The same card in every listing.
    client = app.test_client()
    thumbnail = f'src="/uploads/{thumbnail_name(picture)}"'
    for path in ("/past", "/search?q=picnic", "/@ann", "/@club", "/@club/events"):
        page = client.get(path).get_data(as_text=True)
        if path == "/past":
            assert "Picnic" not in page
        elif "club" in path:
            assert "0 participants" in cards(page)["Club night"]
        else:
            assert thumbnail in cards(page)["Picnic"] and "2/10 participants" in cards(page)["Picnic"]


def test_capacity_is_left_out_when_the_organisers_hide_the_seats_left(app, people):
    event = make_event(app, title="Quiet", capacity=30, show_remaining_seats=False)
    join(app, event.id, "bob")
    card = cards(app.test_client().get("/").get_data(as_text=True))["Quiet"]
    assert "1 participant<" in card and "/30" not in card


def test_an_event_of_another_server_has_the_date_block_alone_and_its_servers_count(app, people):
    banner = {"type": "Document", "mediaType": "image/jpeg", "name": "Banner",
              "url": "https://remote.example/media/banner.jpg"}
    with app.app_context():
        alice = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox")
        store(remote_event(attachment=[banner], participantCount=12), alice)
    home = app.test_client().get("/").get_data(as_text=True)
    card = cards(home)["Fête de quartier"]
    assert "<img" not in card and "banner.jpg" not in home  # its picture stays at its server
    assert '<span class="day">21</span>' in card and "12 participants" in card
    assert "on remote.example" in card


def test_a_thumbnail_is_served_to_be_kept_for_good(app, people):
    picture = event_with_banner(app)
    client = app.test_client()
    served = client.get(f"/uploads/{thumbnail_name(picture)}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert set(served.headers["Cache-Control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (400, 225)
    original = client.get(f"/uploads/{picture}")
    assert original.mimetype == "image/jpeg" and "immutable" not in original.headers["Cache-Control"]
    served.close()
    original.close()


def test_a_picture_from_before_thumbnails_gets_its_thumbnail_at_its_first_request(app, people):
    picture = event_with_banner(app)
    with app.app_context():
        (upload_folder() / thumbnail_name(picture)).unlink()
    with app.test_client().get(f"/uploads/{thumbnail_name(picture)}") as served:
        assert served.status_code == 200 and served.mimetype == "image/webp"
        assert "immutable" in served.headers["Cache-Control"]
    with app.app_context():
        assert (upload_folder() / thumbnail_name(picture)).is_file()


@pytest.mark.parametrize("name", [
    "0123456789abcdef0123456789abcdef.jpg.thumb.webp",
    "nothing.thumb.webp",
    "..%2Fconfig.py.thumb.webp",
])
def test_thumbnails_of_no_stored_picture_are_not_found(app, name):
    response = app.test_client().get(f"/uploads/{name}")
    assert response.status_code == 404
    with app.app_context():
        assert list(upload_folder().iterdir()) == []


LISTINGS = ("/", "/search?q=concert", "/@ann", "/@club", "/@club/events")


def add_events(app, club, start, count):
    """count events of ann's and count of the club's, each with a participant."""
    for number in range(start, start + count):
        day = date(NEXT_YEAR, 3, 1 + number % 28)
        mine = make_event(app, title=f"Concert {number}", start_date=day, capacity=50)
        theirs = make_event(app, title=f"Concert du club {number}", group=club, start_date=day)
        for event in (mine, theirs):
            join(app, event.id, "bob")


def test_listings_cost_the_same_statements_whatever_their_number_of_cards(app, people):
    make_group(app)
    with app.app_context():
        club = Actor.get(Actor.preferred_username == "club")
    client = app.test_client()
    add_events(app, club, 0, 4)
    for path in LISTINGS:
        client.get(path)  # what a first visit sets up, before any count
    add_events(app, club, 4, 1)
    # Each list changed: every page is made again (a page kept for everyone would cost nothing).
    few = {path: page_statements(client, path, warm_up=False) for path in LISTINGS}
    add_events(app, club, 5, 15)
    many = {path: page_statements(client, path, warm_up=False) for path in LISTINGS}
    for path in LISTINGS:
        (few_count, few_page), (many_count, many_page) = few[path], many[path]
        assert len(cards(many_page)) >= 20 > len(cards(few_page)) >= 5, path
        assert many_page.count('<p class="muted going">1') >= 20, path
        assert many_count == few_count, path
