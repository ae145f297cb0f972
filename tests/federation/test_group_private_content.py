"""A group's members-only content across servers, in process: what our group sends its members elsewhere
(and never its followers), what a member elsewhere sends it (checked against their role, then relayed
by the group to the other members), and what a group of elsewhere shares with an identity here."""
import pytest

from mobilizon_lite.models import (
    Activity,
    Actor,
    Comment,
    Delivery,
    Discussion,
    DiscussionComment,
    Follow,
    InboxItem,
    Member,
    Post,
    Resource,
)
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import discussions, posts, resources, todos
from mobilizon_lite.services.groups import new_member_row

from ..helpers import make_event, make_group
from .remote import ACTOR, EVE, REMOTE, post

GROUP = "http://events.test/@club"
MEMBERS = f"{GROUP}/members"
MALLORY = f"{REMOTE}/users/mallory"
AS = "https://www.w3.org/ns/activitystreams"
REMOTE_GROUP = f"{REMOTE}/@mygroup"


@pytest.fixture
def club(fed):
    """ann's group club with alice (remote.example) and eve (elsewhere.example) as members; mallory is not one."""
    group = make_group(fed)
    with fed.app_context():
        new_member_row(group, Actor.get(Actor.ap_id == ACTOR), Role.MEMBER)
        new_member_row(group, Actor.get(Actor.ap_id == EVE), Role.MEMBER)
        follower = Actor.create(preferred_username="fan", domain="fans.example", ap_id="https://fans.example/fan",
                                inbox="https://fans.example/fan/inbox")
        Follow.create(follower=follower, followed=group, ap_id="https://fans.example/follows/1", accepted=True)
    return group


def ann(app):
    return Actor.get((Actor.preferred_username == "ann") & Actor.domain.is_null())


def queued(app, verb):
    """(inboxes, body) of each queued activity of one type, oldest first."""
    with app.app_context():
        return [(sorted(row.inbox_url for row in Delivery.select().where(Delivery.activity == stored.id)),
                 stored.body) for stored in Activity.select().where(Activity.type == verb).order_by(Activity.id)]


def start(app, group, title="Picnic", text="Who brings bread?"):
    with app.app_context():
        return discussions.start_discussion(group, ann(app), title, text)


def note(number, context, actor=ACTOR, **extra):
    host = actor.split("/")[2]
    return {"type": "Note", "id": f"https://{host}/notes/{number}", "actor": actor, "attributedTo": actor,
            "context": context, "name": "Picnic", "content": f"<p>message {number}</p>", "to": [MEMBERS], **extra}


def activity(number, verb, obj, actor=ACTOR, **extra):
    host = actor.split("/")[2]
    return {"@context": AS, "id": f"https://{host}/activities/{number}", "type": verb, "actor": actor,
            "object": obj, "to": [MEMBERS], **extra}


def send(app, remote_keys, document, signer="alice"):
    (private, _public), (other, _other_public) = remote_keys
    key, key_id = {"alice": (private, f"{ACTOR}#main-key"), "mallory": (other, f"{MALLORY}#main-key"),
                   "eve": (other, f"{EVE}#main-key"), "group": (private, f"{REMOTE_GROUP}#main-key")}[signer]
    response = post(app, document, key=key, key_id=key_id)
    assert response.status_code == 202, response.get_data(as_text=True)
    with app.app_context():
        return InboxItem.get(InboxItem.activity_id == document["id"])


def test_a_discussion_goes_to_the_members_elsewhere_and_never_to_followers(fed, club):
    discussion = start(fed, club)
    [(inboxes, create)] = queued(fed, "Create")
    [(announced_to, announce)] = queued(fed, "Announce")
    assert inboxes == announced_to == sorted([f"{REMOTE}/inbox", f"{EVE}/inbox"])
    assert create["actor"] == "http://events.test/@ann" and create["to"] == [MEMBERS] and create["cc"] == []
    message = create["object"]
    assert message["type"] == "Note" and message["context"] == discussion.ap_id and message["name"] == "Picnic"
    assert announce["actor"] == GROUP and announce["to"] == [MEMBERS] and announce["cc"] == []
    assert announce["object"]["id"] == create["id"] and announce["object"]["object"]["id"] == message["id"]
    with fed.app_context():
        assert not Activity.select().where(Activity.public | Activity.listed).exists()
        discussions.rename_discussion(discussion, ann(fed), "Summer picnic")
    [(_inboxes, update)] = queued(fed, "Update")
    assert update["object"]["id"] == discussion.ap_id and update["object"]["name"] == "Summer picnic"


def test_members_only_posts_resources_and_todos_reach_members_only(fed, club):
    with fed.app_context():
        posts.create_post(club, ann(fed), {"title": "Minutes", "body": "Secret", "visibility": "members"})
        folder = resources.add_resource(club, ann(fed), "folder", None, "Papers")
        link = resources.add_resource(club, ann(fed), "link", folder, "Pad", "https://pad.example/1")
        resources.move_resource(club, link, ann(fed), "")
        todo_list = todos.create_list(club, ann(fed), "Picnic")
        todos.add_todo(club, todo_list, ann(fed), "Bread")
    kinds = [body["object"]["type"] for _inboxes, body in queued(fed, "Create")]
    assert kinds == ["Article", "ResourceCollection", "Document", "TodoList", "Todo"]
    for inboxes, body in queued(fed, "Create") + queued(fed, "Announce") + queued(fed, "Move"):
        assert inboxes == sorted([f"{REMOTE}/inbox", f"{EVE}/inbox"]) and body["to"] == [MEMBERS]
        assert "https://fans.example/fan/inbox" not in inboxes
    [(_inboxes, move)] = queued(fed, "Move")
    assert move["origin"] == folder.ap_id and move["target"] == f"{GROUP}/resources"
    assert move["object"]["id"] == link.ap_id


def test_a_members_message_is_kept_and_relayed_to_the_other_members(fed, club, remote_keys):
    discussion = start(fed, club)
    item = send(fed, remote_keys, activity(1, "Create", note(1, discussion.ap_id)))
    assert item.state == "done", item.error
    with fed.app_context():
        message = DiscussionComment.get(DiscussionComment.ap_id == f"{REMOTE}/notes/1")
        assert message.discussion_id == discussion.id and message.actor.ap_id == ACTOR
    relayed = queued(fed, "Announce")[-1]
    # To every member elsewhere, alice's server included: it learns that the group took her message.
    assert relayed[0] == sorted([f"{EVE}/inbox", f"{REMOTE}/inbox"])
    assert relayed[1]["actor"] == GROUP and relayed[1]["object"]["object"]["id"] == f"{REMOTE}/notes/1"


def test_a_non_members_message_is_ignored(fed, club, remote_keys):
    discussion = start(fed, club)
    item = send(fed, remote_keys, activity(2, "Create", note(2, discussion.ap_id, actor=MALLORY),
                                           actor=MALLORY), signer="mallory")
    assert item.state == "ignored" and "role" in item.error
    with fed.app_context():
        assert DiscussionComment.select().count() == 1
    assert len(queued(fed, "Announce")) == 1  # the discussion's own


# (role of the sender, whose message) -> whether their Delete of it is taken. The other message is
# mallory's, a member on alice's server (the inbox takes Deletes of objects of the sender's server only).
@pytest.mark.parametrize("role, own, taken", [
    (Role.MEMBER, True, True),
    (Role.MEMBER, False, False),
    (Role.MODERATOR, False, True),
    (Role.NOT_APPROVED, True, False),
])
def test_deleting_a_message_follows_the_senders_role(fed, club, remote_keys, role, own, taken):
    discussion = start(fed, club)
    with fed.app_context():
        new_member_row(club, Actor.get(Actor.ap_id == MALLORY), Role.MEMBER)
    send(fed, remote_keys, activity(3, "Create", note(3, discussion.ap_id)))
    send(fed, remote_keys, activity(33, "Create", note(33, discussion.ap_id, actor=MALLORY), actor=MALLORY),
         signer="mallory")
    with fed.app_context():
        alice = Actor.get(Actor.ap_id == ACTOR)
        Member.update(role=role).where((Member.actor == alice) & (Member.group == club)).execute()
    target = f"{REMOTE}/notes/3" if own else f"{REMOTE}/notes/33"
    item = send(fed, remote_keys, activity(4, "Delete", target))
    assert (item.state == "done") == taken, item.error
    with fed.app_context():
        gone = DiscussionComment.get(DiscussionComment.ap_id == target).deleted_at is not None
    assert gone == taken


def test_a_member_adds_a_resource_a_non_member_cannot(fed, club, remote_keys):
    document = {"type": "Document", "id": f"{REMOTE}/resources/1", "name": "Map", "url": "https://maps.example/1",
                "actor": GROUP, "attributedTo": [ACTOR], "context": f"{GROUP}/resources"}
    assert send(fed, remote_keys, activity(5, "Create", document)).state == "done"
    stranger = {**document, "id": "https://elsewhere.example/resources/2", "attributedTo": [EVE]}
    with fed.app_context():
        Member.delete().where(Member.actor == Actor.get(Actor.ap_id == EVE)).execute()
    item = send(fed, remote_keys, activity(6, "Create", stranger, actor=EVE), signer="eve")
    assert item.state == "ignored"
    with fed.app_context():
        assert [row.title for row in Resource.select()] == ["Map"]


@pytest.fixture
def elsewhere(fed, remote_keys):
    """A group on remote.example (signing with alice's key) of which ann is a member."""
    _private, public = remote_keys[0]
    with fed.app_context():
        group = Actor.create(type="Group", preferred_username="mygroup", domain="remote.example",
                             ap_id=REMOTE_GROUP, inbox=f"{REMOTE_GROUP}/inbox", shared_inbox=f"{REMOTE}/inbox",
                             public_key_pem=public)
        new_member_row(group, ann(fed), Role.MEMBER)
    return group


def test_a_group_elsewhere_shares_its_discussion_with_our_member(fed, elsewhere, remote_keys):
    context = f"{REMOTE}/@mygroup/c/picnic"
    create = activity(7, "Create", note(7, context, to=[f"{REMOTE_GROUP}/members"]))
    announce = {"@context": AS, "id": f"{REMOTE}/activities/8", "type": "Announce", "actor": REMOTE_GROUP,
                "object": create, "to": [f"{REMOTE_GROUP}/members"]}
    assert send(fed, remote_keys, announce, signer="group").state == "done"
    with fed.app_context():
        discussion = Discussion.get(Discussion.ap_id == context)
        assert discussion.group_id == elsewhere.id and discussion.title == "Picnic"
        assert [m.text for m in discussions.messages_of(discussion)] == ["<p>message 7</p>"]
        # ann, a member, reads it; nobody else.
        assert discussions.discussions_of(elsewhere, ann(fed))[0].id == discussion.id
        with pytest.raises(discussions.NotFound):
            discussions.discussions_of(elsewhere, Actor.get(Actor.ap_id == EVE))
        # ann answers: her message goes to the group.
        discussions.reply(discussion, ann(fed), "I bring bread")
    [(inboxes, reply)] = queued(fed, "Create")
    assert inboxes == [f"{REMOTE}/inbox"] and reply["object"]["context"] == context
    # The group deletes the first message.
    deletion = {"@context": AS, "id": f"{REMOTE}/activities/9", "type": "Announce", "actor": REMOTE_GROUP,
                "object": {"type": "Delete", "actor": ACTOR, "object": f"{REMOTE}/notes/7"}}
    assert send(fed, remote_keys, deletion, signer="group").state == "done"
    with fed.app_context():
        assert DiscussionComment.get(DiscussionComment.ap_id == f"{REMOTE}/notes/7").deleted_at is not None


def test_a_group_elsewhere_without_members_here_is_ignored(fed, elsewhere, remote_keys):
    with fed.app_context():
        Member.delete().execute()
    create = activity(10, "Create", note(10, f"{REMOTE}/@mygroup/c/x", to=[f"{REMOTE_GROUP}/members"]))
    item = send(fed, remote_keys, create)
    assert item.state == "ignored" and "no member" in item.error
    with fed.app_context():
        assert not Discussion.select().exists() and not Post.select().exists()


def test_a_member_elsewhere_opens_a_discussion_on_their_own_server_only(fed, club, remote_keys):
    opened = send(fed, remote_keys, activity(11, "Create", note(11, f"{REMOTE}/c/new", name="Kit list")))
    assert opened.state == "done", opened.error
    foreign = send(fed, remote_keys, activity(12, "Create", note(12, "https://elsewhere.example/c/other")))
    assert foreign.state == "ignored" and "author's server" in foreign.error
    with fed.app_context():
        [discussion] = Discussion.select()
        assert discussion.group_id == club.id and discussion.title == "Kit list"
        assert discussion.ap_id == f"{REMOTE}/c/new"
    [(inboxes, relayed)] = queued(fed, "Announce")
    assert inboxes == sorted([f"{EVE}/inbox", f"{REMOTE}/inbox"]) and relayed["object"]["object"]["name"] == "Kit list"


def test_a_comment_on_a_group_event_addressed_to_its_members_stays_a_comment(fed, club, remote_keys):
    event = make_event(fed, group=club, title="Picnic")
    reply = {"type": "Note", "id": "https://elsewhere.example/notes/1", "attributedTo": EVE, "actor": EVE,
             "inReplyTo": event.ap_id, "context": "https://elsewhere.example/contexts/1", "content": "<p>Yes!</p>",
             "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [MEMBERS]}
    item = send(fed, remote_keys, activity(13, "Create", reply, actor=EVE), signer="eve")
    assert item.state == "done", item.error
    with fed.app_context():
        assert Comment.get(Comment.ap_id == reply["id"]).text == "<p>Yes!</p>"
        assert not Discussion.select().exists()
