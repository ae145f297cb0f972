"""Joining across servers: remote identities join our events under the same rules, ours join theirs."""
import pytest

from mobilizon_lite.models import Activity, Actor, Comment, Delivery, Event, Follow, Participation
from mobilizon_lite.services import comments, event_federation, events, participation, seats, subscriptions

from ..calendar_readers import parse_both, vevents
from ..helpers import log_in, make_event, service_fields, submit
from .remote import ACTOR, EVE, EVENT_ID, REMOTE, remote_event, send, sent

AP = {"Accept": "application/activity+json"}


def role_of(app, event, ap_id=ACTOR):
    with app.app_context():
        row = (Participation.select().join(Actor).where((Participation.event == event.id) & (Actor.ap_id == ap_id))
               .first())
        return row.role if row else None


@pytest.fixture
def keys(remote_keys):
    (alice, _public), (other, _other_public) = remote_keys
    return alice, other


def test_remote_join_of_a_free_event_is_accepted_and_counted(fed, keys):
    event = make_event(fed)
    response = send(fed, keys[0], "Join", event.ap_id, 1, participationMessage="See you!")
    assert response.status_code == 202
    assert role_of(fed, event) == "participant"
    [accept] = sent(fed, "Accept")
    assert accept["actor"] == event.organizer.ap_id and accept["to"] == [ACTOR]
    assert accept["object"] == {"id": f"{REMOTE}/activities/1", "type": "Join", "actor": ACTOR,
                                "object": event.ap_id, "participationMessage": "See you!",
                                "to": [event.organizer.ap_id], "cc": []}
    with fed.app_context():
        assert Delivery.select().where(Delivery.inbox_url == f"{REMOTE}/inbox").count() == 1
        assert event_federation.event_document(Event.get_by_id(event.id))["participantCount"] == 1
    # Sent again (its Accept lost): answered again, once more, and still one participation.
    send(fed, keys[0], "Join", event.ap_id, 2)
    assert [a["object"]["id"] for a in sent(fed, "Accept")] == [f"{REMOTE}/activities/1", f"{REMOTE}/activities/2"]
    # The organiser sees who it is, and where from.
    client = fed.test_client()
    log_in(client)
    page = client.get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert "@alice@remote.example" in page and "@remote.example@" not in page and "See you!" in page
    # Leave.
    assert send(fed, keys[0], "Leave", event.ap_id, 3).status_code == 202
    assert role_of(fed, event) is None


def test_restricted_events_wait_for_the_organisers(fed, keys):
    event = make_event(fed, join_mode="restricted")
    send(fed, keys[0], "Join", event.ap_id, 1)
    assert role_of(fed, event) == "not_approved" and sent(fed, "Accept") == []
    client = fed.test_client()
    log_in(client)
    with fed.app_context():
        row = Participation.get(Participation.role == "not_approved")
    participants = f"/events/{event.uuid}/participants"
    assert submit(client, f"{participants}/{row.id}/approve", {}, page=participants).status_code == 302
    assert role_of(fed, event) == "participant"
    [accept] = sent(fed, "Accept")
    assert accept["object"]["id"] == f"{REMOTE}/activities/1"
    # Rejecting later tells their server too; so does removing someone.
    submit(client, f"{participants}/{row.id}/reject", {}, page=participants)
    assert role_of(fed, event) == "rejected"
    assert [r["object"]["actor"] for r in sent(fed, "Reject")] == [ACTOR]
    # Remote people cannot become co-organisers (they could not act here).
    submit(client, f"{participants}/{row.id}/approve", {}, page=participants)
    response = submit(client, f"{participants}/{row.id}/promote", {}, page=participants)
    assert response.status_code == 400 and role_of(fed, event) == "participant"
    submit(client, f"{participants}/{row.id}/remove", {}, page=participants)
    assert role_of(fed, event) is None and len(sent(fed, "Reject")) == 2


def test_a_full_event_rejects_a_remote_join(fed, keys):
    event = make_event(fed, capacity=1)
    with fed.app_context():
        mallory = Actor.get(Actor.preferred_username == "mallory")
        participation.admit(Event.get_by_id(event.id), mallory)
    send(fed, keys[0], "Join", event.ap_id, 1)
    assert role_of(fed, event) is None
    [reject] = sent(fed, "Reject")
    assert reject["object"]["id"] == f"{REMOTE}/activities/1" and reject["to"] == [ACTOR]


def test_a_full_event_with_a_waiting_list_accepts_a_remote_join_once_a_seat_frees(fed, keys):
    event = make_event(fed, capacity=1, waiting_list=True)
    with fed.app_context():
        mallory = Actor.get(Actor.preferred_username == "mallory")
        participation.admit(Event.get_by_id(event.id), mallory)
    send(fed, keys[0], "Join", event.ap_id, 1)
    send(fed, keys[1], "Join", event.ap_id, 2, actor=EVE)
    assert role_of(fed, event) == "waitlisted" and role_of(fed, event, EVE) == "waitlisted"
    assert sent(fed, "Accept") == [] and sent(fed, "Reject") == []  # their servers show them as waiting
    with fed.app_context():
        participation.leave(Event.get_by_id(event.id), mallory)
    assert role_of(fed, event) == "participant" and role_of(fed, event, EVE) == "waitlisted"
    [accept] = sent(fed, "Accept")
    assert accept["object"]["id"] == f"{REMOTE}/activities/1" and accept["to"] == [ACTOR]
    # Leaving through the inbox frees the seat for the next in line, told by an Accept too.
    assert send(fed, keys[0], "Leave", event.ap_id, 3).status_code == 202
    assert role_of(fed, event) is None and role_of(fed, event, EVE) == "participant"
    assert [a["object"]["id"] for a in sent(fed, "Accept")] == [f"{REMOTE}/activities/1",
                                                                "https://elsewhere.example/activities/2"]
    # So does an account deleted on its server.
    with fed.app_context():
        assert participation.admit(Event.get_by_id(event.id), mallory).role == "waitlisted"
    assert send(fed, keys[1], "Delete", EVE, 4, actor=EVE).status_code == 202
    assert role_of(fed, event, EVE) is None and role_of(fed, event, mallory.ap_id) == "participant"
    assert sent(fed, "Accept")[-1]["to"] == [mallory.ap_id]


def test_private_and_unknown_events_are_ignored_without_an_answer(fed, keys):
    event = make_event(fed, visibility="private")
    send(fed, keys[0], "Join", event.ap_id, 1)
    send(fed, keys[0], "Join", "http://events.test/events/nope", 2)
    assert role_of(fed, event) is None and sent(fed, "Reject") == [] and sent(fed, "Accept") == []


def test_updates_reach_remote_participants_even_of_private_events(fed, keys):
    event = make_event(fed)
    send(fed, keys[0], "Join", event.ap_id, 1)
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        events.update_event(Event.get_by_id(event.id), ann, service_fields(visibility="private", title="Moved"))
        [update] = sent(fed, "Update")
        assert ACTOR in update["cc"] and update["object"]["name"] == "Moved"
        activity = Activity.get(Activity.type == "Update")
        assert [d.inbox_url for d in activity.deliveries] == [f"{REMOTE}/inbox"]


def test_joining_a_remote_event_waits_for_its_server(fed, keys):
    send(fed, keys[0], "Create", remote_event(joinMode="restricted", participantCount=4,
                                              maximumAttendeeCapacity=10), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
    client = fed.test_client()
    log_in(client)
    page = f"/events/{event.uuid}"
    assert "4 participants" in client.get(page).get_data(as_text=True)
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
    response = submit(client, f"{page}/join", {"identity": ann.id, "message": "Can I bring a friend?"}, page=page)
    assert response.status_code == 302
    assert "awaits the answer of remote.example" in client.get(page).get_data(as_text=True)
    [join] = sent(fed, "Join")
    assert join["actor"] == ann.ap_id and join["object"] == EVENT_ID and join["to"] == [ACTOR]
    assert join["participationMessage"] == "Can I bring a friend?"
    # An Accept from another server proves nothing; the event's server decides.
    send(fed, keys[1], "Accept", join["id"], 2, actor=EVE)
    assert role_of(fed, event, ann.ap_id) == "not_approved"
    # Mobilizon embeds the Join in its Accept.
    send(fed, keys[0], "Accept", {"type": "Join", "id": join["id"], "actor": ann.ap_id, "object": EVENT_ID}, 3)
    assert role_of(fed, event, ann.ap_id) == "participant"
    body = client.get(page).get_data(as_text=True)
    assert "You take part as @ann." in body and "5 participants" in body
    # Leaving tells the event's server.
    submit(client, f"{page}/leave", {"identity": ann.id}, page=page)
    assert role_of(fed, event, ann.ap_id) is None
    [leave] = sent(fed, "Leave")
    assert leave["object"] == EVENT_ID and leave["actor"] == ann.ap_id
    assert "4 participants" in client.get(page).get_data(as_text=True)


def test_remote_events_i_join_are_in_my_private_calendar_feed(fed, keys):
    event_id = f"{REMOTE}/events/5d2f0c1e-7a4b-4c3d-9e8f-0a1b2c3d4e5f"
    send(fed, keys[0], "Create", remote_event(id=event_id), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == event_id)
        ann = Actor.get(Actor.preferred_username == "ann")
        join = participation.join(event, ann)
        token = subscriptions.token_text(subscriptions.issue_token(ann.account))
    client = fed.test_client()

    def the_vevent():
        calendar, _vobject = parse_both(client.get(f"/events/going/{token}/ics").data)
        [vevent] = vevents(calendar)
        return vevent

    vevent = the_vevent()
    # Named as its own server names it, so it is one event for a calendar that reads both feeds.
    assert str(vevent["UID"]) == "5d2f0c1e-7a4b-4c3d-9e8f-0a1b2c3d4e5f@remote.example"
    assert str(vevent["STATUS"]) == "TENTATIVE"
    send(fed, keys[0], "Accept", join.ap_id, 2)
    send(fed, keys[0], "Update", remote_event(id=event_id, startTime="2027-06-21T19:00:00+02:00"), 3)
    vevent = the_vevent()
    assert str(vevent["STATUS"]) == "CONFIRMED" and int(vevent["SEQUENCE"]) == 1
    assert vevent.decoded("DTSTART").hour == 19


def test_declined_by_another_server_one_may_withdraw_and_ask_again(fed, keys):
    send(fed, keys[0], "Create", remote_event(), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
        ann = Actor.get(Actor.preferred_username == "ann")
        first = participation.join(event, ann)
    send(fed, keys[0], "Reject", first.ap_id, 2)
    assert role_of(fed, event, ann.ap_id) == "rejected"
    with fed.app_context():
        participation.leave(event, ann)
        assert [leave["object"] for leave in sent(fed, "Leave")] == [EVENT_ID]
        second = participation.join(event, ann)
    assert second.ap_id != first.ap_id and role_of(fed, event, ann.ap_id) == "not_approved"


def test_a_remote_event_without_a_count_shows_none(fed, keys):
    send(fed, keys[0], "Create", remote_event(), 1)
    with fed.app_context():
        event = Event.get(Event.ap_id == EVENT_ID)
    page = fed.test_client().get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "participant" not in page.split("<h2>Participation</h2>")[1].split("</p>")[0]


def test_an_event_made_private_is_withdrawn_from_followers_only(fed, keys):
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        for name, domain in (("fan", "fans.example"), ("mallory", "remote.example")):
            follower = Actor.get_or_none(Actor.preferred_username == name) or Actor.create(
                preferred_username=name, domain=domain, ap_id=f"https://{domain}/u/{name}",
                inbox=f"https://{domain}/u/{name}/inbox")
            Follow.create(follower=follower, followed=ann, ap_id=f"https://{domain}/f/{name}", accepted=True)
    event = make_event(fed, title="Open house")
    send(fed, keys[0], "Join", event.ap_id, 1)  # alice of remote.example takes part
    with fed.app_context():
        comment = comments.comment_on(Event.get_by_id(event.id), ann, "Our address is 3 rue X")
        events.update_event(Event.get_by_id(event.id), ann, service_fields(title="Members only", visibility="private"))
        note = Activity.get(Activity.object_ap_id == comment.ap_id)
        assert not note.public and note.deliveries.count() == 0  # neither served nor sent any more
        [delete] = [a for a in Activity.select().where(Activity.type == "Delete")]
        [update] = [a for a in Activity.select().where(Activity.type == "Update")]
        # fans.example forgets it; remote.example, where a participant is, gets the private Update instead.
        assert [d.inbox_url for d in delete.deliveries] == ["https://fans.example/u/fan/inbox"]
        assert [d.inbox_url for d in update.deliveries] == [f"{REMOTE}/inbox"]
        assert update.body["object"]["name"] == "Members only" and not update.public
        create = Activity.get(Activity.type == "Create")
    # The first, public, Create is no longer served with the old details, nor listed.
    client = fed.test_client()
    assert client.get(create.ap_id.removeprefix("http://events.test"), headers=AP).status_code == 404
    assert client.get("/@ann/outbox?page=1", headers=AP).json["orderedItems"] == []
    # Public again: a Create, as it is new again to the followers' servers.
    with fed.app_context():
        events.update_event(Event.get_by_id(event.id), ann, service_fields(title="Open again"))
        latest = Activity.select().order_by(Activity.id.desc()).first()
        assert latest.type == "Create" and latest.public
        assert {d.inbox_url for d in latest.deliveries} == {
            "https://fans.example/u/fan/inbox", f"{REMOTE}/users/mallory/inbox", f"{REMOTE}/inbox"}


def test_a_deleted_account_frees_its_seat_and_its_comments_go(fed, keys):
    event = make_event(fed, capacity=1)
    send(fed, keys[0], "Join", event.ap_id, 1)
    send(fed, keys[0], "Create", {"id": f"{ACTOR}/notes/1", "type": "Note", "attributedTo": ACTOR,
                                  "inReplyTo": event.ap_id, "content": "<p>Hi</p>",
                                  "to": ["https://www.w3.org/ns/activitystreams#Public"]}, 2)
    send(fed, keys[0], "Create", {"id": f"{ACTOR}/notes/2", "type": "Note", "attributedTo": ACTOR,
                                  "inReplyTo": f"{ACTOR}/notes/1", "content": "<p>Me again</p>",
                                  "to": ["https://www.w3.org/ns/activitystreams#Public"]}, 4)
    assert role_of(fed, event) == "participant"
    assert send(fed, keys[0], "Delete", ACTOR, 3).status_code == 202
    assert role_of(fed, event) is None
    with fed.app_context():
        assert Comment.select().count() == 0  # no empty placeholder left behind
        assert seats.going_count(Event.get_by_id(event.id)) == 0
