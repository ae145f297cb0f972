"""Importing an event from a link to its ActivityPub document: Mobilizon's and Gancio's captured Events,
served from loopback as their servers serve them (the document to a signed request asking for it, a page
to others), become events of ann's, found again by their id."""
import json
from datetime import datetime

import pytest

from mobilizon_lite.models import Event, ImportedEvent

from ..event_pages import site as loopback_site
from ..helpers import NEXT_YEAR
from ..web.conftest import ann  # noqa: F401
from ..web.test_link_import import preview_and_confirm, refused, send_link
from .captured import FIXTURES, needs_fixtures

pytestmark = needs_fixtures


@pytest.fixture
def site(app):
    app.config.update(ALLOWED_PRIVATE_NETWORKS=["127.0.0.0/8"], TIMEZONE="Europe/Paris")
    with loopback_site() as served:
        yield served


def captured(name, site, *old_hosts):
    """A captured document, its hosts the loopback site's, its year next year's."""
    text = (FIXTURES / name).read_text()
    for host in old_hosts:
        text = text.replace(host, site.url)
    return json.loads(text.replace('Time": "2019', f'Time": "{NEXT_YEAR}').replace(
        'Time":"2019', f'Time":"{NEXT_YEAR}').replace('Time": "2021', f'Time": "{NEXT_YEAR}'))


def test_a_mobilizon_event(app, ann, site):  # noqa: F811
    event = captured("external/mobilizon.org-event.json", site, "https://mobilizon.org")
    path = event["id"].removeprefix(site.url)
    site.documents[path] = event
    preview, done = preview_and_confirm(ann, app, event["id"])
    assert "Mobilizon Launching Party" in preview and "1 event created" in done
    # Fetched as the search box fetches: asking for the document, signed by the instance actor.
    asked = site.requests[-1]
    assert "application/activity+json" in asked["Accept"] and 'keyId="http://events.test/relay#main-key"' in (
        asked["Signature"])
    with app.app_context():
        made = Event.get()
        assert made.organizer.preferred_username == "ann" and made.is_local
        assert made.begins_on == datetime.fromisoformat(f"{NEXT_YEAR}-12-18T13:00:00+00:00")
        # No zone sent, and times in UTC while Paris is at UTC+1: the instant is all that is known.
        assert made.timezone == "UTC"
        assert (made.place_name, made.locality, made.region) == (
            "Cour du Château des Ducs de Bretagne", "Nantes", "Pays de la Loire")
        assert made.tags == ["mobilizon", "federation", "activitypub", "party"]
        assert "<strong>participate</strong>" in made.description
        assert made.links[0] == {"type": "website", "url": event["id"], "label": ""}
        assert ImportedEvent.get().uid == event["id"]

    # Unchanged (same `updated`): skipped; changed later: updated, never a second event.
    again = ann.get(send_link(ann, app, event["id"]).location).get_data(as_text=True)
    assert "Already imported, and not changed since." in again
    site.documents[path] = dict(event, name="Mobilizon Launching Party (moved)", updated=f"{NEXT_YEAR}-01-01T00:00:00Z",
                                startTime=f"{NEXT_YEAR}-12-19T13:00:00Z", endTime=f"{NEXT_YEAR}-12-19T14:00:00Z")
    preview, done = preview_and_confirm(ann, app, event["id"])
    assert "Updated" in preview and "1 updated" in done
    with app.app_context():
        assert Event.select().count() == 1
        assert Event.get().title == "Mobilizon Launching Party (moved)"


def test_a_gancio_event_and_its_page(app, ann, site):  # noqa: F811
    event = captured("gancio-event-activity.json", site, "https://demo.gancio.org")["object"]
    site.documents[event["id"].removeprefix(site.url)] = event
    # Its page's address, answered with the event, leads to the event at its id.
    site.documents["/event/demo-event?from=share"] = event
    _preview, done = preview_and_confirm(ann, app, f"{site.url}/event/demo-event?from=share")
    assert "1 event created" in done
    with app.app_context():
        made = Event.get()
        # Gancio names no zone: +02:00 is Paris's then, so the event is in Paris.
        assert made.timezone == "Europe/Paris" and made.place_name == "Colosseo" and made.tags == ["test"]
        assert made.begins_on == datetime.fromisoformat(f"{NEXT_YEAR}-07-14T17:30:57+02:00")
        # Its page on Gancio is its link; its id, the UID.
        assert made.links[0]["url"] == f"{site.url}/event/demo-event"
        assert ImportedEvent.get().uid == event["id"]
        # Gancio's plain text, indented, stays text: no line of it becomes a code block.
        assert "<pre>" not in made.description and "Colosseo" in made.description


def test_links_that_are_no_event(app, ann, site):  # noqa: F811
    person = captured("external/mobilizon.org-user.json", site, "https://mobilizon.org", "https://mobilizon.local")
    site.documents[person["id"].removeprefix(site.url)] = person
    assert "leads to an ActivityPub Person, not to an event" in refused(ann, app, person["id"])
    # A document claiming another id than its address is taken only from that id: here a person's.
    site.documents["/events/liar"] = dict(person, type="Event", name="Liar", startTime=f"{NEXT_YEAR}-01-01T10:00:00Z")
    assert "not to an event" in refused(ann, app, f"{site.url}/events/liar")
    site.documents["/elsewhere"] = dict(person, id="https://other.example/e/1", type="Event", name="Liar")
    assert "carries the id" in refused(ann, app, f"{site.url}/elsewhere")
    # A series of this software's: its next date, said so.
    series = {"id": f"{site.url}/events/series", "type": "Event", "name": "Choir",
              "startTime": f"{NEXT_YEAR}-03-03T19:00:00+01:00", "timezone": "Europe/Paris",
              "repetition": {"rrule": "FREQ=WEEKLY", "exdates": [], "startTime": f"{NEXT_YEAR}-03-03T18:00:00Z"}}
    site.documents["/events/series"] = series
    preview = ann.get(send_link(ann, app, series["id"]).location).get_data(as_text=True)
    assert "Imported as a single event: its repetition is not read from a link." in preview

