"""Importing events from a link to a web page: its schema.org Event JSON-LD (The Events Calendar, a @graph)
or its h-event microformats (Gancio), served by a loopback site; the preview, the events made, a second
import updating them by UID, and hostile pages refused with a message, never a 500."""
import re
from datetime import UTC, datetime

import pytest

from mobilizon_lite.models import Event, ImportedEvent

from ..event_pages import BOTH, DAY, DRUPAL, EVENTS_CALENDAR, GANCIO, agenda
from ..event_pages import site as loopback_site
from ..helpers import EVENT_DAY, csrf_token, make_group
from .test_calendar_import import confirmed, owner_value


@pytest.fixture
def site(app):
    """A loopback site, which this instance (its zone Paris) may fetch from."""
    app.config.update(ALLOWED_PRIVATE_NETWORKS=["127.0.0.0/8"], TIMEZONE="Europe/Paris")
    with loopback_site() as served:
        yield served


def serve(site, path, text, kind="text/html; charset=utf-8"):
    return site.serve(path, text, kind)


def send_link(client, app, link, owner=None):
    return client.post("/import", data={"csrf_token": csrf_token(client, "/import"),
                                        "owner": owner or owner_value(app), "link": link})


def preview_and_confirm(client, app, link, owner=None):
    """(preview page text, done page text) of importing the events of link."""
    return confirmed(client, send_link(client, app, link, owner))


def refused(client, app, link):
    response = send_link(client, app, link)
    assert response.status_code == 400
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_events_calendar_json_ld(app, ann, site):
    link = serve(site, "/event/atelier-velo/", EVENTS_CALENDAR)
    page = ann.get("/import").get_data(as_text=True)
    assert "Import an event from a link" in page and 'name="link"' in page
    preview, done = preview_and_confirm(ann, app, link)
    assert "Atelier vélo – réparation" in preview and "1 new event" in preview
    assert "Import events from a link" in preview and f"Read from {link}" in preview
    assert "2:00\u202fPM – 5:00\u202fPM" in preview and "Maison du vélo" in preview
    assert "Its picture is not imported" in preview
    assert "1 event created" in done
    with app.app_context():
        event = Event.get()
        assert event.begins_on == datetime.fromisoformat(f"{DAY}T12:00:00+00:00")
        # +02:00 is Paris's offset that day: the instance's zone, so the event keeps its clock changes.
        assert event.timezone == "Europe/Paris"
        assert (event.place_name, event.street, event.postal_code, event.locality, event.country) == (
            "Maison du vélo", "3 rue des Cycles", "69001", "Lyon", "France")
        assert "<p>Venez réparer votre vélo avec nos bénévoles.</p>" in event.description
        assert event.links == [{"type": "website", "url": "https://velo.example.org/event/atelier-velo/", "label": ""},
                               {"type": "tickets", "url": "https://billets.example.org/atelier", "label": ""}]
        imported = ImportedEvent.get()
        assert imported.uid == "https://velo.example.org/event/atelier-velo/"
    # The page itself names the event in the feed and search as any event made here.
    assert "Atelier vélo" in ann.get("/search?q=atelier").get_data(as_text=True)


def test_a_graph_with_naive_times_an_online_place_and_a_cancellation(app, ann, site):
    preview, _done = preview_and_confirm(ann, app, serve(site, "/agenda/ag", DRUPAL))
    assert "Assemblée générale" in preview and "Cancelled" in preview
    with app.app_context():
        event = Event.get()
        assert event.status == "cancelled" and event.timezone == "Europe/Paris"
        assert event.begins_on == datetime.fromisoformat(f"{DAY}T18:30:00+02:00")
        assert event.ends_on == datetime.fromisoformat(f"{DAY}T21:00:00+02:00")
        assert event.online_url == "https://visio.example.org/ag"
        assert (event.place_name, event.locality, event.country) == ("Salle des fêtes", "Rennes", "FR")
        assert (event.latitude, event.longitude) == (48.1113, -1.68)
        assert event.tags == ["association", "vie locale"]
        assert "<li>" not in event.description and "Venez nombreux !" in event.description
        assert ImportedEvent.get().uid == "https://asso.example.org/agenda/ag#event"


def test_gancio_h_event(app, ann, site):
    preview, done = preview_and_confirm(ann, app, serve(site, "/event/concert-au-parc", GANCIO))
    assert "Concert au parc" in preview and "1 event created" in done
    with app.app_context():
        event = Event.get()
        assert event.begins_on == datetime.fromisoformat(f"{DAY}T17:00:00+00:00")
        assert event.ends_on == datetime.fromisoformat(f"{DAY}T19:30:00+00:00")
        assert (event.place_name, event.street, event.locality) == (
            "Parc de la Tête d'Or", "Boulevard des Belges", "Lyon")
        assert "<strong>concert</strong>" in event.description
        assert event.tags == ["musique", "plein air"]
        assert event.links[0]["url"] == "https://gancio.example.org/event/concert-au-parc"
        assert ImportedEvent.get().uid == "https://gancio.example.org/event/concert-au-parc"


def test_a_page_stating_an_event_twice_and_another_once(app, ann, site):
    link = serve(site, "/bal", BOTH)
    preview, done = preview_and_confirm(ann, app, link)
    assert "2 new events" in preview and "2 events created" in done
    with app.app_context():
        assert sorted(event.title for event in Event.select()) == ["Bal folk", "Stage de danse"]
        assert sorted(row.uid for row in ImportedEvent.select()) == [link, f"{site.url}/stage"]


def test_importing_a_page_again_updates_its_events(app, ann, site):
    link = serve(site, "/event/atelier-velo/", EVENTS_CALENDAR)
    preview_and_confirm(ann, app, link)
    serve(site, "/event/atelier-velo/", EVENTS_CALENDAR.replace("T14:00:00", "T15:00:00").replace(
        "Atelier v\\u00e9lo &#8211; r\\u00e9paration", "Atelier vélo (nouvel horaire)"))
    preview, done = preview_and_confirm(ann, app, link)
    assert "Updated" in preview and "1 updated" in done
    with app.app_context():
        assert Event.select().count() == 1 and ImportedEvent.select().count() == 1
        event = Event.get()
        assert event.title == "Atelier vélo (nouvel horaire)"
        assert event.begins_on == datetime.fromisoformat(f"{DAY}T13:00:00+00:00")
    # A page that says when it last changed is skipped while that date stays.
    dated = EVENTS_CALENDAR.replace('"performer"', f'"dateModified":"{DAY}T00:00:00+00:00","performer"')
    serve(site, "/event/atelier-velo/", dated)
    preview_and_confirm(ann, app, link)
    assert "Already imported, and not changed since." in ann.get(send_link(ann, app, link).location).get_data(
        as_text=True)


def test_a_group_imports_a_page(app, ann, site):
    make_group(app, "club")
    _preview, done = preview_and_confirm(ann, app, serve(site, "/g", GANCIO), owner_value(app, "club"))
    assert "1 event created" in done
    with app.app_context():
        assert Event.get().attributed_to.preferred_username == "club"


def test_hostile_pages_are_refused_with_a_message(app, ann, site):
    assert "holds no event" in refused(ann, app, serve(site, "/plain", "<html><body>Hello</body></html>"))
    broken = '<script type="application/ld+json">{"@type": "Event", "name": "Broken", </script>'
    assert "holds no event" in refused(ann, app, serve(site, "/broken", broken))
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    assert "holds no event" in refused(ann, app, serve(site, "/deep", deep))
    huge = "<html>" + "x" * (3 << 20) + "</html>"
    assert "The link could not be fetched: the answer is larger than" in refused(ann, app, serve(site, "/huge", huge))
    assert "at most 50 can be imported from one page" in refused(ann, app, serve(site, "/agenda", agenda(60)))
    assert "could not be fetched: the server answered 404" in refused(ann, app, f"{site.url}/missing")
    assert "neither an event nor a web page (image/png)" in refused(ann, app, serve(site, "/p.png", "x", "image/png"))
    assert "leads to this instance" in refused(ann, app, "http://events.test/events/x")
    both = ann.post("/import", data={"csrf_token": csrf_token(ann, "/import"), "owner": owner_value(app),
                                     "link": f"{site.url}/agenda", "url": f"{site.url}/x.ics"})
    assert both.status_code == 400 and "not both" in both.get_data(as_text=True)
    # Absurd dates, no name: each such event is skipped with its reason, the others imported.
    absurd = agenda(3).replace(f'"{DAY}T20:00:00+02:00"', '"9999-12-31T23:00:00-05:00"', 1).replace(
        '"name": "Soir\\u00e9e 1"', '"name": ""').replace('"name": "Soirée 1"', '"name": ""')
    preview = ann.get(send_link(ann, app, serve(site, "/absurd", absurd)).location).get_data(as_text=True)
    assert preview.count("The event needs a name, and a start date between the years 1900 and 2200.") == 2
    assert "1 new event" in preview
    with app.app_context():
        assert Event.select().count() == 0


def test_a_page_before_the_instance_may_reach_loopback(app, ann, site):
    app.config["ALLOWED_PRIVATE_NETWORKS"] = []
    message = refused(ann, app, serve(site, "/x", GANCIO))
    assert "The link could not be fetched" in message and "forbidden address" in message


def test_whole_days_are_read_in_the_instance_zone(app, ann, site):
    page = agenda(1).replace(f'"{DAY}T20:00:00+02:00"', f'"{DAY}"')
    preview_and_confirm(ann, app, serve(site, "/day", page))
    with app.app_context():
        event = Event.get()
        assert event.timezone == "Europe/Paris"
        assert event.begins_on == datetime.fromisoformat(f"{DAY}T00:00:00+02:00").astimezone(UTC)
        assert (event.ends_on - event.begins_on).days == 1
    assert EVENT_DAY.isoformat() == DAY


def test_the_preview_is_what_is_imported_fetched_once(app, ann, site):
    link = serve(site, "/g", GANCIO)
    sent = send_link(ann, app, link)
    assert "Concert au parc" in ann.get(sent.location).get_data(as_text=True)
    serve(site, "/g", GANCIO.replace("Concert au parc", "Changed since"))
    ann.post(sent.location, data={"csrf_token": csrf_token(ann, sent.location)})
    assert len(site.requests) == 1
    with app.app_context():
        assert [event.title for event in Event.select()] == ["Concert au parc"]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example.org/e", "http://[::1", "http://",
                                  "http://exa mple.org/e", "https://x.example:99999/", "/events/local",
                                  "https://" + "a" * 3000 + ".example/"])
def test_odd_links_are_refused_with_a_message(app, ann, link):
    message = refused(ann, app, link)
    assert "could not be fetched" in message or "characters" in message
