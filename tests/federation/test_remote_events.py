"""Events received from other servers: Mobilizon, Gancio and mobilizon_lite documents, owner-only changes."""
import json

import pytest

from mobilizon_lite.activitypub.convert.event import event_from_ap
from mobilizon_lite.models import Actor, Event
from mobilizon_lite.models.events import CATEGORIES
from mobilizon_lite.services.event_input import LANGUAGES

from .captured import FIXTURES, needs_fixtures
from .remote import ACTOR, EVENT_ID, REMOTE, remote_event, send, stored


def test_remote_event_is_stored_shown_and_only_its_owner_changes_it(fed, remote_keys):
    (private, _public), (other_private, _other_public) = remote_keys
    assert send(fed, private, "Create", remote_event(), 1).status_code == 202
    [event] = stored(fed)
    assert event.title == "Fête de quartier" and event.timezone == "Europe/Paris"
    assert event.begins_on.hour == 16 and "<script" not in event.description
    assert event.street == "12 rue X, Lyon" and event.tags == ["fete"] and event.visibility == "public"
    home = fed.test_client().get("/").get_data(as_text=True)
    assert "Fête de quartier" in home and "on remote.example" in home
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event comes from remote.example." in page and f'href="{EVENT_ID}"' in page
    # Its ActivityStreams document is its own server's to give.
    response = fed.test_client().get(f"/events/{event.uuid}", headers={"Accept": "application/activity+json"})
    assert response.status_code == 302 and response.headers["Location"] == EVENT_ID
    # Someone else on the same server may neither change nor delete it.
    send(fed, other_private, "Update", remote_event(name="Hijacked"), 2, actor=f"{REMOTE}/users/mallory")
    send(fed, other_private, "Delete", EVENT_ID, 3, actor=f"{REMOTE}/users/mallory")
    assert [e.title for e in stored(fed)] == ["Fête de quartier"]
    # Its organiser may.
    send(fed, private, "Update", remote_event(name="Fête de quartier (moved)", **{"ical:status": "CANCELLED"}), 4)
    [event] = stored(fed)
    assert event.title == "Fête de quartier (moved)" and event.status == "cancelled" and event.sequence == 1
    send(fed, private, "Delete", {"type": "Tombstone", "id": EVENT_ID}, 5)
    assert stored(fed) == []
    # A late Create of the deleted event is ignored; published again (changed since), it is back.
    send(fed, private, "Create", remote_event(updated="2026-01-01T00:00:00Z"), 6)
    assert stored(fed) == []
    send(fed, private, "Create", remote_event(updated="2099-01-01T00:00:00Z"), 7)
    assert [e.title for e in stored(fed)] == ["Fête de quartier"]


def test_unlisted_and_private_remote_events_are_not_listed(fed, remote_keys):
    (private, _public), _other = remote_keys
    send(fed, private, "Create", remote_event(to=[f"{ACTOR}/followers"], cc=["as:Public"]), 1)
    # Without the Public anywhere (followers or participants only), only those who take part see it.
    send(fed, private, "Create", remote_event(id=f"{REMOTE}/events/2", to=[f"{ACTOR}/followers"], cc=[]), 2)
    assert [event.visibility for event in stored(fed)] == ["unlisted", "private"]
    client = fed.test_client()
    assert "Fête de quartier" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/events/{stored(fed)[0].uuid}").status_code == 200
    assert client.get(f"/events/{stored(fed)[1].uuid}").status_code == 404


@needs_fixtures
@pytest.mark.parametrize("path", ["gancio-event-activity.json", "external/mobilizon.org-event.json",
                                  "mobilizon-post-activity.json"])
def test_fixture_events_are_read(path):
    document = json.loads((FIXTURES / path).read_text())
    document = document.get("object", document)
    values = event_from_ap(document, CATEGORIES, LANGUAGES)
    assert values["title"] and values["begins_on"].tzinfo is not None
    assert values["visibility"] == "public"


def test_gancio_times_keep_their_offset_without_a_zone():
    values = event_from_ap({"name": "x", "startTime": "2021-07-14T17:30:57+02:00"}, CATEGORIES, LANGUAGES)
    assert values["timezone"] == "Etc/GMT-2" and values["begins_on"].hour == 15


@pytest.mark.parametrize("document", [{}, {"name": "x"}, {"name": "x", "startTime": "soon"},
                                      {"name": "", "startTime": "2027-01-01T10:00:00Z"}])
def test_unusable_events_are_refused(document):
    with pytest.raises(ValueError):
        event_from_ap(document, CATEGORIES, LANGUAGES)


def test_odd_field_types_are_tolerated():
    values = event_from_ap({"name": "x", "startTime": "2027-01-01T10:00:00Z", "location": ["not", "a", "place"],
                            "attachment": "nope", "tag": {"type": "Hashtag", "name": "#solo"},
                            "maximumAttendeeCapacity": "lots", "category": None, "status": 7,
                            "timezone": "America", "participantCount": True}, CATEGORIES, LANGUAGES)
    assert values["tags"] == ["solo"] and values["capacity"] is None and values["category"] == "MEETING"
    assert values["status"] == "confirmed" and values["timezone"] == "UTC"  # "America" is a folder of zones
    assert values["remote_participant_count"] is None  # true is no number
    assert event_from_ap({"name": "x", "startTime": "2027-01-01T10:00:00Z", "timezone": "Europe/" * 500,
                          "maximumAttendeeCapacity": True}, CATEGORIES, LANGUAGES)["capacity"] is None


def test_home_filters_local_or_all(fed, remote_keys):
    from ..helpers import make_event

    (private, _public), _other = remote_keys
    send(fed, private, "Create", remote_event(), 1)
    make_event(fed, title="Repair café here")
    client = fed.test_client()
    everything = client.get("/").get_data(as_text=True)
    assert "Fête de quartier" in everything and "Repair café here" in everything
    local = client.get("/?scope=local").get_data(as_text=True)
    assert "Fête de quartier" not in local and "Repair café here" in local


def test_mobilizon_fallbacks():
    values = event_from_ap({"name": "x", "startTime": "2027-01-01T10:00:00Z", "location": "Salle des fêtes, Lyon",
                            "to": ["Public"], "ical:status": "TENTATIVE"}, CATEGORIES, LANGUAGES)
    # A bare string for a place, the Public in its shortest spelling, no joinMode, status only as ical:status.
    assert values["place_name"] == "Salle des fêtes, Lyon" and values["visibility"] == "public"
    assert values["join_mode"] == "free" and values["status"] == "tentative"


def test_a_groups_event_is_the_groups_and_its_servers_moderators_change_it(fed, remote_keys):
    (private, _public), (other_private, _other_public) = remote_keys
    group = f"{REMOTE}/@club"
    with fed.app_context():
        Actor.create(type="Group", preferred_username="club", domain="remote.example", ap_id=group)
    send(fed, private, "Create", remote_event(attributedTo=group), 1)
    [event] = stored(fed)
    with fed.app_context():
        assert Event.get_by_id(event.id).attributed_to.ap_id == group
    # Another member of the group (on its server) edits the group's event, as Mobilizon's moderators do.
    send(fed, other_private, "Update", remote_event(name="Fête (moved)", attributedTo=group), 2,
         actor=f"{REMOTE}/users/mallory")
    with fed.app_context():
        [event] = Event.select()
        assert event.title == "Fête (moved)" and event.organizer.ap_id == ACTOR
    # Saying it belongs to a group is not enough to change someone's own event.
    send(fed, private, "Create", remote_event(id=f"{REMOTE}/events/2", name="Alice's own"), 3)
    send(fed, other_private, "Update", remote_event(id=f"{REMOTE}/events/2", name="Hijacked", attributedTo=group), 4,
         actor=f"{REMOTE}/users/mallory")
    assert sorted(e.title for e in stored(fed)) == ["Alice's own", "Fête (moved)"]
