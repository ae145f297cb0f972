"""The event page kept for each logged-in viewer (web/events.py show, page_cache.viewer_part): never stale
after a change, a switch of identity or the event's start, never shown to another viewer, each session's
forms holding its own CSRF token."""
import re
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite.models import Actor
from mobilizon_lite.page_cache import TOKEN
from mobilizon_lite.services import decisions, participation
from mobilizon_lite.services.identities import create_identity

from ..harness import wait_until
from ..helpers import event_fields, log_in, make_account, make_event, submit

# The join form's choice (the identity switcher above it writes its options otherwise).
SELECTED_RE = re.compile(r'<option selected value="(\d+)"')


@pytest.fixture
def clients(app):
    found = {}
    for name in ("ann", "bob", "cat"):
        make_account(app, f"{name}@example.org", name)
        found[name] = app.test_client()
        log_in(found[name], f"{name}@example.org")
    return found


def page(client, event):
    response = client.get(f"/events/{event.uuid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def identity(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def test_a_viewer_page_follows_every_change(app, clients):
    ann, bob = clients["ann"], clients["bob"]
    event = make_event(app, title="Toaster clinic")
    shown = page(bob, event)
    assert "0 participants" in shown and "Toaster clinic" in shown
    with app.app_context():
        participation.join(event, identity(app, "cat"))
    assert "1 participant" in page(bob, event)
    response = submit(ann, f"/events/{event.uuid}/edit", event_fields(title="Kettle clinic"))
    assert response.status_code == 302
    shown = page(bob, event)
    assert "Kettle clinic" in shown and "Toaster clinic" not in shown
    submit(bob, f"/events/{event.uuid}/join", {"identity": identity(app, "bob").id}, page=f"/events/{event.uuid}")
    shown = page(bob, event)
    assert "You take part as @bob." in shown and "2 participants" in shown


def test_viewers_never_get_each_others_page(app, clients):
    ann, bob, cat = clients["ann"], clients["bob"], clients["cat"]
    event = make_event(app, online_url="https://meet.example.org/secret-room", join_mode="restricted")
    with app.app_context():
        request = participation.join(event, identity(app, "bob"))
        decisions.approve(event, identity(app, "ann"), request.id)
    # In an order where a page kept for one would show in the next one's.
    pages = {name: page(client, event) for name, client in (("bob", bob), ("cat", cat), ("ann", ann))}
    assert "secret-room" in pages["bob"] and "You take part as @bob." in pages["bob"]
    assert "secret-room" not in pages["cat"] and "@bob" not in pages["cat"] and "Ask to join" in pages["cat"]
    assert "Participants" in pages["ann"] and "Participants" not in pages["cat"]
    assert all(TOKEN not in html for html in pages.values())


def test_each_session_writes_its_own_token_in_every_form(app, clients):
    event = make_event(app)
    again = app.test_client()
    log_in(again, "bob@example.org")
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page(client, event)))
              for client in (clients["bob"], again)]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    # The kept page's join form works for the second session.
    response = again.post(f"/events/{event.uuid}/join", data={"csrf_token": tokens[1].pop(),
                                                               "identity": identity(app, "bob").id})
    assert response.status_code == 302
    assert "You take part as @bob." in page(clients["bob"], event)


def test_switching_identity_changes_the_page(app, clients):
    bob = clients["bob"]
    event = make_event(app)
    with app.app_context():
        club = create_identity(identity(app, "bob").account, "bobsclub")
    assert SELECTED_RE.search(page(bob, event)).group(1) == str(identity(app, "bob").id)
    assert submit(bob, "/identities/switch", {"identity": club.id, "next": "/"}, page="/identities/").status_code == 302
    assert SELECTED_RE.search(page(bob, event)).group(1) == str(club.id)


def test_the_join_offer_ends_when_the_event_begins(app, clients):
    starts = datetime.now(UTC) + timedelta(seconds=3)
    event = make_event(app, title="Sunrise walk", timezone="UTC", start_date=starts.date(),
                       start_time=starts.time(), end_date=None, end_time=None)
    shown = page(clients["bob"], event)
    assert datetime.now(UTC) < starts, "the machine was too slow to see the event before it began"
    assert f'action="/events/{event.uuid}/join"' in shown
    wait_until(lambda: f'action="/events/{event.uuid}/join"' not in page(clients["bob"], event),
               timeout=15, interval=0.1)
    assert datetime.now(UTC) >= starts


def test_an_invitation_opens_the_join_form_at_once(app, clients):
    event = make_event(app, join_mode="invite")
    assert "Only people the organisers invited can join this event." in page(clients["bob"], event)
    with app.app_context():
        participation.invite(event, identity(app, "ann"), "bob")
    shown = page(clients["bob"], event)
    assert f'action="/events/{event.uuid}/join"' in shown
    assert "Only people the organisers invited can join this event." not in shown
