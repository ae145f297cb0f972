"""An identity here in a group of another server, as this instance sees it: the group's page here, the
Join, Leave and withdrawal it sends, and the group's Accept, Reject, Update{Member} and Remove (in
Mobilizon's shape) that change its membership here; "My groups"."""
import json

import pytest
from markupsafe import escape

from mobilizon_lite.activitypub.convert.actor import group_settings_from_ap, image_url_from_ap
from mobilizon_lite.models import Account, Actor, Delivery, InboxItem, Member
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import identities, search

from ..helpers import log_in, make_account, submit
from .captured import FIXTURES, needs_fixtures
from .remote import ACTOR, EVE, REMOTE, post, sent

GROUP = f"{REMOTE}/@club"
PAGE = "/@club@remote.example"
ANN = "http://events.test/@ann"
MOBILIZON_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://litepub.social/litepub/context.jsonld",
                     {"mz": "https://joinmobilizon.org/ns#"}]


def known_group(app, remote_keys):
    """A moderated group of remote.example, known here with its 14 members; it signs with alice's key."""
    (_private, public), _other = remote_keys
    with app.app_context():
        Actor.create(type="Group", preferred_username="club", domain="remote.example", ap_id=GROUP,
                     name="Cycling club", inbox=f"{GROUP}/inbox", shared_inbox=f"{REMOTE}/inbox",
                     public_key_pem=public, openness="moderated", member_count=14)
    return app


@pytest.fixture
def club(fed, remote_keys):
    return known_group(fed, remote_keys)


def signed_in(app):
    client = app.test_client()
    log_in(client)
    return client


def activity(number, verb, obj, actor=GROUP, **extra):
    """An activity as Mobilizon's group (or its administrator, actor) sends it."""
    host = actor.split("/")[2]
    return {"@context": MOBILIZON_CONTEXT, "id": f"https://{host}/activities/{number}", "type": verb,
            "actor": actor, "object": obj, **extra}


def from_group(app, remote_keys, document, key_id=f"{GROUP}#main-key", other_key=False):
    """Post document signed by the group's key (or the other key, eve's), handled; its InboxItem."""
    (private, _public), (other, _other_public) = remote_keys
    post(app, document, key=other if other_key else private, key_id=key_id)
    with app.app_context():
        return InboxItem.get(InboxItem.activity_id == document["id"])


def membership(app):
    with app.app_context():
        return Member.select().join(Actor, on=(Member.actor == Actor.id)).where(Actor.ap_id == ANN).first()


def as_member(member, role="member"):
    """The Member a Mobilizon group embeds in its Accept and Update: the id is the Join's, ours."""
    return {"type": "Member", "id": member.ap_id, "actor": ANN, "object": GROUP, "role": role}


def ask_to_join(app, client, message="I ride on Sundays"):
    with app.app_context():
        ann = Actor.get(Actor.ap_id == ANN)
    response = submit(client, "/elsewhere/@club@remote.example/join", {"identity": ann.id, "message": message},
                      page=PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    return membership(app)


def test_the_page_of_a_group_elsewhere_shows_what_we_hold(club):
    visitor = club.test_client().get(PAGE).get_data(as_text=True)
    assert "Cycling club" in visitor and "@club@remote.example" in visitor and "14 members" in visitor
    assert "Log in to join or follow" in visitor
    page = signed_in(club).get(PAGE).get_data(as_text=True)
    assert "Ask to join" in page and "Follow" in page
    # Its document is on its server; an unknown group is not fetched for a page.
    assert club.test_client().get(PAGE, headers={"Accept": "application/activity+json"}).status_code == 404
    assert club.test_client().get("/@nobody@remote.example").status_code == 404
    assert club.test_client().get("/@alice@remote.example").status_code == 404  # a person, not a group


def test_asking_to_join_sends_a_join_named_after_the_membership(club):
    client = signed_in(club)
    member = ask_to_join(club, client)
    assert member.role == Role.NOT_APPROVED and member.message == "I ride on Sundays"
    [join] = sent(club, "Join")
    assert join["id"] == member.ap_id and join["id"].startswith("http://events.test/member/")
    assert join["actor"] == ANN and join["object"] == GROUP
    assert join["to"] == [GROUP, f"{GROUP}/members"] and join["participationMessage"] == "I ride on Sundays"
    with club.app_context():
        assert [row.inbox_url for row in Delivery.select()] == [f"{REMOTE}/inbox"]
    page = client.get(PAGE).get_data(as_text=True)
    assert "waiting for the group" in page and "Withdraw my request" in page and "Ask to join" not in page
    # Asking again is refused with its reason, nothing sent.
    with club.app_context():
        ann = Actor.get(Actor.ap_id == ANN)
    again = submit(client, "/elsewhere/@club@remote.example/join", {"identity": ann.id}, page=PAGE)
    assert again.status_code == 400 and "waits for the moderators" in again.get_data(as_text=True)
    assert len(sent(club, "Join")) == 1


def test_the_groups_accept_role_change_and_removal_reach_the_membership(club, remote_keys):
    client = signed_in(club)
    member = ask_to_join(club, client)
    accept = activity(1, "Accept", as_member(member), attributedTo=GROUP, to=[ANN, f"{GROUP}/members"])
    assert from_group(club, remote_keys, accept).state == "done"
    assert membership(club).role == Role.MEMBER and membership(club).member_since is not None
    page = client.get(PAGE).get_data(as_text=True)
    assert "You are a member of this group as @ann" in page and "Leave the group" in page
    mine = client.get("/groups/mine").get_data(as_text=True)
    assert "Cycling club" in mine and "@club@remote.example" in mine and "As @ann: member" in mine
    # An administrator of the group, on its server, makes her moderator (Update{Member}), then removes her.
    update = activity(2, "Update", as_member(member, "moderator"), actor=ACTOR, attributedTo=GROUP)
    assert from_group(club, remote_keys, update, key_id=f"{ACTOR}#main-key").state == "done"
    assert membership(club).role == Role.MODERATOR
    remove = activity(3, "Remove", member.ap_id, actor=ACTOR, origin=GROUP)
    assert from_group(club, remote_keys, remove, key_id=f"{ACTOR}#main-key").state == "done"
    assert membership(club).role == Role.REJECTED
    page = client.get(PAGE).get_data(as_text=True)
    assert "declined the membership of @ann" in page and "Ask to join" not in page


def test_the_account_is_emailed_the_groups_answers(mail_app, smtp, remote_keys):
    """Approved, then removed: each told by email, naming the identity and the group's page here."""
    make_account(mail_app)
    known_group(mail_app, remote_keys)
    member = ask_to_join(mail_app, signed_in(mail_app))
    from_group(mail_app, remote_keys, activity(1, "Accept", as_member(member)))
    from_group(mail_app, remote_keys, activity(2, "Remove", member.ap_id, origin=GROUP))
    approved, removed = smtp.wait_for(2)
    assert approved["To"] == "ann@example.org" and "Cycling club" in approved["Subject"]
    assert "@ann" in approved.get_content() and f"http://events.test{PAGE}" in approved.get_content()
    assert "removed your identity @ann" in removed.get_content()


def test_a_rejected_request(club, remote_keys):
    client = signed_in(club)
    member = ask_to_join(club, client)
    # Mobilizon's Reject names the membership by its id.
    assert from_group(club, remote_keys, activity(1, "Reject", member.ap_id)).state == "done"
    assert membership(club).role == Role.REJECTED


# What no one but the group's server may say about the membership: ignored, with the reason kept.
@pytest.mark.parametrize("verb, role, reason", [
    ("Accept", "member", "only the group's server answers for it"),
    ("Reject", None, "only the group's server answers for it"),
    ("Update", "administrator", "only the group's server changes its members' roles"),
    ("Remove", None, "only the group's server removes its members"),
])
def test_another_server_has_no_say_on_the_membership(club, remote_keys, verb, role, reason):
    member = ask_to_join(club, signed_in(club))
    # (An Update naming the group as the Member's own is refused at the inbox already: it claims this one's.)
    claimed = {**as_member(member, role), "object": "http://events.test/@club"} if role else member.ap_id
    document = activity(1, verb, claimed, actor=EVE)
    item = from_group(club, remote_keys, document, key_id=f"{EVE}#main-key", other_key=True)
    assert (item.state, item.error) == ("ignored", reason)
    assert membership(club).role == Role.NOT_APPROVED


def test_answers_about_no_membership_of_ours_are_ignored(club, remote_keys):
    ask_to_join(club, signed_in(club))
    stranger = {"type": "Member", "id": f"{REMOTE}/member/unknown", "actor": ANN, "object": GROUP, "role": "member"}
    item = from_group(club, remote_keys, activity(1, "Accept", stranger))
    assert (item.state, item.error) == ("ignored", "no such membership here")
    # A role that is not a member's is no role change.
    item = from_group(club, remote_keys, activity(2, "Update", as_member(membership(club), "administrator")))
    assert (item.state, item.error) == ("ignored", "not a member's role")
    assert membership(club).role == Role.NOT_APPROVED


def test_withdraw_and_leave_send_a_leave(club, remote_keys):
    client = signed_in(club)
    member = ask_to_join(club, client)
    step = {"identity": member.actor_id}
    assert submit(client, "/elsewhere/@club@remote.example/withdraw", step, page=PAGE).status_code == 302
    assert membership(club) is None
    [withdrawn] = sent(club, "Leave")
    assert withdrawn["actor"] == ANN and withdrawn["object"] == GROUP
    assert withdrawn["to"] == [f"{GROUP}/members"] and withdrawn["cc"] == [GROUP]
    # Leaving needs a membership; then it is told to the group too.
    assert submit(client, "/elsewhere/@club@remote.example/leave", step, page=PAGE).status_code == 403
    member = ask_to_join(club, client)
    from_group(club, remote_keys, activity(1, "Accept", as_member(member)))
    assert submit(client, "/elsewhere/@club@remote.example/leave", step, page=PAGE).status_code == 302
    assert membership(club) is None and len(sent(club, "Leave")) == 2
    assert "Ask to join" in client.get(PAGE).get_data(as_text=True)


def test_an_invite_only_group_shows_no_join_button_and_refuses_a_join(club):
    with club.app_context():
        Actor.update(openness="invite_only").where(Actor.ap_id == GROUP).execute()
        ann = Actor.get(Actor.ap_id == ANN)
    client = signed_in(club)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Joining is by invitation only" in page and "Ask to join" not in page and ">Join<" not in page
    response = submit(client, "/elsewhere/@club@remote.example/join", {"identity": ann.id}, page=PAGE)
    assert response.status_code == 403 and sent(club, "Join") == []


def test_bad_steps_and_identities_are_refused(club):
    client = signed_in(club)
    with club.app_context():
        alice = Actor.get(Actor.ap_id == ACTOR)
    assert submit(client, "/elsewhere/@club@remote.example/dance", {}, page=PAGE).status_code == 404
    assert submit(client, "/elsewhere/@nobody@remote.example/join", {}, page=PAGE).status_code == 404
    # Someone else's identity is no choice of this account.
    refused = submit(client, "/elsewhere/@club@remote.example/join", {"identity": alice.id}, page=PAGE)
    assert refused.status_code == 400 and sent(club, "Join") == []
    assert club.test_client().post("/elsewhere/@club@remote.example/join").status_code in (302, 400)


def test_the_page_names_only_the_identity_in_the_group(club, remote_keys):
    """ann's account has a second identity, ride, which joins: the page and My groups name ride only as
    the member, and the other identities are never said to be in the group."""
    with club.app_context():
        ride = identities.create_identity(Account.get(), "ride")
    client = signed_in(club)
    response = submit(client, "/elsewhere/@club@remote.example/join", {"identity": ride.id}, page=PAGE)
    assert response.status_code == 302
    with club.app_context():
        member = Member.get(Member.actor == ride.id)
    [join] = sent(club, "Join")
    assert join["actor"] == "http://events.test/@ride" and ANN not in json.dumps(join)
    from_group(club, remote_keys, activity(1, "Accept", {**as_member(member), "actor": ride.ap_id}))
    page = client.get(PAGE).get_data(as_text=True)
    assert "member of this group as @ride" in page and "as @ann" not in page
    mine = client.get("/groups/mine").get_data(as_text=True)
    assert "As @ride: member" in mine and "As @ann" not in mine


def test_the_group_document_gives_openness_and_member_count():
    assert group_settings_from_ap({"openness": "open", "memberCount": 3}) == {"openness": "open", "member_count": 3}
    for odd in ({}, {"openness": "anyone", "memberCount": "3"}, {"memberCount": -1}, {"memberCount": True}):
        assert group_settings_from_ap(odd) == {"openness": "moderated", "member_count": None}


@needs_fixtures
def test_the_captured_mobilizon_group_is_stored_with_its_settings(app):
    from mobilizon_lite.services.actors import actor_from_ap

    document = json.loads((FIXTURES / "external" / "mobilizon.fr-group-framasoft.json").read_text())
    with app.app_context():
        group = actor_from_ap(document)
        assert (group.type, group.openness, group.member_count) == ("Group", "moderated", 14)
        assert group.handle == "framasoft@mobilizon.fr"
        assert group.avatar_url == document["icon"]["url"] and group.banner_url == document["image"]["url"]
    page = app.test_client().get("/@framasoft@mobilizon.fr").get_data(as_text=True)
    assert "Framasoft" in page and "14 members" in page
    # Its pictures are shown from its server, by their address.
    assert f'src="{escape(document["icon"]["url"])}"' in page and f'src="{escape(document["image"]["url"])}"' in page


@pytest.mark.parametrize("value, url", [
    ({"type": "Image", "url": "https://x.example/a.png"}, "https://x.example/a.png"),
    ([{"type": "Image", "url": [{"type": "Link", "href": "https://x.example/b.png"}]}], "https://x.example/b.png"),
    ("https://x.example/c.png", "https://x.example/c.png"),
    ({"url": "javascript:alert(1)"}, None), ({"url": "https://x.example/" + "a" * 3000}, None),
    (None, None), ([], None),
])
def test_an_actors_picture_is_taken_by_its_http_address_only(value, url):
    assert image_url_from_ap(value) == url


@pytest.mark.parametrize("query, address", [
    ("@club@remote.example", True), ("club@remote.example:8080", True), ("https://remote.example/@club", True),
    ("club remote.example", False), ("@club", False), ("@club@", False), ("a@b@c", False),
    ("@club@remote.example/x", False), ("cycling club", False),
])
def test_a_handle_or_a_link_is_looked_up_words_are_searched(query, address):
    assert search.is_address(query) is address


def test_a_visitor_looking_up_a_handle_is_asked_to_log_in_first(club):
    response = club.test_client().get("/search", query_string={"q": "@club@remote.example"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
