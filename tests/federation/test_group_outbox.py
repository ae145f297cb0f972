"""What a local group sends about its content: a public event or post goes to its followers and remote
members as the member's Create and the group's Announce; members-only content and private events reach
its remote members only, never its followers, drafts nobody; and what left the public is no longer
served in the group's name."""
import pytest

from mobilizon_lite.models import Activity, Actor, Delivery, Event
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import comments, event_federation, events, groups, posts

from ..helpers import make_account, make_event, make_group, service_fields
from .remote import ACTOR, follow, post

MEMBER = "https://members.example/users/max"
CLUB = "http://events.test/@club"


@pytest.fixture
def club(app, remote_keys):
    """ann's group @club, followed by alice (remote.example) and with max (members.example) as a member."""
    (private, public), _other = remote_keys
    make_account(app)
    group = make_group(app)
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, inbox=f"{ACTOR}/inbox",
                     public_key_pem=public)
        max_ = Actor.create(preferred_username="max", domain="members.example", ap_id=MEMBER,
                            inbox=f"{MEMBER}/inbox")
        groups.new_member_row(group, max_, Role.MEMBER)
    post(app, follow(1, object=CLUB), key=private, path="/@club/inbox")
    with app.app_context():
        Delivery.delete().execute()  # the Accept
    return group


def queued(app):
    """(type, actor, inbox) of each delivery queued, in order."""
    with app.app_context():
        return [(row.activity.type, row.activity.actor.preferred_username, row.inbox_url)
                for row in Delivery.select().order_by(Delivery.id)]


def sent(app, verb):
    with app.app_context():
        return [row.body for row in Activity.select().where(Activity.type == verb).order_by(Activity.id)]


def audience(app):
    return {inbox for _verb, _actor, inbox in queued(app)}


def ann(app):
    with app.app_context():
        return Actor.get(Actor.preferred_username == "ann")


def test_a_public_group_event_is_created_by_the_member_and_announced_by_the_group(app, club):
    event = make_event(app, group=club, title="Club picnic")
    assert [(verb, actor) for verb, actor, _inbox in queued(app)] == [("Create", "ann")] * 2 + [
        ("Announce", "club")] * 2
    assert audience(app) == {f"{ACTOR}/inbox", f"{MEMBER}/inbox"}
    [create], [announce] = sent(app, "Create"), sent(app, "Announce")
    assert create["actor"] == "http://events.test/@ann" and create["object"]["attributedTo"] == CLUB
    assert create["cc"] == [f"{CLUB}/followers"]
    assert announce["actor"] == CLUB and announce["object"]["id"] == event.ap_id
    assert announce["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert announce["cc"] == [f"{CLUB}/followers", f"{CLUB}/members"]
    # The group's outbox lists its Announce, served at its id.
    outbox = app.test_client().get("/@club/outbox?page=1").json
    assert [item["id"] for item in outbox["orderedItems"]] == [announce["id"]]
    served = app.test_client().get(announce["id"].replace("http://events.test", "")).json
    assert served["object"]["name"] == "Club picnic"


def test_a_comment_on_a_group_event_reaches_its_followers_and_members_servers(app, club):
    event = make_event(app, group=club, title="Club picnic")
    with app.app_context():
        Delivery.delete().execute()
        comments.comment_on(event, ann(app), "I bring bread")
    # They hold the event: its comments reach them, as its participants'.
    assert queued(app) == [("Create", "ann", f"{ACTOR}/inbox"), ("Create", "ann", f"{MEMBER}/inbox")]


def test_an_event_made_private_is_no_longer_announced_nor_served(app, club):
    event = make_event(app, group=club, title="Club picnic")
    [announce] = sent(app, "Announce")
    with app.app_context():
        Delivery.delete().execute()
        events.update_event(event, ann(app), service_fields(title="Club picnic", visibility="private"))
    # Its followers' servers are told to forget their public copy, by ann and Announced by the group (as
    # it was published); its remote members' get the private event, addressed to the members only.
    assert queued(app) == [("Delete", "ann", f"{ACTOR}/inbox"), ("Announce", "club", f"{ACTOR}/inbox"),
                           ("Update", "ann", f"{MEMBER}/inbox"), ("Announce", "club", f"{MEMBER}/inbox")]
    withdrawal, private = sent(app, "Announce")[-2:]
    assert withdrawal["object"]["type"] == "Delete" and withdrawal["object"]["object"]["id"] == event.ap_id
    assert private["to"] == [f"{CLUB}/members"]
    assert app.test_client().get(announce["id"].replace("http://events.test", "")).status_code == 404
    outbox = app.test_client().get("/@club/outbox?page=1").json
    assert outbox["orderedItems"] == []


def test_a_private_group_event_reaches_the_groups_members_never_its_followers(app, club):
    make_event(app, group=club, title="Members only", visibility="private")
    assert queued(app) == [("Create", "ann", f"{MEMBER}/inbox"), ("Announce", "club", f"{MEMBER}/inbox")]
    assert all(body["to"] == [f"{CLUB}/members"] and body["cc"] == [] for body in sent(app, "Announce"))


# What a post is -> who hears of it: members-only posts their members elsewhere, drafts nobody.
@pytest.mark.parametrize("data, inboxes", [({"visibility": "members"}, [f"{MEMBER}/inbox"] * 2),
                                           ({"visibility": "public", "draft": "y"}, [])])
def test_members_only_posts_and_drafts_are_not_sent_to_followers(app, club, data, inboxes):
    with app.app_context():
        posts.create_post(club, ann(app), {"title": "Inside news", "body": "Hush.", **data})
    assert [inbox for _verb, _actor, inbox in queued(app)] == inboxes


def test_a_post_is_announced_changed_and_withdrawn(app, club):
    with app.app_context():
        draft = posts.create_post(club, ann(app), {"title": "News", "body": "Soon.", "draft": "y"})
        published = posts.update_post(draft, ann(app), {"title": "News", "body": "Out now.", "visibility": "public"})
    assert [verb for verb, _actor, _inbox in queued(app)] == ["Create", "Create", "Announce", "Announce"]
    [announce] = sent(app, "Announce")
    assert announce["object"]["type"] == "Article" and announce["object"]["content"] == "<p>Out now.</p>"
    with app.app_context():
        Delivery.delete().execute()
        edited = posts.update_post(published, ann(app), {"title": "News!", "body": "Out now.", "visibility": "public"})
    assert [verb for verb, _actor, _inbox in queued(app)] == ["Update", "Update", "Announce", "Announce"]
    # One Announce of the post stays, the newest, and the member's Create carries the post as it is now.
    [announce] = sent(app, "Announce")
    assert announce["object"]["name"] == "News!"
    [create] = sent(app, "Create")
    assert app.test_client().get(create["id"].replace("http://events.test", "")).json["object"]["name"] == "News!"
    with app.app_context():
        Delivery.delete().execute()
        posts.update_post(edited, ann(app), {"title": "News!", "body": "Out now.", "visibility": "members"})
    # Its followers' servers forget it; its members' keep it, for members only.
    assert queued(app) == [("Delete", "ann", f"{ACTOR}/inbox"), ("Announce", "club", f"{ACTOR}/inbox"),
                           ("Create", "ann", f"{MEMBER}/inbox"), ("Announce", "club", f"{MEMBER}/inbox")]
    assert [announce["object"]["type"] for announce in sent(app, "Announce")[-2:]] == ["Delete", "Create"]
    # Nothing served in the group's name shows a post that is now for members only.
    for activity in sent(app, "Announce") + sent(app, "Create") + sent(app, "Update"):
        response = app.test_client().get(activity["id"].replace("http://events.test", ""))
        assert response.status_code == 404 or "Out now." not in response.get_data(as_text=True)


def test_a_moderators_edit_of_a_group_event_is_sent_as_theirs(app, club):
    event = make_event(app, group=club, title="Club picnic")
    make_account(app, email="mona@example.org", username="mona")
    with app.app_context():
        mona = Actor.get(Actor.preferred_username == "mona")
        groups.new_member_row(club, mona, Role.MODERATOR)
        Delivery.delete().execute()
        events.update_event(event, mona, service_fields(title="Club picnic, moved"))
    [update] = sent(app, "Update")
    assert update["actor"] == "http://events.test/@mona" and update["object"]["actor"] == "http://events.test/@ann"
    assert [(verb, actor) for verb, actor, _inbox in queued(app)] == [("Update", "mona")] * 2 + [
        ("Announce", "club")] * 2


def test_a_deleted_groups_posts_are_no_longer_served(app, club):
    with app.app_context():
        posts.create_post(club, ann(app), {"title": "News", "body": "Out now.", "visibility": "public"})
        Delivery.delete().execute()
        groups.delete_group(club, ann(app))
    for activity in sent(app, "Announce") + sent(app, "Create"):
        assert app.test_client().get(activity["id"].replace("http://events.test", "")).status_code == 404
    # Its Delete reaches its followers' servers and its members', which hold its members-only content.
    assert queued(app) == [("Delete", "club", f"{ACTOR}/inbox"), ("Delete", "club", f"{MEMBER}/inbox")]


def test_a_moderator_of_elsewhere_edits_and_deletes_a_group_event_as_their_role_allows(app, club, remote_keys):
    (private, _public), _other = remote_keys
    event = make_event(app, group=club, title="Club picnic")
    with app.app_context():
        alice = Actor.get(Actor.ap_id == ACTOR)
        member = groups.new_member_row(club, alice, Role.MEMBER)
        Delivery.delete().execute()
        document = event_federation.event_document(event)
    edited = {**document, "name": "Club picnic, moved", "actor": ACTOR}
    update = {"id": f"{ACTOR}/updates/1", "type": "Update", "actor": ACTOR, "object": edited}
    post(app, update, key=private, path="/@club/inbox")
    with app.app_context():
        # A plain member does not edit the group's events.
        assert Event.get_by_id(event.id).title == "Club picnic" and not Delivery.select().exists()
        member.role = Role.MODERATOR
        member.save()
    post(app, {**update, "id": f"{ACTOR}/updates/2"}, key=private, path="/@club/inbox")
    with app.app_context():
        changed = Event.get_by_id(event.id)
        assert changed.title == "Club picnic, moved" and changed.description_source == event.description_source
    # alice's Update came from her server: the group alone Announces the change, to its followers and members.
    assert [(verb, actor) for verb, actor, _inbox in queued(app)] == [("Announce", "club")] * 2
    assert sent(app, "Announce")[-1]["object"]["name"] == "Club picnic, moved"
    with app.app_context():
        Delivery.delete().execute()
    delete = {"id": f"{ACTOR}/deletes/1", "type": "Delete", "actor": ACTOR, "object": event.ap_id}
    post(app, delete, key=private, path="/@club/inbox")
    with app.app_context():
        assert not Event.select().where(Event.id == event.id).exists()
    assert [(verb, actor) for verb, actor, _inbox in queued(app)] == [("Announce", "club")] * 2
    assert sent(app, "Announce")[-1]["object"]["type"] == "Delete"
