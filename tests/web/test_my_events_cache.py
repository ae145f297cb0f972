"""My events' lists kept for their viewer (page_cache.viewer_part): never stale after a join, a leave, a
new or renamed event, a past page or another language, and never shown to anyone else."""
import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import events, participation

from ..helpers import EVENT_DAY, log_in, make_account, make_event, service_fields, submit


@pytest.fixture
def clients(app):
    found = {}
    for name in ("ann", "bob"):
        make_account(app, f"{name}@example.org", name)
        found[name] = app.test_client()
        log_in(found[name], f"{name}@example.org")
    return found


def my_events(client, query=""):
    response = client.get("/my-events" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def join(app, event, username):
    with app.app_context():
        participation.join(event, Actor.get(Actor.preferred_username == username))


def test_the_lists_follow_every_change_at_once(app, clients):
    ann, bob = clients["ann"], clients["bob"]
    assert "You organise no event." in my_events(ann)
    event = make_event(app, title="Toaster clinic")
    assert "Toaster clinic" in my_events(ann)
    assert "You take part in no event." in my_events(bob)
    join(app, event, "bob")
    assert "Toaster clinic" in my_events(bob)
    with app.app_context():
        events.update_event(Event.get_by_id(event.id), Actor.get(Actor.preferred_username == "ann"),
                            service_fields(title="Kettle clinic"))
    for client in (ann, bob):
        shown = my_events(client)
        assert "Kettle clinic" in shown and "Toaster clinic" not in shown
    submit(bob, f"/events/{event.uuid}/leave", {"identity": identity_id(app, "bob")}, page=f"/events/{event.uuid}")
    assert "You take part in no event." in my_events(bob)


def test_each_viewer_sees_only_their_own_lists(app, clients):
    ann, bob = clients["ann"], clients["bob"]
    make_event(app, title="Ann's private workshop", visibility="private")
    assert "Ann&#39;s private workshop" in my_events(ann)
    # Bob asks the same path in the same language right after: he gets his own lists.
    shown = my_events(bob)
    assert "private workshop" not in shown and "You organise no event." in shown
    assert "private workshop" in my_events(ann)


def test_past_pages_and_languages_are_kept_apart(app, clients):
    ann = clients["ann"]
    make_event(app, title="Toaster clinic")
    assert "Toaster clinic" in my_events(ann)
    assert "Toaster clinic" not in my_events(ann, "?past=1")
    assert "You organise no event." in my_events(ann, "?past=1")
    submit(ann, "/settings/", {"locale": "fr"}, page="/settings/")
    french = my_events(ann)
    assert "J’organise" in french and "I organise" not in french
    submit(ann, "/settings/", {"locale": "en"}, page="/settings/")
    assert "I organise" in my_events(ann)


def identity_id(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username).id


def test_a_busy_organiser_pages_through_her_events_in_time_order(app, clients):
    # Thirty events of forty on the instance: the lists walk the events in time order (my_events' dense
    # reading), and read the same as the participations' side would.
    from datetime import timedelta
    days = [EVENT_DAY + timedelta(days=(7 * number) % 30) for number in range(30)]
    made = [make_event(app, title=f"Session {number:02d}", start_date=day) for number, day in enumerate(days)]
    for number in range(10):
        make_event(app, organizer_username="bob", title=f"Bob's {number}", start_date=EVENT_DAY + timedelta(days=4))
    join(app, made[0], "bob")
    first, second = my_events(clients["ann"]), my_events(clients["ann"], "?page=2")
    order = sorted(range(30), key=lambda number: (days[number], number))
    titles = [f"Session {number:02d}" for number in order]
    assert [title for title in titles if title in first] == titles[:25]
    assert [title for title in titles if title in second] == titles[25:]
    assert positions(first, titles[:25]) == sorted(positions(first, titles[:25]))
    assert "Bob&#39;s" not in first and "Session 00" in my_events(clients["bob"])


def positions(html, titles):
    return [html.index(title) for title in titles]
