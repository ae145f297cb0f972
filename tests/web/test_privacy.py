"""What stays private: pages made for a logged-in person are never cached, a restricted event's
online address reaches only its participants, and comments say which identity posts them."""
import re

import pytest

from mobilizon_lite.models import Actor, Comment
from mobilizon_lite.services.identities import create_identity

from ..helpers import errors, log_in, make_account, make_event, submit

PRIVATE_PAGES = ("/my-events", "/settings/", "/settings/password", "/settings/feeds", "/identities/",
                 "/identities/new", "/admin/", "/admin/deliveries", "/events/new", "/")


def test_pages_of_a_logged_in_person_are_never_stored(app, client):
    make_account(app, admin=True)
    event = make_event(app)
    log_in(client)
    for url in PRIVATE_PAGES + (f"/events/{event.uuid}/participants", f"/events/{event.uuid}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_pages_reached_by_a_secret_link_are_never_stored(client):
    response = client.get("/password/reset/some-token")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_for_visitors_may_be_cached(app, client):
    make_account(app)
    event = make_event(app)
    for url in ("/", f"/events/{event.uuid}", "/@ann"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", ""), url


SELECTED_RE = re.compile(r'class="comment-form".*?<select[^>]*name="identity"[^>]*>.*?<option selected value="(\d+)"',
                         re.S)
REPLY_IDENTITY_RE = re.compile(r'name="in_reply_to"[^>]*>\s*<input type="hidden" name="identity" value="(\d+)"')


@pytest.fixture
def two_masks(app):
    """Ann's account with a second identity, committee, that organises an event."""
    account = make_account(app)
    with app.app_context():
        committee = create_identity(account, "committee")
    return make_event(app, organizer_username="committee"), committee


def test_comments_on_your_own_event_default_to_the_organiser_identity(app, client, two_masks):
    event, committee = two_masks
    log_in(client)  # acting as ann, the first identity
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Post as" in page
    assert SELECTED_RE.search(page).group(1) == str(committee.id)
    response = submit(client, f"/events/{event.uuid}/comments",
                      {"text": "Doors open at six.", "identity": SELECTED_RE.search(page).group(1)},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 302
    # A form posted without the choice posts as the organiser too, never as the other mask.
    submit(client, f"/events/{event.uuid}/comments", {"text": "See you!"}, page=f"/events/{event.uuid}")
    with app.app_context():
        assert [c.actor.preferred_username for c in Comment.select().order_by(Comment.id)] == [
            "committee", "committee"]
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert set(REPLY_IDENTITY_RE.findall(page)) == {str(committee.id)}
    assert "Reply as @committee" in page


def test_the_commenter_chooses_another_identity_explicitly(app, client, two_masks):
    event, _committee = two_masks
    log_in(client)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    response = submit(client, f"/events/{event.uuid}/comments", {"text": "Me too.", "identity": str(ann.id)},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 302
    with app.app_context():
        assert Comment.get().actor_id == ann.id


def test_comments_on_other_events_default_to_the_current_identity(app, client, two_masks):
    make_account(app, "bob@example.org", "bob")
    event = make_event(app, organizer_username="bob")
    log_in(client)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    page = client.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert SELECTED_RE.search(page).group(1) == str(ann.id)
