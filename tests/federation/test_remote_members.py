"""People of other servers in this instance's groups, as the group's server sees them: the Joins, Leaves,
answers, Removes and Update{Member}s it receives (ours and Mobilizon's shapes) -> Member state and what
goes back; the members page and collection with them; a Mobilizon group's Invite of an identity here."""
import json

import pytest

from mobilizon_lite.activitypub.convert.member import member_from_ap
from mobilizon_lite.activitypub.signatures import sign_headers
from mobilizon_lite.models import Activity, Actor, Delivery, InboxItem, Member
from mobilizon_lite.models.groups import Openness, Role
from mobilizon_lite.services import members
from mobilizon_lite.services.groups import new_member_row

from ..helpers import log_in, make_account, make_group, submit
from .captured import FIXTURES, needs_fixtures
from .remote import ACTOR, REMOTE, post, sent

GROUP = "http://events.test/@club"
MALLORY = f"{REMOTE}/users/mallory"
MOBILIZON_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld",
                     {"mz": "https://joinmobilizon.org/ns#"}]


def join(number, actor=ACTOR, group=GROUP, **extra):
    """A Join of group by actor, as this software sends it."""
    host = actor.split("/")[2]
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"https://{host}/activities/{number}",
            "type": "Join", "actor": actor, "object": group, **extra}


def mobilizon_join(number, actor=ACTOR):
    """A Join of the group as Mobilizon sends it: its id is the member's address on the person's server."""
    return {"@context": MOBILIZON_CONTEXT, "id": f"{REMOTE}/member/{number}", "type": "Join", "actor": actor,
            "object": GROUP, "to": [GROUP, f"{GROUP}/members"], "cc": []}


def activity(number, verb, obj, actor=ACTOR, **extra):
    host = actor.split("/")[2]
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"https://{host}/activities/{number}",
            "type": verb, "actor": actor, "object": obj, **extra}


def as_member(member, role=None):
    return {"type": "Member", "id": member.ap_id, "actor": member.actor.ap_id, "object": GROUP,
            "role": role or member.role}


def send(app, remote_keys, document, as_mallory=False):
    (private, _public), (other, _other_public) = remote_keys
    if as_mallory:
        return post(app, document, key=other, key_id=f"{MALLORY}#main-key")
    return post(app, document, key=private)


def item_of(app, document):
    with app.app_context():
        return InboxItem.get(InboxItem.activity_id == document["id"])


def member_of(app, ap_id=ACTOR):
    with app.app_context():
        return (Member.select(Member, Actor).join(Actor, on=(Member.actor == Actor.id))
                .where(Actor.ap_id == ap_id).first())


def queued(app, verb):
    """(inbox URLs, body) of each queued activity of one type, oldest first."""
    with app.app_context():
        return [(sorted(row.inbox_url for row in Delivery.select().where(Delivery.activity == stored.id)),
                 stored.body) for stored in Activity.select().where(Activity.type == verb).order_by(Activity.id)]


# Incoming payload (shape, openness) -> the person's Member state and the answer queued for it.
@pytest.mark.parametrize("openness, document, role, answer", [
    (Openness.OPEN, join(1), Role.MEMBER, "Accept"),
    (Openness.OPEN, mobilizon_join("u-1"), Role.MEMBER, "Accept"),
    (Openness.MODERATED, join(2, participationMessage="I ride on Sundays"), Role.NOT_APPROVED, None),
    (Openness.MODERATED, mobilizon_join("u-2"), Role.NOT_APPROVED, None),
    (Openness.INVITE_ONLY, join(3), None, "Reject"),
    (Openness.INVITE_ONLY, mobilizon_join("u-3"), None, "Reject"),
])
def test_a_remote_join_gives_the_state_of_a_local_one(fed, remote_keys, openness, document, role, answer):
    make_group(fed, openness=openness)
    response = send(fed, remote_keys, document)
    assert response.status_code == 202
    member = member_of(fed)
    assert (member and member.role) == role
    if member is not None:
        # The person's server knows the membership by the id of its Join.
        assert member.ap_id == document["id"]
        assert member.message == document.get("participationMessage", "")
    answers = [body for _inboxes, body in queued(fed, "Accept") + queued(fed, "Reject")]
    if answer is None:
        assert answers == []
        return
    [(inboxes, body)] = queued(fed, answer)
    assert inboxes == [f"{REMOTE}/inbox"]
    assert body["actor"] == GROUP and body["to"] == [ACTOR, f"{GROUP}/members"] and body["cc"] == [GROUP]
    assert body["object"] == {"type": "Member", "id": document["id"], "actor": ACTOR, "object": GROUP,
                              "role": Role.MEMBER if answer == "Accept" else Role.REJECTED}


def test_a_repeated_join_is_one_member_answered_again(fed, remote_keys):
    make_group(fed, openness=Openness.OPEN)
    send(fed, remote_keys, join(1))
    send(fed, remote_keys, join(2))
    with fed.app_context():
        assert Member.select().count() == 2 and member_of(fed).role == Role.MEMBER  # ann, and alice once
    assert [body["object"]["id"] for _inboxes, body in queued(fed, "Accept")] == [
        f"{REMOTE}/activities/1", f"{REMOTE}/activities/2"]


def test_a_moderator_decides_on_a_remote_request_like_a_local_one(fed, remote_keys):
    group = make_group(fed)
    send(fed, remote_keys, join(1, participationMessage="Hello"))
    client = fed.test_client()
    log_in(client)
    page = client.get("/@club/members").get_data(as_text=True)
    assert "@alice@remote.example" in page and "Hello" in page and f'href="{ACTOR}"' in page
    member = member_of(fed)
    assert submit(client, f"/@club/members/{member.uuid}/approve", {}, page="/@club/members").status_code == 302
    assert member_of(fed).role == Role.MEMBER
    [(inboxes, body)] = queued(fed, "Accept")
    assert inboxes == [f"{REMOTE}/inbox"] and body["object"]["role"] == Role.MEMBER
    page = client.get("/@club/members").get_data(as_text=True)
    assert "2 members" in page and "@alice@remote.example" in page
    assert client.get("/@club", headers={"Accept": "application/activity+json"}).json["memberCount"] == 2
    with fed.app_context():
        assert members.remote_members(group) == [Actor.get(Actor.ap_id == ACTOR)]


def test_a_rejected_remote_request_is_told(fed, remote_keys):
    make_group(fed)
    send(fed, remote_keys, join(1))
    client = fed.test_client()
    log_in(client)
    submit(client, f"/@club/members/{member_of(fed).uuid}/reject", {}, page="/@club/members")
    assert member_of(fed).role == Role.REJECTED
    [(_inboxes, body)] = queued(fed, "Reject")
    assert body["object"]["role"] == Role.REJECTED
    # Asking again is answered the same, never a second row.
    send(fed, remote_keys, join(2))
    assert len(queued(fed, "Reject")) == 2 and member_of(fed).role == Role.REJECTED


def test_leave_and_its_refusals(fed, remote_keys):
    group = make_group(fed, openness=Openness.OPEN)
    leave = activity(9, "Leave", GROUP)
    send(fed, remote_keys, leave)  # not a member
    assert item_of(fed, leave).state == "ignored"
    assert "does not allow" in item_of(fed, leave).error
    send(fed, remote_keys, join(1))
    # The last administrator stays, wherever it lives.
    with fed.app_context():
        Member.update(role=Role.ADMINISTRATOR).where(Member.ap_id == f"{REMOTE}/activities/1").execute()
        Member.update(role=Role.MEMBER).where(Member.actor == Actor.get(Actor.preferred_username == "ann")).execute()
    second = activity(10, "Leave", GROUP)
    send(fed, remote_keys, second)
    assert item_of(fed, second).state == "ignored" and "needs an administrator" in item_of(fed, second).error
    with fed.app_context():
        Member.update(role=Role.MEMBER).where(Member.ap_id == f"{REMOTE}/activities/1").execute()
        Member.update(role=Role.ADMINISTRATOR).where(Member.group == group).where(
            Member.actor == Actor.get(Actor.preferred_username == "ann")).execute()
    third = activity(11, "Leave", GROUP)
    send(fed, remote_keys, third)
    assert item_of(fed, third).state == "done" and member_of(fed) is None


@pytest.mark.parametrize("document, reason", [
    (join(1, group="http://events.test/@nobody"), "no handler for Join of Unknown"),
    (join(2, group="http://events.test/@ann"), "not a group of this instance"),
    (activity(3, "Leave", "http://events.test/@ann"), "not a group of this instance"),
    (activity(4, "Remove", "http://events.test/member/nothing", origin=GROUP), "no handler for Remove of Unknown"),
])
def test_what_names_no_group_of_ours_is_ignored_with_a_reason(fed, remote_keys, document, reason):
    make_group(fed)
    assert send(fed, remote_keys, document).status_code == 202
    item = item_of(fed, document)
    assert item.state == "ignored" and reason in item.error
    with fed.app_context():
        assert Member.select().count() == 1


def _with_members(app, remote_keys):
    """club (open) with alice and mallory of remote.example as members; their rows."""
    group = make_group(app, openness=Openness.OPEN)
    send(app, remote_keys, join(1))
    send(app, remote_keys, join(2, actor=MALLORY), as_mallory=True)
    return group, member_of(app), member_of(app, MALLORY)


def test_role_changes_and_removals_by_remote_people_are_checked_as_on_the_page(fed, remote_keys):
    _group, alice, mallory = _with_members(fed, remote_keys)
    promote = activity(5, "Update", as_member(alice, Role.ADMINISTRATOR), actor=MALLORY)
    send(fed, remote_keys, promote, as_mallory=True)
    assert item_of(fed, promote).state == "ignored" and "does not allow" in item_of(fed, promote).error
    assert member_of(fed).role == Role.MEMBER
    remove = activity(6, "Remove", alice.ap_id, actor=MALLORY, origin=GROUP)
    send(fed, remote_keys, remove, as_mallory=True)
    assert item_of(fed, remove).state == "ignored" and member_of(fed).role == Role.MEMBER
    # An administrator of elsewhere may do what an administrator here does.
    with fed.app_context():
        Member.update(role=Role.ADMINISTRATOR).where(Member.id == mallory.id).execute()
    promote = activity(7, "Update", as_member(alice, Role.MODERATOR), actor=MALLORY)
    send(fed, remote_keys, promote, as_mallory=True)
    assert item_of(fed, promote).state == "done" and member_of(fed).role == Role.MODERATOR
    send(fed, remote_keys, activity(8, "Remove", alice.ap_id, actor=MALLORY, origin=GROUP), as_mallory=True)
    assert member_of(fed).role == Role.REJECTED
    # The group tells its other members: mallory's key is not ours to sign with.
    assert [body["actor"] for _inboxes, body in queued(fed, "Update") + queued(fed, "Remove")] == [GROUP, GROUP]


def test_remove_and_role_change_go_to_remote_members_in_mobilizons_shape(fed, remote_keys):
    group, alice, _mallory = _with_members(fed, remote_keys)
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        members.change_role(group, ann, alice.uuid, Role.MODERATOR)
        members.remove_member(group, ann, alice.uuid)
    [(inboxes, update)] = queued(fed, "Update")
    assert inboxes == [f"{REMOTE}/inbox", f"{MALLORY}/inbox"]  # alice's server's shared inbox, mallory's own
    assert update["actor"] == ann.ap_id and update["attributedTo"] == GROUP
    assert update["object"] == {"type": "Member", "id": alice.ap_id, "actor": ACTOR, "object": GROUP,
                                "role": Role.MODERATOR}
    [(inboxes, remove)] = queued(fed, "Remove")
    assert inboxes == [f"{REMOTE}/inbox", f"{MALLORY}/inbox"]
    assert {key: remove[key] for key in ("type", "actor", "object", "origin", "to", "cc")} == {
        "type": "Remove", "actor": ann.ap_id, "object": alice.ap_id, "origin": GROUP, "to": [f"{GROUP}/members"],
        "cc": [ACTOR]}


def test_an_invited_remote_person_answers(fed, remote_keys):
    group = make_group(fed, openness=Openness.INVITE_ONLY)
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        alice = Actor.get(Actor.ap_id == ACTOR)
        # The invitation form looks the person up by WebFinger; here alice is known already.
        member = new_member_row(group, alice, Role.INVITED, invited_by=ann)
    # Someone else cannot take alice's invitation.
    stolen = activity(1, "Accept", {"type": "Member", "id": member.ap_id, "actor": ACTOR, "object": GROUP},
                      actor=MALLORY)
    send(fed, remote_keys, stolen, as_mallory=True)
    assert item_of(fed, stolen).state == "ignored" and member_of(fed).role == Role.INVITED
    # Mobilizon answers with the Member embedded; a bare member id says the same.
    send(fed, remote_keys, activity(2, "Accept", {"type": "Member", "id": member.ap_id, "actor": ACTOR,
                                                  "object": GROUP, "role": "member"}))
    assert member_of(fed).role == Role.MEMBER
    with fed.app_context():
        member.delete_instance()
        member = new_member_row(group, alice, Role.INVITED, invited_by=ann)
    send(fed, remote_keys, activity(3, "Reject", member.ap_id))
    assert member_of(fed) is None


def test_a_remote_members_signed_fetch_of_the_collection_is_whole(fed, remote_keys):
    _with_members(fed, remote_keys)
    (private, _public), _other = remote_keys
    client = fed.test_client()
    path = "/@club/members?page=1"
    signed = sign_headers("GET", f"http://events.test{path}", f"{ACTOR}#main-key", private)
    whole = client.get(path, headers={**signed, "Accept": "application/activity+json"}).json
    assert {item["actor"] for item in whole["orderedItems"]} == {"http://events.test/@ann", ACTOR, MALLORY}
    # Anyone else gets what Mobilizon gives a non-member: an empty collection.
    empty = client.get(path, headers={"Accept": "application/activity+json"}).json
    assert empty["orderedItems"] == [] and empty["totalItems"] == 0


@needs_fixtures
def test_the_captured_members_collection_is_read():
    document = json.loads((FIXTURES / "mobilizon-members-collection.json").read_text())
    read = [member_from_ap(item) for item in document["first"]["orderedItems"]]
    assert read == [
        ("http://mobilizon.test/member/2fec2e84-5719-48f9-92bd-077f50ff2e6e", "http://mobilizon.test/@demo",
         "http://mobilizon.test/@tcit", "administrator"),
        ("http://mobilizon.test/member/13b0fc1e-2ceb-401c-bef7-0eba02fb92dc", "http://mobilizon.test/@demo",
         "http://mobilizon2.com/@tcit", "member")]


REMOTE_GROUP = f"{REMOTE}/@mygroup"


def captured_invite(app, remote_keys):
    """Mobilizon's captured Invite, its hosts those of the test (the admin and the group on remote.example,
    the person, ann, here), posted: (the Invite, ann's invitation, ann's logged-in client)."""
    (private, public), _other = remote_keys
    document = json.loads((FIXTURES / "mobilizon-invite-activity.json").read_text())
    document.update(id=f"{REMOTE}/member/some-uuid", actor=ACTOR, object=REMOTE_GROUP,
                    target="http://events.test/@ann")
    with app.app_context():
        Actor.create(type="Group", preferred_username="mygroup", domain="remote.example", ap_id=REMOTE_GROUP,
                     inbox=f"{REMOTE_GROUP}/inbox", shared_inbox=f"{REMOTE}/inbox", public_key_pem=public)
    post(app, document, key=private)
    item = item_of(app, document)
    assert item.state == "done", item.error
    client = app.test_client()
    log_in(client)
    page = client.get("/invitations").get_data(as_text=True)
    assert "@mygroup@remote.example" in page
    with app.app_context():
        member = Member.get(Member.role == Role.INVITED)
    assert member.ap_id == document["id"]
    return document, member, client


@needs_fixtures
def test_the_captured_invite_becomes_an_invitation_here(fed, remote_keys):
    """ann accepts: the group learns it; its role change and removal then reach her membership here."""
    (private, _public), _other = remote_keys
    document, member, client = captured_invite(fed, remote_keys)
    remote_group = REMOTE_GROUP
    page = client.get("/@mygroup@remote.example").get_data(as_text=True)
    assert "You are invited to join (as @ann)" in page and f"/invitations/{member.uuid}/accept" in page
    response = submit(client, f"/invitations/{member.uuid}/accept", {}, page="/@mygroup@remote.example")
    # She lands on the group's page here, where what it shares with its members will show.
    assert response.status_code == 302 and response.headers["Location"].endswith("/@mygroup@remote.example")
    [(inboxes, accept)] = queued(fed, "Accept")
    assert inboxes == [f"{REMOTE}/inbox"]
    assert accept["actor"] == "http://events.test/@ann" and accept["attributedTo"] == remote_group
    assert accept["object"] == {"type": "Member", "id": document["id"], "actor": "http://events.test/@ann",
                                "object": remote_group, "role": "member"}
    # The group's server then changes her role and removes her: both reach her membership here.
    update = activity(20, "Update", {"type": "Member", "id": member.ap_id, "actor": "http://events.test/@ann",
                                     "object": remote_group, "role": "moderator"})
    post(fed, update, key=private)
    with fed.app_context():
        assert Member.get_by_id(member.id).role == Role.MODERATOR
    post(fed, activity(21, "Remove", member.ap_id, origin=remote_group), key=private)
    with fed.app_context():
        assert Member.get_by_id(member.id).role == Role.REJECTED
    # Someone of another server has no say on it.
    assert sent(fed, "Reject") == []


def test_an_invite_for_nobody_here_is_ignored(fed, remote_keys):
    make_account(fed, "bo@example.org", "bo")
    document = activity(1, "Invite", f"{REMOTE}/@mygroup", target="http://events.test/@nobody")
    send(fed, remote_keys, document)
    assert item_of(fed, document).state == "ignored"
    assert "not an identity of this instance" in item_of(fed, document).error


def test_a_deleted_remote_account_leaves_our_groups(fed, remote_keys):
    make_group(fed, openness=Openness.OPEN)
    send(fed, remote_keys, join(1))
    assert member_of(fed) is not None
    send(fed, remote_keys, activity(2, "Delete", ACTOR))
    assert member_of(fed) is None
    assert fed.test_client().get("/@club", headers={"Accept": "application/activity+json"}).json["memberCount"] == 1


@needs_fixtures
def test_a_declined_invitation_of_elsewhere_is_told_to_the_group(fed, remote_keys):
    document, member, client = captured_invite(fed, remote_keys)
    assert submit(client, f"/invitations/{member.uuid}/decline", {}, page="/invitations").status_code == 302
    [(inboxes, reject)] = queued(fed, "Reject")
    assert inboxes == [f"{REMOTE}/inbox"]
    # As Mobilizon's reject_invite: the member's id, not the Member.
    assert reject["object"] == document["id"] and reject["actor"] == "http://events.test/@ann"
    assert reject["to"] == [ACTOR, f"{REMOTE_GROUP}/members"] and reject["cc"] == [REMOTE_GROUP]
    assert member_of(fed, "http://events.test/@ann") is None
