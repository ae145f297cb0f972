"""What stays private: pages made for a logged-in person are never cached, a restricted event's
online address reaches only its participants, and comments say which identity posts them."""
import re

import pytest

from mobilizon_lite.models import Actor, Comment, Event, Participation
from mobilizon_lite.services import decisions, event_access, events, participation
from mobilizon_lite.services.identities import create_identity

from ..helpers import log_in, make_account, make_event, service_fields, submit

PRIVATE_PAGES = ("/my-events", "/settings/", "/settings/password", "/settings/feeds", "/identities/",
                 "/identities/new", "/admin/", "/admin/instances/", "/events/new", "/")


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


SECRET = "https://meet.example/room-4412"
VISIO = "https://visio.example/breakout-77"
WEBSITE = "https://union.example/strike"


@pytest.fixture
def restricted(app):
    return restricted_event(app)


def restricted_event(app):
    """A restricted event of ann's with an online address; bob waits for approval, cat is approved."""
    for name in ("ann", "bob", "cat"):
        make_account(app, f"{name}@example.org", name)
    event = make_event(app, join_mode="restricted", online_url=SECRET,
                       links=[{"type": "visio", "url": VISIO, "label": "Breakout room"},
                              {"type": "website", "url": WEBSITE, "label": "Union site"}])
    with app.app_context():
        ann, bob, cat = (Actor.get(Actor.preferred_username == name) for name in ("ann", "bob", "cat"))
        participation.join(event, bob, "")
        waiting = participation.join(event, cat, "")
        decisions.approve(event, ann, waiting.id)
    return event


def page_for(app, event, email=None):
    client = app.test_client()
    if email:
        log_in(client, email)
    return client.get(f"/events/{event.uuid}").get_data(as_text=True)


def test_the_online_address_of_a_restricted_event_is_shown_only_to_those_taking_part(app, restricted):
    for email in (None, "bob@example.org"):
        page = page_for(app, restricted, email)
        assert SECRET not in page and VISIO not in page and WEBSITE in page, email
        assert "once their participation is accepted" in page
    for email in ("cat@example.org", "ann@example.org"):
        page = page_for(app, restricted, email)
        assert SECRET in page and VISIO in page and WEBSITE in page, email
    # Its document, served to anyone who asks unsigned, keeps the video call out too.
    document = app.test_client().get(f"/events/{restricted.uuid}", headers={"Accept": "application/activity+json"})
    assert VISIO not in document.get_data(as_text=True) and WEBSITE in document.get_data(as_text=True)


def test_the_online_address_of_an_event_anyone_may_join_is_shown_to_everyone(app):
    make_account(app)
    event = make_event(app, online_url=SECRET)
    assert SECRET in page_for(app, event)


def test_the_visibility_rule_reads_actors_accounts_participations_and_nobody(app, restricted):
    with app.app_context():
        actors = {a.preferred_username: a for a in Actor.select()}
        assert not event_access.may_see_online_address(restricted, None)
        assert not event_access.may_see_online_address(restricted, actors["bob"])
        assert not event_access.may_see_online_address(restricted, actors["bob"].account)
        assert event_access.may_see_online_address(restricted, actors["cat"])
        assert event_access.may_see_online_address(restricted, actors["cat"].account)
        assert event_access.may_see_online_address(restricted, actors["ann"].account)
        rows = {p.actor.preferred_username: p for p in Participation.select().where(
            Participation.event == restricted.id)}
        assert event_access.may_see_online_address(restricted, rows["cat"])
        assert not event_access.may_see_online_address(restricted, rows["bob"])


def test_emails_carry_the_online_address_only_to_those_taking_part(mail_app, smtp):
    event = restricted_event(mail_app)
    # Two requests told to ann, then cat's approval.
    approved = smtp.wait_for(3)[2]
    assert approved["To"] == "cat@example.org" and SECRET in approved.get_content()
    with mail_app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        events.update_event(Event.get_by_id(event.id), ann,
                            service_fields(join_mode="restricted", online_url=SECRET + "-b"))
    changed = {m["To"]: m.get_content() for m in smtp.wait_for(5)[3:]}
    assert set(changed) == {"bob@example.org", "cat@example.org"}
    assert SECRET + "-b" in changed["cat@example.org"]
    assert SECRET not in changed["bob@example.org"]
