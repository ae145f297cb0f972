"""An event's online address (video call, stream) is in the calendar entry, but only in feeds read
by people allowed to see it: anyone for a public event open to all, else organisers and accepted
participants."""
import feedparser
import icalendar
import pytest

from mobilizon_lite.models import Actor
from mobilizon_lite.services import decisions, participation, subscriptions

from ..helpers import log_in, make_account, make_event

OPEN_CALL = "https://meet.example.org/open-call"
CLOSED_CALL = "https://meet.example.org/closed-workshop"
NO_PLACE = {"place_name": "", "locality": "", "country": ""}


@pytest.fixture
def instance(app):
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    open_event = make_event(app, title="Open call", online_url=OPEN_CALL, **NO_PLACE)
    closed = make_event(app, title="Closed workshop", join_mode="restricted", online_url=CLOSED_CALL)
    with app.app_context():
        ann, bob = (Actor.get(Actor.preferred_username == name) for name in ("ann", "bob"))
        participation.join(closed, bob)
        tokens = {name: subscriptions.token_text(subscriptions.issue_token(actor.account))
                  for name, actor in (("ann", ann), ("bob", bob))}
    return open_event, closed, tokens


def entries(body):
    return {str(event["SUMMARY"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def approve_bob(app, event):
    with app.app_context():
        bob = Actor.get(Actor.preferred_username == "bob")
        pid = participation.participation_of(event, bob).id
        decisions.approve(event, Actor.get(Actor.preferred_username == "ann"), pid)


def test_public_feeds_show_the_online_address_of_open_events_only(app, instance):
    open_event, _closed, _tokens = instance
    client = app.test_client()
    for url in ("/@ann/feed/ics", "/feed/instance/ics", f"/events/{open_event.uuid}/export/ics"):
        body = client.get(url).data
        assert CLOSED_CALL.encode() not in body, url
        vevent = entries(body)["Open call"]
        assert str(vevent["LOCATION"]) == OPEN_CALL  # no place: the call is where it happens
        assert OPEN_CALL in str(vevent["DESCRIPTION"])
        assert str(vevent["URL"]) == f"http://events.test/events/{open_event.uuid}"
        assert str(vevent["DESCRIPTION"]).endswith(str(vevent["URL"]))
    for url in ("/@ann/feed/atom", "/feed/instance/atom"):
        body = client.get(url).data
        assert CLOSED_CALL.encode() not in body, url
        content = {entry.title: entry.content[0].value for entry in feedparser.parse(body).entries}
        assert OPEN_CALL in content["Open call"], url


def test_private_feed_shows_it_to_accepted_participants_and_organisers(app, instance):
    _open_event, closed, tokens = instance
    client = app.test_client()
    bob_ics, bob_atom = (f"/events/going/{tokens['bob']}/{kind}" for kind in ("ics", "atom"))
    # Awaiting approval: the entry is there (tentative), the address is not.
    body = client.get(bob_ics).data
    assert str(entries(body)["Closed workshop"]["STATUS"]) == "TENTATIVE"
    assert CLOSED_CALL.encode() not in body and CLOSED_CALL.encode() not in client.get(bob_atom).data
    approve_bob(app, closed)
    vevent = entries(client.get(bob_ics).data)["Closed workshop"]
    assert CLOSED_CALL in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]).startswith("Maison des associations")  # the place stays the location
    assert CLOSED_CALL in client.get(bob_atom).get_data(as_text=True)
    # The organiser's own feed shows it too; the public feeds still do not.
    organiser_feed = entries(client.get(f"/events/going/{tokens['ann']}/ics").data)
    assert CLOSED_CALL in str(organiser_feed["Closed workshop"]["DESCRIPTION"])
    assert CLOSED_CALL.encode() not in client.get("/feed/instance/ics").data


def test_event_file_shows_it_to_a_logged_in_accepted_participant_only(app, instance):
    _open_event, closed, _tokens = instance
    url = f"/events/{closed.uuid}/export/ics"
    anonymous, bob = app.test_client(), app.test_client()
    log_in(bob, "bob@example.org")
    assert CLOSED_CALL.encode() not in anonymous.get(url).data
    assert CLOSED_CALL.encode() not in bob.get(url).data
    approve_bob(app, closed)
    response = bob.get(url)
    assert CLOSED_CALL in str(entries(response.data)["Closed workshop"]["DESCRIPTION"])
    assert response.headers["Cache-Control"] == "private, no-cache"
    # What one participant downloaded is never served to another reader from the feed cache.
    assert CLOSED_CALL.encode() not in anonymous.get(url).data
