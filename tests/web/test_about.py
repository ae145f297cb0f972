"""The pages about the instance (/about, /terms, /privacy), the footer linking them, the title of every
page, the icon, and what NodeInfo tells of the instance."""
import io
import re

import pytest
from PIL import Image

from mobilizon_lite.models import Account, Actor
from mobilizon_lite.services import identities

from ..helpers import make_account, make_event, make_group, submit
from .test_instance_settings import SETTINGS

TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)


def title(client, path):
    return TITLE_RE.search(client.get(path).get_data(as_text=True)).group(1)


def test_about_shows_the_descriptions_rules_contact_admins_version_and_counts(app, admin):
    make_account(app)
    make_event(app, title="Choir")
    make_event(app, title="Secret", visibility="private")
    make_group(app, "club")
    with app.app_context():
        boss = Account.get(Account.email == "root@example.org")
        identities.create_identity(boss, "boss_second", name="Second mask")
        Actor.create(type="Person", preferred_username="zed", domain="remote.example",
                     ap_id="https://remote.example/users/zed", inbox="https://remote.example/users/zed/inbox")
    assert submit(admin, "/admin/", dict(SETTINGS, rules="1. Be *kind*.\n2. <script>x</script>No spam.")
                  ).status_code == 302
    page = app.test_client().get("/about").get_data(as_text=True)
    assert "About Repair Network" in page and "Repair cafés around Lyon." in page
    assert "We <strong>fix</strong> things." in page
    assert "<em>kind</em>" in page and "<script>" not in page and "No spam." in page
    assert 'href="mailto:hello@repair.example.org"' in page
    # Each administrator by one public identity, never by their account's address.
    assert 'href="/@boss"' in page and "boss_second" not in page and "root@example.org" not in page
    assert "mobilizon_lite 0.1.0" in page
    for count in ("2 users", "1 public event", "1 public group", "1 known instance"):
        assert count in page, count


def test_terms_and_privacy_show_a_general_text_until_one_is_written(app, admin):
    visitor = app.test_client()
    assert "You are responsible for what you publish" in visitor.get("/terms").get_data(as_text=True)
    assert "No advertising, no tracking" in visitor.get("/privacy").get_data(as_text=True)
    assert submit(admin, "/admin/", dict(SETTINGS, terms="Our **own** terms.", privacy="We keep *nothing*.")
                  ).status_code == 302
    terms, privacy = visitor.get("/terms").get_data(as_text=True), visitor.get("/privacy").get_data(as_text=True)
    assert "Our <strong>own</strong> terms." in terms and "You are responsible" not in terms
    assert "We keep <em>nothing</em>." in privacy and "No advertising" not in privacy


@pytest.mark.parametrize("path", ["/", "/login", "/about", "/terms", "/groups"])
def test_every_page_links_the_about_terms_and_privacy_pages_from_its_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site">'):]
    for link in ('href="/about"', 'href="/terms"', 'href="/privacy"'):
        assert link in footer, (path, link)
    assert 'href="/static/favicon.svg"' in page and 'rel="apple-touch-icon" href="/static/apple-touch-icon.png"' in page


def test_every_title_ends_with_the_instance_name(app, admin):
    visitor = app.test_client()
    assert title(visitor, "/") == "mobilizon_lite"
    assert title(visitor, "/login") == "Log in — mobilizon_lite"
    assert submit(admin, "/admin/", SETTINGS).status_code == 302
    assert title(visitor, "/") == "Repair Network"
    assert title(visitor, "/terms") == "Terms of service — Repair Network"
    assert title(admin, "/admin/") == "Administration — Repair Network"
    assert '<a class="brand" href="/">Repair Network</a>' in visitor.get("/about").get_data(as_text=True)


def test_the_icon_is_served_at_both_addresses(client):
    for path in ("/static/favicon.svg", "/favicon.ico"):
        with client.get(path) as response:
            assert response.status_code == 200 and response.mimetype == "image/svg+xml"
            assert response.data.startswith(b"<svg")
    # A phone's home screen takes only a PNG: the same drawing, at the size phones ask.
    for path in ("/static/apple-touch-icon.png", "/apple-touch-icon.png"):
        with client.get(path) as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
            assert Image.open(io.BytesIO(response.data)).size == (180, 180)


def test_nodeinfo_carries_the_name_and_short_description(app, admin):
    assert submit(admin, "/admin/", SETTINGS).status_code == 302
    document = app.test_client().get("/nodeinfo/2.1").get_json()
    assert document["metadata"]["nodeName"] == "Repair Network"
    assert document["metadata"]["nodeDescription"] == "Repair cafés around Lyon."
    assert document["usage"]["users"]["total"] == 1
