"""The members' pages of a group of elsewhere, here: what the group shared with our identity that is its
member (discussions and their messages, members-only posts, resources, todo lists) shown to that
member's account only, and what it writes there (a discussion, a reply, a resource) sent to the group."""
import pytest

from mobilizon_lite.models import Actor, Discussion, DiscussionComment, Resource, TodoList
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services.groups import new_member_row

from ..helpers import log_in, make_account, submit
from .remote import ACTOR, REMOTE
from .test_group_private_content import AS, activity, ann, note, queued, send

GROUP = f"{REMOTE}/@mygroup"
MEMBERS = f"{GROUP}/members"
PAGE = "/@mygroup@remote.example"
CONTEXT = f"{GROUP}/c/picnic"


def announced(number, inner):
    """The group's Announce of inner, to its members."""
    return {"@context": AS, "id": f"{REMOTE}/activities/{number}", "type": "Announce", "actor": GROUP,
            "object": inner, "to": [MEMBERS]}


@pytest.fixture
def mygroup(fed, remote_keys):
    """A group on remote.example (signing with alice's key), ann a member with role; bob (another account)
    in no group. The group shared a discussion, a members-only post, a link and a todo list."""
    _private, public = remote_keys[0]
    make_account(fed, email="bob@example.org", username="bob")
    with fed.app_context():
        group = Actor.create(type="Group", preferred_username="mygroup", domain="remote.example", ap_id=GROUP,
                             name="My group", inbox=f"{GROUP}/inbox", shared_inbox=f"{REMOTE}/inbox",
                             public_key_pem=public)
        new_member_row(group, ann(fed), Role.MEMBER)
    shared = [
        activity(1, "Create", note(1, CONTEXT, to=[MEMBERS]), to=[MEMBERS]),
        activity(2, "Create", {"type": "Article", "id": f"{GROUP}/p/minutes", "name": "Minutes of June",
                               "content": "<p>We met.</p>", "attributedTo": GROUP, "actor": ACTOR,
                               "published": "2026-06-02T10:00:00Z", "to": [MEMBERS]}, actor=GROUP, to=[MEMBERS]),
        activity(3, "Create", {"type": "Document", "id": f"{GROUP}/resource/map", "name": "Route map",
                               "url": "https://maps.example/route", "attributedTo": [ACTOR], "actor": GROUP,
                               "context": f"{GROUP}/resources"}, to=[MEMBERS]),
        activity(4, "Create", {"type": "TodoList", "id": f"{GROUP}/todo-list/kit", "name": "Kit to bring",
                               "attributedTo": GROUP}, to=[MEMBERS]),
    ]
    for number, inner in enumerate(shared, start=10):
        item = send(fed, remote_keys, announced(number, inner), signer="group")
        assert item.state == "done", (number, item.error)
    return group


def client_of(app, email="ann@example.org"):
    client = app.test_client()
    log_in(client, email=email)
    return client


def test_a_member_reads_what_the_group_shared_on_its_page(fed, mygroup):
    page = client_of(fed).get(PAGE).get_data(as_text=True)
    assert "You are a member of this group as @ann" in page
    assert "Picnic" in page and "1 message" in page and "Minutes of June" in page and "Members only" in page
    for path in ("discussions", "resources", "todos"):
        assert f'href="/@mygroup@remote.example/{path}"' in page
    with fed.app_context():
        slug = Discussion.get(Discussion.ap_id == CONTEXT).slug
    thread = client_of(fed).get(f"{PAGE}/c/{slug}").get_data(as_text=True)
    # The author is named by their handle elsewhere, linked to their server.
    assert "<p>message 1</p>" in thread and "@alice@remote.example" in thread and f'href="{ACTOR}"' in thread
    resources = client_of(fed).get(f"{PAGE}/resources").get_data(as_text=True)
    assert "Route map" in resources and "https://maps.example/route" in resources
    assert "Kit to bring" in client_of(fed).get(f"{PAGE}/todos").get_data(as_text=True)


def test_anyone_else_sees_none_of_it(fed, mygroup):
    with fed.app_context():
        slug = Discussion.get(Discussion.ap_id == CONTEXT).slug
    for client in (client_of(fed, "bob@example.org"), fed.test_client()):
        page = client.get(PAGE).get_data(as_text=True)
        assert "My group" in page and "Picnic" not in page and "Minutes of June" not in page
        for path in (f"c/{slug}", "discussions", "resources", "todos", "discussions/new"):
            assert client.get(f"{PAGE}/{path}").status_code in (302, 404)
    assert fed.test_client().get(f"{PAGE}/discussions", headers={"Accept": "application/activity+json"}
                                 ).status_code == 404


def test_a_member_replies_starts_a_discussion_and_adds_a_link_sent_to_the_group(fed, mygroup):
    client = client_of(fed)
    with fed.app_context():
        slug = Discussion.get(Discussion.ap_id == CONTEXT).slug
    thread = f"{PAGE}/c/{slug}"
    assert submit(client, f"{thread}/reply", {"text": "I bring bread"}, page=thread).status_code == 302
    new = submit(client, f"{PAGE}/discussions/new", {"title": "Autumn ride", "text": "Which Sunday?"})
    assert new.status_code == 302 and new.headers["Location"].startswith(f"{PAGE}/c/")
    link = submit(client, f"{PAGE}/resources/new?kind=link",
                  {"title": "Club pad", "url": "https://pad.example/club", "description": ""})
    assert link.status_code == 302
    creates = queued(fed, "Create")
    assert [inboxes for inboxes, _body in creates] == [[f"{REMOTE}/inbox"]] * 3
    reply, started, document = (body for _inboxes, body in creates)
    assert reply["to"] == [MEMBERS] and reply["object"]["context"] == CONTEXT
    assert reply["object"]["type"] == "Note" and "I bring bread" in reply["object"]["content"]
    assert started["object"]["name"] == "Autumn ride" and started["object"]["context"].startswith(
        "http://events.test/@mygroup@remote.example/c/")
    assert document["object"]["type"] == "Document" and document["object"]["url"] == "https://pad.example/club"
    assert document["to"] == [MEMBERS]
    page = client.get(PAGE).get_data(as_text=True)
    assert "Autumn ride" in page and "2 messages" in page
    with fed.app_context():
        assert Resource.select().where(Resource.title == "Club pad").exists()


def test_what_a_member_writes_waits_until_the_group_passes_it_on(fed, mygroup, remote_keys):
    client = client_of(fed)
    with fed.app_context():
        slug = Discussion.get(Discussion.ap_id == CONTEXT).slug
    thread = f"{PAGE}/c/{slug}"
    submit(client, f"{thread}/reply", {"text": "I bring bread"}, page=thread)
    submit(client, f"{PAGE}/resources/new?kind=link", {"title": "Club pad", "url": "https://pad.example/club"})
    submit(client, f"{PAGE}/todos/new", {"title": "Tents"}, page=f"{PAGE}/todos")
    pages = (thread, f"{PAGE}/resources", f"{PAGE}/todos")
    assert all(client.get(path).get_data(as_text=True).count("Waiting for the group") == 1 for path in pages)
    # The group Announces each Create to its members, ann's server included: each is taken as confirmed.
    creates = [body for _inboxes, body in queued(fed, "Create")]
    assert [create["object"]["type"] for create in creates] == ["Note", "Document", "TodoList"]
    for number, create in enumerate(creates, start=20):
        item = send(fed, remote_keys, announced(number, create), signer="group")
        assert item.state == "done", item.error
    assert not any("Waiting for the group" in client.get(path).get_data(as_text=True) for path in pages)
    with fed.app_context():
        assert not DiscussionComment.select().where(DiscussionComment.pending).exists()
        assert not Resource.select().where(Resource.pending).exists()
        assert not TodoList.select().where(TodoList.pending).exists()


def test_only_the_groups_server_confirms_and_only_what_is_the_groups(fed, mygroup, remote_keys):
    client = client_of(fed)
    submit(client, f"{PAGE}/todos/new", {"title": "Tents"}, page=f"{PAGE}/todos")
    [(_inboxes, create)] = queued(fed, "Create")
    # Announced by someone else than the group: not taken.
    forged = dict(announced(30, create), actor=ACTOR, id=f"{REMOTE}/activities/30")
    send(fed, remote_keys, forged)
    with fed.app_context():
        assert TodoList.get(TodoList.ap_id == create["object"]["id"]).pending
    # An object with an address here that this instance does not hold is not taken from the group.
    made_up = dict(create, object=dict(create["object"], id="http://events.test/@mygroup@remote.example/todos/x"))
    item = send(fed, remote_keys, announced(31, made_up), signer="group")
    assert item.state == "ignored" and "its author's or its group's server" in item.error
    with fed.app_context():
        assert not TodoList.select().where(TodoList.ap_id == made_up["object"]["id"]).exists()
