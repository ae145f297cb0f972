"""The frames other websites show: framable by any site (these addresses only), no cookie read or set,
nothing loaded from or linking to another server, public events only, and bad parameters refused."""
import base64
import hashlib
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services.remote_events import store

from ..federation.remote import ACTOR, EVENT_ID, remote_event
from ..helpers import BASE_URL, EVENT_DAY, log_in, make_account, make_event, make_group

STYLE = re.compile(r"<style>(.*?)</style>", re.S)
TITLE = re.compile(r'class="title" href="[^"]+" target="_blank" rel="noopener">([^<]+)</a>')


class Addresses(HTMLParser):
    """Every address (href, src) of a page, and the attributes of its links."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.addresses, self.links = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.addresses += [attrs[name] for name in ("href", "src", "srcset", "action", "data") if name in attrs]
        if tag == "a":
            self.links.append(attrs)


def frame(client, path, status=200):
    """The frame at path, checked: its headers let any site frame it, it sets no cookie, and it holds only
    addresses of this instance, opened in a new tab."""
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "X-Frame-Options" not in response.headers
    assert "unsafe-inline" not in policy and "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    # The style written in the page is the one its policy allows, by its hash.
    (style,) = STYLE.findall(html)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "prefers-color-scheme:dark" in style and "@import" not in style and "url(" not in style
    page = Addresses(html)
    for address in page.addresses:
        assert address.startswith(f"{BASE_URL}/"), address
    for link in page.links:
        assert link["target"] == "_blank" and link["rel"] == "noopener", link
    assert "<script" not in html and "<form" not in html
    return html


@pytest.fixture
def club(app):
    """ann's group club, with two public events (one tagged), an unlisted and a private one, and ann's own."""
    make_account(app)
    group = make_group(app, name="Repair club")
    make_event(app, group=group, title="Bike repair", tags="bikes, repair", start_date=EVENT_DAY + timedelta(days=1))
    make_event(app, group=group, title="Lamp repair", start_date=EVENT_DAY)
    make_event(app, group=group, title="Members dinner", visibility="private")
    make_event(app, group=group, title="Unlisted workshop", visibility="unlisted")
    make_event(app, title="Ann's garden party", start_date=EVENT_DAY + timedelta(days=2))
    return group


def titles(html):
    return [unescape(title) for title in TITLE.findall(html)]


def test_a_groups_upcoming_public_events(client, club):
    html = frame(client, "/embed/events?group=club")
    assert titles(html) == ["Lamp repair", "Bike repair"]
    assert frame(client, "/embed/events?group=club") == html  # kept for the next visitor, headers and all
    assert "Upcoming events of Repair club" in html and f'href="{BASE_URL}/@club/feed/ics"' in html
    assert "Members dinner" not in html and "Unlisted workshop" not in html
    assert '<span class="date"><b>1</b><span>Jul' in html  # the year follows when it is not this one


def test_tags_limit_identity_and_the_whole_instance(client, club):
    assert titles(frame(client, "/embed/events?group=club&tags=%23Bikes")) == ["Bike repair"]
    assert titles(frame(client, "/embed/events?group=club&tags=bikes,cooking")) == []
    assert titles(frame(client, "/embed/events?group=club&limit=1")) == ["Lamp repair"]
    assert titles(frame(client, "/embed/events?identity=ann")) == ["Lamp repair", "Bike repair",
                                                                  "Ann's garden party"]
    assert titles(frame(client, "/embed/events")) == ["Lamp repair", "Bike repair", "Ann's garden party"]


def test_five_events_unless_asked(app, client):
    make_account(app)
    for day in range(1, 8):
        make_event(app, title=f"Talk {day}", start_date=EVENT_DAY + timedelta(days=day - 1))
    html = frame(client, "/embed/events?identity=ann")
    assert titles(html) == [f"Talk {day}" for day in range(1, 6)]
    assert len(frame(client, "/embed/events?identity=ann&limit=20").split('class="title"')) == 8
    print(f"\nembed list of 5 events: {len(html.encode())} bytes")


def test_a_group_hiding_who_created_its_events_is_not_shown_under_them(app, client, club):
    with app.app_context():
        Actor.update(hide_event_creator=True).where(Actor.preferred_username == "club").execute()
    assert titles(frame(client, "/embed/events?identity=ann")) == ["Ann's garden party"]


def test_events_of_elsewhere_link_to_their_page_here(app, client):
    make_account(app)
    with app.app_context():
        alice = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox")
        store(remote_event(), alice)
        Actor.create(preferred_username="gardeners", domain="remote.example", type="Group",
                     ap_id="https://remote.example/@gardeners")
        event = Event.get(Event.ap_id == EVENT_ID)
    html = frame(client, "/embed/events")
    assert titles(html) == ["Fête de quartier"] and f'href="{BASE_URL}/events/{event.uuid}"' in html
    assert "remote.example" not in html
    assert titles(frame(client, "/embed/events?group=gardeners@remote.example")) == []


def test_an_events_card(app, client):
    make_account(app)
    event = make_event(app, title="Repair café", description="<p>Bring a <a href='https://evil.example'>toaster</a>"
                       "</p>", online_url="https://meet.example/room")
    html = frame(client, f"/embed/events/{event.uuid}")
    assert "Repair café" in html and "Maison des associations, Paris" in html
    assert f'href="{BASE_URL}/events/{event.uuid}/export/ics"' in html
    # The description's words only: its links are the event page's to show (frame() checks every address).
    assert 'href="https://evil.example' not in html and "meet.example" not in html


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
def test_no_card_of_an_event_not_public(app, client, visibility):
    make_account(app)
    event = make_event(app, visibility=visibility, title="Not for the world")
    assert "Not for the world" not in frame(client, f"/embed/events/{event.uuid}", 404)


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit"), ("limit=21", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"), ("limit=5.5", "limit"),
    ("limit=%EF%BC%95", "limit"), ("theme=blue", "theme"), ("group=club&identity=ann", "not both"),
    ("tags=" + ",".join(f"t{n}" for n in range(40)), "tags"), ("tags=" + "x" * 300, "tags"),
])
def test_bad_parameters_are_refused_with_a_message(client, club, query, message):
    html = frame(client, f"/embed/events?{query}", 400)
    assert message in re.search(r'<p role="alert">([^<]+)</p>', html).group(1)


@pytest.mark.parametrize("query", ["group=nobody", "identity=nobody", "group=nobody@remote.example",
                                   "group=" + "x" * 5000])
def test_unknown_owners_are_not_found(client, club, query):
    frame(client, f"/embed/events?{query}", 404)


def test_no_cookie_even_for_someone_logged_in(app, client, club):
    ann = app.test_client()
    log_in(ann, remember="y")
    for path in ("/embed/events?group=club", "/embed/events?limit=99"):
        logged_in, visitor = ann.get(path), client.get(path)
        assert "Set-Cookie" not in logged_in.headers
        # The frame is what any visitor sees: nothing of the account's session reaches it.
        assert logged_in.get_data() == visitor.get_data()
    # The session itself is left as it was: ann is still logged in on the site.
    assert "Log out" in ann.get("/").get_data(as_text=True)
    # Without its session cookie, the remember-me cookie would log the browser in again: not in a frame.
    ann.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain="localhost")
    assert ann.get_cookie("remember_token", domain="localhost") is not None
    assert "Set-Cookie" not in ann.get("/embed/events?group=club").headers
    assert "Set-Cookie" in ann.get("/").headers


def test_the_theme_can_be_chosen(client, club):
    assert '<html lang="en" class="dark">' in frame(client, "/embed/events?group=club&theme=dark")
    assert '<html lang="en">' in frame(client, "/embed/events?group=club&theme=auto")


@pytest.mark.parametrize("path", ["/", "/@club", "/@club/qr.svg", "/events/nope", "/embedded", "/groups"])
def test_every_other_address_still_refuses_frames(client, club, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_snippet_on_group_and_profile_pages(client, club):
    for path, src in (("/@club", f"{BASE_URL}/embed/events?group=club"),
                      ("/@ann", f"{BASE_URL}/embed/events?identity=ann")):
        page = client.get(path).get_data(as_text=True)
        snippet = (f"&lt;iframe src=&#34;{src}&#34; title=&#34;")
        assert snippet in page and "loading=&#34;lazy&#34;" in page and "width=&#34;100%&#34;" in page
        assert frame(client, src.removeprefix(BASE_URL))
