"""Joining events: join modes, capacity, approval by email, invitations, leaving, the organisers' page."""
import csv
import io

import pytest

from mobilizon_lite.models import Actor, Event, Participation
from mobilizon_lite.models.limits import MESSAGE_MAX
from mobilizon_lite.services import participation
from mobilizon_lite.services.errors import Invalid

from ..helpers import log_in, make_account, make_event, submit


@pytest.fixture
def people(mail_app):
    """ann organises; bob and cat are other people, each logged in."""
    clients = {}
    for name in ("ann", "bob", "cat"):
        make_account(mail_app, f"{name}@example.org", name)
        clients[name] = mail_app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return clients


def identity_id(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username).id


def join(app, client, event, username, message=""):
    return submit(client, f"/events/{event.uuid}/join",
                  {"identity": identity_id(app, username), "message": message}, page=f"/events/{event.uuid}")


def roles(app, event):
    with app.app_context():
        return {
            (p.actor.preferred_username if p.actor_id else p.email): p.role
            for p in Participation.select().where(Participation.event == event.id)
        }


def test_free_event_join_and_leave(mail_app, people):
    event = make_event(mail_app)
    response = join(mail_app, people["bob"], event, "bob", "Coming with a toaster")
    assert response.status_code == 302
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant"}
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "You take part as @bob." in page and "1 participant" in page
    assert join(mail_app, people["bob"], event, "bob").status_code == 400
    response = submit(people["bob"], f"/events/{event.uuid}/leave", {"identity": identity_id(mail_app, "bob")},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 302
    assert roles(mail_app, event) == {"ann": "creator"}


def test_restricted_event_needs_approval_and_emails_both_sides(mail_app, people, smtp):
    event = make_event(mail_app, join_mode="restricted")
    join(mail_app, people["bob"], event, "bob", "Please let me in")
    assert roles(mail_app, event)["bob"] == "not_approved"
    [request] = smtp.wait_for(1)
    assert request["To"] == "ann@example.org" and "bob" in request.get_content()

    page = people["ann"].get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert "Please let me in" in page and "awaiting approval" in page
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == identity_id(mail_app, "bob")).id
    response = submit(people["ann"], f"/events/{event.uuid}/participants/{pid}/approve", {},
                      page=f"/events/{event.uuid}/participants")
    assert response.status_code == 302
    assert roles(mail_app, event)["bob"] == "participant"
    approved = smtp.wait_for(2)[1]
    assert approved["To"] == "bob@example.org" and "approved" in approved.get_content()

    submit(people["ann"], f"/events/{event.uuid}/participants/{pid}/reject", {}, page="/")
    assert roles(mail_app, event)["bob"] == "rejected"
    assert smtp.wait_for(3)[2]["To"] == "bob@example.org"
    # A rejected person cannot simply join again.
    assert join(mail_app, people["bob"], event, "bob").status_code == 403


def test_capacity_is_never_exceeded(mail_app, people):
    event = make_event(mail_app, capacity=1)
    assert join(mail_app, people["bob"], event, "bob").status_code == 302
    response = join(mail_app, people["cat"], event, "cat")
    assert response.status_code == 302
    assert "This event is full." in people["cat"].get(response.headers["Location"]).get_data(as_text=True)
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant"}


def test_a_too_long_message_is_reported_before_the_event_is_full(mail_app, people):
    event = make_event(mail_app, capacity=1)
    assert join(mail_app, people["bob"], event, "bob").status_code == 302
    with mail_app.app_context():
        cat = Actor.get(Actor.preferred_username == "cat")
        with pytest.raises(Invalid) as refused:
            participation.join(Event.get_by_id(event.id), cat, "x" * (MESSAGE_MAX + 1))
    assert refused.value.field == "message"
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant"}


def test_approval_respects_capacity(mail_app, people):
    event = make_event(mail_app, capacity=1, join_mode="restricted")
    join(mail_app, people["bob"], event, "bob")
    join(mail_app, people["cat"], event, "cat")
    with mail_app.app_context():
        bob_pid, cat_pid = (Participation.get(Participation.actor == identity_id(mail_app, n)).id
                            for n in ("bob", "cat"))
    base = f"/events/{event.uuid}/participants"
    assert submit(people["ann"], f"{base}/{bob_pid}/approve", {}, page=base).status_code == 302
    response = submit(people["ann"], f"{base}/{cat_pid}/approve", {}, page=base)
    assert response.status_code == 302
    assert roles(mail_app, event)["cat"] == "not_approved"


def test_invite_only_event(mail_app, people, smtp):
    event = make_event(mail_app, join_mode="invite")
    assert join(mail_app, people["bob"], event, "bob").status_code == 403
    base = f"/events/{event.uuid}/participants"
    response = submit(people["ann"], f"/events/{event.uuid}/invite", {"username": "@bob"}, page=base)
    assert response.status_code == 302
    assert smtp.wait_for(1)[0]["To"] == "bob@example.org"
    assert join(mail_app, people["bob"], event, "bob").status_code == 302
    assert join(mail_app, people["cat"], event, "cat").status_code == 403
    assert submit(people["ann"], f"/events/{event.uuid}/invite", {"username": "nobody"}, page=base).status_code == 404


def test_external_event_links_out(mail_app, people):
    event = make_event(mail_app, join_mode="external", external_participation_url="https://tickets.example/x")
    page = people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert 'href="https://tickets.example/x"' in page
    assert join(mail_app, people["bob"], event, "bob").status_code == 403


def test_cancelled_and_private_events_cannot_be_joined(mail_app, people):
    cancelled = make_event(mail_app, status="cancelled")
    assert join(mail_app, people["bob"], cancelled, "bob").status_code == 403
    private = make_event(mail_app, visibility="private")
    assert join(mail_app, people["bob"], private, "bob").status_code == 404


def test_forged_identity_cannot_join(mail_app, people):
    event = make_event(mail_app)
    response = submit(people["bob"], f"/events/{event.uuid}/join", {"identity": identity_id(mail_app, "cat")},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 400
    assert roles(mail_app, event) == {"ann": "creator"}


def test_last_organiser_cannot_leave(mail_app, people):
    event = make_event(mail_app)
    response = submit(people["ann"], f"/events/{event.uuid}/leave", {"identity": identity_id(mail_app, "ann")},
                      page=f"/events/{event.uuid}")
    assert response.status_code == 403
    assert "last organiser" in response.get_data(as_text=True)
    assert roles(mail_app, event) == {"ann": "creator"}


def test_participants_page_filter_export_and_remove(mail_app, people):
    event = make_event(mail_app, join_mode="restricted")
    join(mail_app, people["bob"], event, "bob", 'Hi, "quoted", comma')
    base = f"/events/{event.uuid}/participants"
    assert people["bob"].get(base).status_code == 403
    assert people["bob"].get(base + ".csv").status_code == 403
    filtered = people["ann"].get(base + "?role=creator").get_data(as_text=True)
    assert "@ann" in filtered and "@bob" not in filtered
    assert people["ann"].get(base + "?role=boss").status_code == 400
    export = people["ann"].get(base + ".csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Name", "Username", "Role"]
    assert ["bob", "bob", "awaiting approval", 'Hi, "quoted", comma'] == rows[2][:4]
    with mail_app.app_context():
        pid = Participation.get(Participation.actor == identity_id(mail_app, "bob")).id
    assert submit(people["ann"], f"{base}/{pid}/remove", {}, page=base).status_code == 302
    assert "bob" not in roles(mail_app, event)
    with mail_app.app_context():
        cat_pid = Participation.get(Participation.actor == identity_id(mail_app, "ann")).id
    response = submit(people["ann"], f"{base}/{cat_pid}/explode", {}, page=base)
    assert response.status_code == 400 and "Unknown action." in response.get_data(as_text=True)


def test_event_change_and_cancellation_are_emailed_to_participants(mail_app, people, smtp):
    from ..helpers import event_fields

    submit(people["ann"], "/events/new", event_fields(identity=identity_id(mail_app, "ann")))
    with mail_app.app_context():
        from mobilizon_lite.models import Event

        event = Event.get()
    join(mail_app, people["bob"], event, "bob")
    submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(title="New title only"))
    submit(people["ann"], f"/events/{event.uuid}/edit", event_fields(start_time="15:00"))
    changed = smtp.wait_for(1)[0]
    assert changed["To"] == "bob@example.org" and changed["Subject"].startswith("Changed:")
    submit(people["ann"], f"/events/{event.uuid}/cancel", {}, page=f"/events/{event.uuid}/cancel")
    cancelled = smtp.wait_for(2)[1]
    assert cancelled["Subject"].startswith("Cancelled:")
    # The title-only change sent nothing; the organiser is never mailed about their own edit.
    assert [m["To"] for m in smtp.messages] == ["bob@example.org", "bob@example.org"]


def test_join_needs_login(mail_app):
    event = make_event_for_visitor(mail_app)
    page = mail_app.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Log in to join" in page


def make_event_for_visitor(app):
    make_account(app)
    return make_event(app)


def test_refusals_are_shown_with_a_message_and_a_way_back(mail_app, people):
    event = make_event(mail_app, join_mode="invite")
    response = join(mail_app, people["cat"], event, "cat")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Only people the organisers invited can join this event." in page
    assert f'href="/events/{event.uuid}"' in page


def test_private_event_is_seen_and_joined_only_by_invitees(mail_app, people):
    event = make_event(mail_app, visibility="private")
    assert people["bob"].get(f"/events/{event.uuid}").status_code == 404
    base = f"/events/{event.uuid}/participants"
    assert submit(people["ann"], f"/events/{event.uuid}/invite", {"username": "bob"}, page=base).status_code == 302
    assert people["bob"].get(f"/events/{event.uuid}").status_code == 200
    assert join(mail_app, people["bob"], event, "bob").status_code == 302
    assert people["cat"].get(f"/events/{event.uuid}").status_code == 404
    # Knowing the address is not enough to join.
    assert join(mail_app, people["cat"], event, "cat").status_code == 404
    assert roles(mail_app, event) == {"ann": "creator", "bob": "participant"}


def test_cancelling_is_one_button_with_a_confirmation_and_an_organiser_restores(mail_app, people, smtp):
    event = make_event(mail_app)
    join(mail_app, people["bob"], event, "bob")
    page = people["ann"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert f'href="/events/{event.uuid}/cancel"' in page and f"/events/{event.uuid}/restore" not in page
    # Only the organisers are offered it, and asked.
    assert f"/events/{event.uuid}/cancel" not in people["bob"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert people["bob"].get(f"/events/{event.uuid}/cancel").status_code == 403
    confirmation = people["ann"].get(f"/events/{event.uuid}/cancel")
    assert confirmation.status_code == 200 and "its participants are told by email" in confirmation.get_data(
        as_text=True)
    with mail_app.app_context():
        assert Event.get().status == "confirmed"
    response = submit(people["ann"], f"/events/{event.uuid}/cancel", {})
    assert response.status_code == 302 and response.location == f"/events/{event.uuid}"
    page = people["ann"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event is cancelled." in page and f'href="/events/{event.uuid}/restore"' in page
    assert smtp.wait_for(1)[0]["Subject"].startswith("Cancelled:")
    with mail_app.app_context():
        assert Event.get().sequence == 1

    assert submit(people["ann"], f"/events/{event.uuid}/restore", {}).status_code == 302
    page = people["ann"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This event is cancelled." not in page and f'href="/events/{event.uuid}/cancel"' in page
    with mail_app.app_context():
        assert Event.get().status == "confirmed" and Participation.select().count() == 2
