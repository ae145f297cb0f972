"""What a shared link shows before it is opened: OpenGraph and Twitter card tags of event, group and profile
pages (local and of elsewhere), the schema.org Event of event pages, and nothing of what a visitor may not see."""
import io
import json
from html.parser import HTMLParser

import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services.remote_events import store

from ..federation.remote import ACTOR, EVENT_ID, remote_event
from ..helpers import BASE_URL, EVENT_DAY, errors, event_fields, make_account, make_event, make_group, submit
from .test_events import png_bytes

EVIL_TITLE = "Fête </script><script>alert(1)</script> <!-- end"


class Head(HTMLParser):
    """The meta tags (by property or name), links (by rel and type) and JSON-LD scripts of a page."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.scripts, self._in_script = {}, [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self._in_script = attrs.get("type")
            self.scripts.append([self._in_script, ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def link(self, rel, kind=None):
        return next((link["href"] for link in self.links
                     if link.get("rel") == rel and (kind is None or link.get("type") == kind)), None)

    def json_ld(self):
        found = [text for kind, text in self.scripts if kind == "application/ld+json"]
        assert len(found) <= 1
        return json.loads(found[0]) if found else None


def head_of(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return Head(response.get_data(as_text=True))


def assert_preview(head, title, url, card, image=None):
    """The values every preview carries, as each reader (OpenGraph, Twitter) names them."""
    meta = head.meta
    assert meta["og:title"] == meta["twitter:title"] == title
    assert meta["og:url"] == url and head.link("canonical") == url
    assert meta["og:site_name"] == "mobilizon_lite" and meta["og:locale"] == "en_US"
    assert meta["twitter:card"] == card
    assert 0 < len(meta["og:description"]) <= 200 and meta["og:description"] == meta["twitter:description"]
    assert meta.get("og:image") == image and meta.get("twitter:image") == image


def test_a_public_event_without_picture(app, client):
    make_account(app)
    event = make_event(app, description="Bring your **toaster**. " + "We fix lamps, kettles and bikes. " * 20,
                       tags="repair")
    url = f"{BASE_URL}/events/{event.uuid}"
    head = head_of(client, f"/events/{event.uuid}", **{"Accept-Language": "en"})
    assert_preview(head, "Repair café", url, "summary")
    meta = head.meta
    assert meta["og:type"] == "website" and "robots" not in meta
    # The date and place lead the description, then the words of the description, cut on a word.
    description = meta["og:description"]
    assert description.startswith(f"Jul 1, {EVENT_DAY.year}, 2:00 PM (Europe/Paris) · Maison des associations, "
                                  "Paris — Bring your toaster.")
    assert description.endswith("…") and "**" not in description
    when = f"Jul 1, {EVENT_DAY.year}, 2:00\u202fPM (Europe/Paris)"
    assert (meta["twitter:label1"], meta["twitter:data1"]) == ("When", when)
    assert (meta["twitter:label2"], meta["twitter:data2"]) == ("Where", "Maison des associations, Paris")
    assert head.link("alternate", "application/activity+json") == url  # our events' ids are their pages


def test_a_banner_becomes_the_large_picture(app, ann):
    response = submit(ann, "/events/new", event_fields(picture=(io.BytesIO(png_bytes()), "poster.png")),
                      content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    with app.app_context():
        event = Event.get()
    head = head_of(app.test_client(), f"/events/{event.uuid}")
    image = f"{BASE_URL}/uploads/{event.picture}"
    assert_preview(head, "Repair café", f"{BASE_URL}/events/{event.uuid}", "summary_large_image", image)
    assert head.json_ld()["image"] == [image]


def test_the_description_follows_the_readers_language(app, client):
    make_account(app)
    event = make_event(app, status="cancelled")
    meta = head_of(client, f"/events/{event.uuid}", **{"Accept-Language": "fr"}).meta
    assert meta["og:locale"] == "fr_FR"
    assert meta["og:description"].startswith("Annulé · ")


def test_the_json_ld_event(app, client):
    make_account(app)
    event = make_event(app, title=EVIL_TITLE, end_date=None, latitude=48.86, longitude=2.35,
                       online_url="https://meet.example/room", description="Bring <b>tools</b> & smiles.")
    html = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    head = Head(html)
    # The title cannot close the script element, nor open a comment, whatever it holds.
    start = html.index('<script type="application/ld+json">')
    inside = html[start + len('<script type="application/ld+json">'):html.index("</script>", start)]
    assert "<" not in inside and ">" not in inside and "&" not in inside
    assert "<script>alert(1)" not in html
    data = head.json_ld()
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == EVIL_TITLE
    assert data["startDate"] == f"{EVENT_DAY}T14:00:00+02:00" and data["endDate"] == f"{EVENT_DAY}T18:00:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, online = data["location"]
    assert place["@type"] == "Place" and place["name"] == "Maison des associations"
    assert place["address"] == {"@type": "PostalAddress", "addressLocality": "Paris", "addressCountry": "France"}
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 48.86, "longitude": 2.35}
    assert online == {"@type": "VirtualLocation", "url": "https://meet.example/room"}
    assert data["description"] == "Bring tools & smiles."
    assert data["organizer"] == {"@type": "Person", "name": "ann", "url": f"{BASE_URL}/@ann"}
    assert data["url"] == f"{BASE_URL}/events/{event.uuid}"
    assert "image" not in data


def test_the_json_ld_of_a_groups_cancelled_online_event(app, client):
    make_account(app)
    group = make_group(app, name="Repair club")
    event = make_event(app, group=group, status="cancelled", place_name="", street="", locality="", country="",
                       join_mode="restricted", online_url="https://meet.example/secret")
    data = head_of(client, f"/events/{event.uuid}").json_ld()
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    # Only participants see the call's address: search engines get the page, where participants find it.
    assert data["location"] == {"@type": "VirtualLocation", "url": f"{BASE_URL}/events/{event.uuid}"}
    assert data["organizer"] == {"@type": "Organization", "name": "Repair club", "url": f"{BASE_URL}/@club"}
    assert "secret" not in client.get(f"/events/{event.uuid}").get_data(as_text=True)


def test_an_unlisted_event_is_previewed_but_not_indexed(app, client):
    make_account(app)
    event = make_event(app, visibility="unlisted")
    head = head_of(client, f"/events/{event.uuid}")
    assert head.meta["og:title"] == "Repair café" and head.meta["robots"] == "noindex"
    assert head.json_ld() is None


@pytest.mark.parametrize("of_group", [False, True], ids=["private", "members-only"])
def test_a_private_event_gives_nothing_away(app, ann, client, of_group):
    group = make_group(app) if of_group else None
    event = make_event(app, visibility="private", title="Secret meeting", description="The plan.", group=group)
    refused = client.get(f"/events/{event.uuid}")
    assert refused.status_code == 404
    page = refused.get_data(as_text=True)
    assert "Secret meeting" not in page and "og:" not in page and "ld+json" not in page
    assert client.get(f"/events/{event.uuid}/qr.svg").status_code == 404
    # Its organiser sees the page, without a preview for machines or a share box.
    head = head_of(ann, f"/events/{event.uuid}")
    assert head.meta == {"viewport": "width=device-width, initial-scale=1", "color-scheme": "light dark",
                         "robots": "noindex"}
    assert head.json_ld() is None
    assert 'class="card share"' not in ann.get(f"/events/{event.uuid}").get_data(as_text=True)


def test_a_remote_event(app, client):
    make_account(app)
    with app.app_context():
        alice = Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox")
        store(remote_event(), alice)
        event = Event.get(Event.ap_id == EVENT_ID)
    head = head_of(client, f"/events/{event.uuid}")
    assert_preview(head, "Fête de quartier", f"{BASE_URL}/events/{event.uuid}", "summary")
    assert head.meta["og:description"].endswith("— Come!")
    assert head.link("alternate", "application/activity+json") == EVENT_ID
    assert head.json_ld() is None  # its own server describes it to search engines


def test_a_group_page(app, client):
    make_account(app)
    make_group(app, name="Repair club", summary_source="We *mend* things, every month.")
    head = head_of(client, "/@club")
    assert_preview(head, "Repair club", f"{BASE_URL}/@club", "summary")
    assert head.meta["og:description"] == "We mend things, every month."
    assert head.meta["og:type"] == "website"
    assert head.link("alternate", "application/activity+json") == f"{BASE_URL}/@club"


def test_a_groups_banner_then_avatar(app, ann):
    make_group(app, name="Repair club")
    response = submit(ann, "/@club/settings", {"name": "Repair club", "summary": "", "visibility": "unlisted",
                                               "openness": "moderated", "show_event_creator": "y",
                                               "avatar": (io.BytesIO(png_bytes((64, 64))), "a.png")},
                      content_type="multipart/form-data")
    assert response.status_code == 302, errors(response)
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
    head = head_of(app.test_client(), "/@club")
    assert_preview(head, "Repair club", f"{BASE_URL}/@club", "summary_large_image",
                   f"{BASE_URL}/uploads/{group.avatar}")
    assert head.meta["og:description"] == "@club@events.test" and head.meta["robots"] == "noindex"
    # The group's events without a banner of their own show the group's picture.
    event = make_event(app, group=group)
    assert head_of(app.test_client(), f"/events/{event.uuid}").meta["og:image"] == f"{BASE_URL}/uploads/{group.avatar}"


def test_a_profile_page(app, client):
    make_account(app)
    head = head_of(client, "/@ann")
    assert_preview(head, "ann", f"{BASE_URL}/@ann", "summary")
    assert head.meta["og:type"] == "profile" and head.meta["profile:username"] == "ann"
    assert head.link("alternate", "application/activity+json") == f"{BASE_URL}/@ann"


def test_a_group_of_elsewhere(app, client):
    with app.app_context():
        Actor.create(preferred_username="gardeners", domain="remote.example", type="Group", name="Gardeners",
                     ap_id="https://remote.example/@gardeners", summary="<p>Seeds &amp; soil</p>",
                     banner_url="https://remote.example/media/banner.jpg", avatar_url="javascript:alert(1)")
    head = head_of(client, "/@gardeners@remote.example")
    assert_preview(head, "Gardeners", f"{BASE_URL}/@gardeners@remote.example", "summary_large_image",
                   "https://remote.example/media/banner.jpg")
    assert head.meta["og:description"] == "Seeds & soil"
    assert head.link("alternate", "application/activity+json") == "https://remote.example/@gardeners"


@pytest.mark.parametrize("path", ["/", "/groups", "/about"])
def test_other_pages_carry_no_preview(client, path):
    assert "og:title" not in client.get(path).get_data(as_text=True)


def test_the_share_box(app, client):
    make_account(app)
    event = make_event(app, title="Repair & café")
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    box = page[page.index('class="card share"'):]
    url = f"{BASE_URL}/events/{event.uuid}"
    assert f'readonly value="{url}"' in box
    assert f'src="/events/{event.uuid}/qr.svg"' in box
    assert f'href="/events/{event.uuid}/export/ics"' in box
    assert 'href="mailto:?subject=Repair%20%26%20caf%C3%A9&amp;body=http%3A%2F%2Fevents.test%2Fevents%2F' in box
    # The card of the event, to paste in a website, and nothing loaded from another site.
    assert f"&lt;iframe src=&#34;{BASE_URL}/embed/events/{event.uuid}&#34;" in box
    assert "<script" not in box and "https://" not in box
