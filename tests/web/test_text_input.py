"""What people type loses its control and bidi override characters in every form; passwords stay as typed."""
import pkgutil
from importlib import import_module
from xml.etree import ElementTree

import icalendar
from wtforms import Form

from mobilizon_lite import web
from mobilizon_lite.models import Actor, Comment, Event
from mobilizon_lite.web.forms.base import CleanText, SiteForm

from ..helpers import BASE_URL, errors, event_fields, log_in, make_account, submit

ATOM = "{http://www.w3.org/2005/Atom}"


def test_event_form_text_is_cleaned_and_the_atom_feed_stays_xml(app, client):
    make_account(app)
    log_in(client)
    response = submit(client, "/events/new", event_fields(
        title="Repair\x01 café\u202e", description="Bring\x02 your\ttoaster.\r\nAnd\x1b a cable.",
        place_name="Maison\x0b des associations", **{"links-0-url": "https://pad.example/notes",
                                                      "links-0-label": "No\x07tes"}))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        event = Event.get()
    assert (event.title, event.place_name, event.links[0]["label"]) == ("Repair café", "Maison des associations",
                                                                        "Notes")
    assert event.description_source == "Bring your\ttoaster.\nAnd a cable."
    feed = client.get("/feed/instance/atom")
    entries = ElementTree.fromstring(feed.data).iter(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Repair café"]
    # A comment too.
    response = submit(client, f"/events/{event.uuid}/comments", {"text": "Count\x01 me\u202e in", "in_reply_to": ""},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 302, errors(response)
    with app.app_context():
        assert Comment.get().text == "<p>Count me in</p>"


def test_a_display_name_with_a_line_break_keeps_its_calendar_feed(app, client):
    make_account(app)
    log_in(client)
    response = submit(client, "/identities/ann/edit", {"name": "Ann\r\nSmith\x01\u202e", "summary": "Hi\x02\nthere"})
    assert response.status_code == 302, errors(response)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    assert (ann.name, ann.summary) == ("Ann Smith", "<p>Hi\nthere</p>")
    feed = client.get("/@ann/feed/ics")
    assert feed.status_code == 200
    assert icalendar.Calendar.from_ical(feed.data).get("X-WR-CALNAME") is not None


def test_passwords_are_kept_exactly_as_typed(mail_app, smtp):
    client = mail_app.test_client()
    password = "tab\tand\x01control long"
    response = submit(client, "/signup", {"email": "zoe@example.org", "password": password, "confirm": password,
                                          "username": "zoe", "name": "Zoé\x01", "accept": "y"})
    assert response.status_code == 200 and not errors(response)
    with mail_app.app_context():
        assert Actor.get(Actor.preferred_username == "zoe").name == "Zoé"
    [message] = smtp.wait_for(1)
    link = next(line.strip() for line in message.get_content().splitlines() if "/signup/confirm/" in line)
    assert submit(client, link.replace(BASE_URL, ""), {}).status_code == 302
    log_in(mail_app.test_client(), email="zoe@example.org", password=password)


def test_every_form_of_the_site_cleans_its_text():
    """A form without the CleanText options (SiteForm's, VisitorForm's) would let control characters through."""
    for module in pkgutil.iter_modules(web.__path__):
        import_module(f"mobilizon_lite.web.{module.name}")
    pending, forms = [Form], []
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("mobilizon_lite."):
                forms.append(subclass)
    assert SiteForm in forms and len(forms) > 10
    for form in forms:
        assert issubclass(form.Meta, CleanText), form
