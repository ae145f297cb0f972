"""A link to an event on another instance of this software, imported through the import page of a second
one: fetched as ActivityPub, the event becomes ann's own there, with the times, zone and place it had;
imported again after a change, the same event is updated."""
import re
import time

import pytest

from ..helpers import EVENT_DAY, event_fields
from .live import create_event, identity_id, instant, one, post_form

pytestmark = pytest.mark.slow


def import_link(instance, session, link):
    """Preview then confirm importing link as the session's first identity: the done page."""
    owner = re.search(r'<option[^>]* value="(identity-\d+)"', session.get(instance.base + "/import").text).group(1)
    sent = post_form(instance, session, "/import", {"owner": owner, "link": link}, page="/import")
    assert sent.status_code == 302, sent.text[-3000:]
    preview = sent.headers["Location"]
    done = post_form(instance, session, preview, {}, page=preview)
    assert done.status_code == 200, done.text[-3000:]
    return done.text


def test_an_event_of_another_instance_imported_from_its_link(instances):
    a, b = instances
    ann, bob = a.session("ann@example.org"), b.session("bob@example.org")
    uuid = create_event(b, bob, title="Vélo-école", start_time="18:30", end_time="20:00", tags="vélo, école",
                        online_url="https://visio.example.org/velo")
    link = f"{b.base}/events/{uuid}"
    assert "1 event created" in import_link(a, ann, link)
    made = one(a, "SELECT e.id, e.title, e.timezone, e.begins_on, e.ends_on, e.locality, e.tags, e.links, "
                  "e.description, a.preferred_username AS organizer FROM event e JOIN actor a ON a.id = e.organizer_id "
                  "WHERE e.title = ?", "Vélo-école")
    source = one(b, "SELECT begins_on, ends_on FROM event WHERE uuid = ?", uuid)
    assert made["organizer"] == "ann" and made["timezone"] == "Europe/Paris" and made["locality"] == "Paris"
    assert (made["begins_on"], made["ends_on"]) == (source["begins_on"], source["ends_on"])
    assert instant(made["begins_on"]).strftime("%Y-%m-%d %H:%M") == f"{EVENT_DAY.isoformat()} 16:30"
    assert '"vélo"' in made["tags"] and link in made["links"] and "<strong>toaster</strong>" in made["description"]
    row = one(a, "SELECT uid, event_id FROM imported_event")
    assert row == {"uid": link, "event_id": made["id"]}

    # Changed on its own instance, imported again: the same event, changed. `updated` is written to the
    # second: an edit within the second of its creation would look unchanged.
    time.sleep(1.1)
    edit = post_form(b, bob, f"/events/{uuid}/edit", {**edit_fields(b, bob, uuid), "title": "Vélo-école (salle 2)"},
                     page=f"/events/{uuid}/edit")
    assert edit.status_code == 302, edit.text[-2000:]
    assert "1 updated" in import_link(a, ann, link)
    assert one(a, "SELECT COUNT(*) AS n FROM event")["n"] == 1
    assert one(a, "SELECT title FROM event")["title"] == "Vélo-école (salle 2)"


def edit_fields(instance, session, uuid):
    """The fields of the event's edit form as they stand."""
    return event_fields(identity=identity_id(instance, session), title="Vélo-école", start_time="18:30",
                        end_time="20:00", tags="vélo, école", online_url="https://visio.example.org/velo")
