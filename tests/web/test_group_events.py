"""Events organised as a group: who may create, edit and decide, who is emailed, who sees them."""
import icalendar
import pytest

from mobilizon_lite.models import Account, Actor, Event, Participation
from mobilizon_lite.models.groups import Role
from mobilizon_lite.models.participation import NOT_APPROVED, PARTICIPANT
from mobilizon_lite.services import accounts, participation, subscriptions
from mobilizon_lite.services.groups import new_member_row
from mobilizon_lite.services.identities import create_identity

from ..helpers import errors, event_fields, log_in, make_account, make_event, make_group, submit

AP_ACCEPT = {"Accept": "application/activity+json"}


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def join_group(app, group, username, role):
    with app.app_context():
        new_member_row(group, Actor.get(Actor.preferred_username == username), role)


def client_of(app, email):
    client = app.test_client()
    log_in(client, email)
    return client


def people(app):
    """ann administers @club, bob moderates it, dan is a plain member, eve is not in it."""
    for name in ("ann", "bob", "dan", "eve"):
        make_account(app, f"{name}@example.org", name)
    club = make_group(app, "club", "ann", name="Repair club")
    join_group(app, club, "bob", Role.MODERATOR)
    join_group(app, club, "dan", Role.MEMBER)
    return club


@pytest.fixture
def club(app):
    return people(app)


def test_moderator_creates_as_the_group_acting_as_its_member_identity(app, club):
    # bob's second identity is not in the group: the event still names the one that is.
    with app.app_context():
        create_identity(Account.get(Account.email == "bob@example.org"), "bobby")
    bob = client_of(app, "bob@example.org")
    page = bob.get("/events/new").get_data(as_text=True)
    assert "Organise as" in page and "The group Repair club (@club), as @bob" in page
    response = submit(bob, "/events/new", event_fields(identity=str(actor(app, "bobby").id), group=str(club.id)))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        event = Event.get(Event.title == "Repair café")
        assert event.attributed_to_id == club.id
        assert event.organizer.preferred_username == "bob"


def test_member_is_not_offered_the_group_and_a_forged_choice_is_refused(app, club):
    dan = client_of(app, "dan@example.org")
    assert "Organise as" not in dan.get("/events/new").get_data(as_text=True)
    response = submit(dan, "/events/new", event_fields(identity=str(actor(app, "dan").id), group=str(club.id)))
    assert response.status_code == 400 and errors(response)
    with app.app_context():
        assert not Event.select().exists()


def test_another_moderator_edits_and_approves_a_members_request(app, club):
    event = make_event(app, "ann", group=club, join_mode="restricted")
    with app.app_context():
        request = participation.join(event, Actor.get(Actor.preferred_username == "eve"))
    bob = client_of(app, "bob@example.org")
    assert "/participants" in bob.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert bob.get(f"/events/{event.uuid}/participants").status_code == 200
    response = submit(bob, f"/events/{event.uuid}/participants/{request.id}/approve", {},
                      page=f"/events/{event.uuid}/participants")
    assert response.status_code == 302
    response = submit(bob, f"/events/{event.uuid}/edit", event_fields(title="Repair café, by the club"))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        assert Participation.get_by_id(request.id).role == PARTICIPANT
        assert Event.get_by_id(event.id).title == "Repair café, by the club"
    # A plain member organises nothing.
    dan = client_of(app, "dan@example.org")
    assert dan.get(f"/events/{event.uuid}/participants").status_code == 403
    assert dan.get(f"/events/{event.uuid}/edit").status_code == 403
    assert submit(dan, f"/events/{event.uuid}/delete", {}, page=f"/events/{event.uuid}").status_code == 403


def test_requests_are_emailed_to_the_groups_moderators_in_their_language(mail_app, smtp):
    club = people(mail_app)
    with mail_app.app_context():
        accounts.set_locale(Account.get(Account.email == "bob@example.org"), "fr")
    event = make_event(mail_app, "ann", group=club, join_mode="restricted")
    with mail_app.app_context():
        participation.join(event, Actor.get(Actor.preferred_username == "eve"))
    messages = {message["To"]: message for message in smtp.wait_for(2)}
    assert set(messages) == {"ann@example.org", "bob@example.org"}
    assert "Repair café" in messages["ann@example.org"]["Subject"]
    assert "Nouvelle demande" in messages["bob@example.org"]["Subject"]
    assert f"/events/{event.uuid}/participants" in messages["bob@example.org"].get_content()


def test_private_group_event_is_seen_by_members_only(app, club):
    event = make_event(app, "ann", group=club, visibility="private", title="Members evening")
    dan, eve, visitor = client_of(app, "dan@example.org"), client_of(app, "eve@example.org"), app.test_client()
    assert dan.get(f"/events/{event.uuid}").status_code == 200
    assert "Members evening" in dan.get("/@club/events").get_data(as_text=True)
    for client in (eve, visitor):
        assert client.get(f"/events/{event.uuid}").status_code == 404
        assert client.get(f"/events/{event.uuid}", headers=AP_ACCEPT).status_code == 404
        assert client.get(f"/events/{event.uuid}/export/ics").status_code == 404
        assert "Members evening" not in client.get("/@club/events").get_data(as_text=True)
    collection = visitor.get("/@club/events?page=1", headers=AP_ACCEPT).get_json()
    assert collection["totalItems"] == 0 and collection["orderedItems"] == []


def test_unlisted_group_event_opens_by_link_but_is_not_listed(app, club):
    event = make_event(app, "ann", group=club, visibility="unlisted", title="By link")
    visitor = app.test_client()
    assert visitor.get(f"/events/{event.uuid}").status_code == 200
    assert "By link" not in visitor.get("/@club/events").get_data(as_text=True)


def test_event_page_names_the_group_and_the_member_who_created_it(app, club):
    event = make_event(app, "bob", group=club)
    page = app.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert 'href="/@club">Repair club</a>' in page and "Organised by the group" in page
    assert 'created by <a href="/@bob">' in page


def test_event_document_is_attributed_to_the_group(app, club):
    event = make_event(app, "bob", group=club)
    document = app.test_client().get(f"/events/{event.uuid}", headers=AP_ACCEPT).get_json()
    assert document["attributedTo"] == club.ap_id
    assert document["actor"] == actor(app, "bob").ap_id


def test_group_events_page_and_collection(app, club):
    make_event(app, "ann", group=club, title="Club meeting")
    make_event(app, "ann", title="Own event of ann")
    visitor = app.test_client()
    page = visitor.get("/@club/events").get_data(as_text=True)
    assert "Club meeting" in page and "Own event of ann" not in page
    assert "Club meeting" not in visitor.get("/@club/events?past=1").get_data(as_text=True)
    root = visitor.get("/@club/events", headers=AP_ACCEPT).get_json()
    assert root["type"] == "OrderedCollection" and root["totalItems"] == 1
    first = visitor.get(root["first"].removeprefix("http://events.test"), headers=AP_ACCEPT).get_json()
    assert [item["name"] for item in first["orderedItems"]] == ["Club meeting"]
    assert first["orderedItems"][0]["attributedTo"] == club.ap_id
    assert visitor.get("/@nobody/events").status_code == 404


def test_private_feed_holds_the_events_of_my_groups(app, club):
    make_event(app, "ann", group=club, visibility="private", title="Members evening", join_mode="restricted")
    make_event(app, "ann", title="Not a club event")
    with app.app_context():
        dan = Actor.get(Actor.preferred_username == "dan")
        token = subscriptions.token_text(subscriptions.issue_token(dan.account))
    response = app.test_client().get(f"/events/going/{token}/ics")
    [vevent] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Members evening"
    # dan belongs to the group: the event is not his pending request.
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_a_member_waiting_for_approval_sees_the_event_tentative(app, club):
    event = make_event(app, "ann", group=club, title="Workshop", join_mode="restricted")
    with app.app_context():
        dan = Actor.get(Actor.preferred_username == "dan")
        assert participation.join(event, dan).role == NOT_APPROVED
        token = subscriptions.token_text(subscriptions.issue_token(dan.account))
    [vevent] = icalendar.Calendar.from_ical(app.test_client().get(f"/events/going/{token}/ics").data).walk("VEVENT")
    assert str(vevent["STATUS"]) == "TENTATIVE"


def test_online_address_of_a_restricted_group_event_is_for_its_moderators(app, club):
    event = make_event(app, "ann", group=club, join_mode="restricted", online_url="https://meet.example/club")
    bob, dan = client_of(app, "bob@example.org"), client_of(app, "dan@example.org")
    assert "https://meet.example/club" in bob.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "https://meet.example/club" not in dan.get(f"/events/{event.uuid}").get_data(as_text=True)
