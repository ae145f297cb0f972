"""A group's shared resources: members add, edit, move and delete links and folders; everyone else
(visitors, logged-in strangers, invited, pending and rejected people) finds nothing there, on pages
as in ActivityStreams documents fetched without a member's signature."""
import pytest
from bovine.crypto.http_signature import build_signature
from bovine.crypto.types import CryptographicSecret
from bovine.utils import get_gmt_now

from mobilizon_lite.models import Actor, Resource, Todo, TodoList
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import groups, resources, todos

from ..helpers import assert_not_found, errors, log_in, make_account, make_group, submit

AP = {"Accept": "application/activity+json"}
MEMBERS = ("administrator", "moderator", "member")
NOT_MEMBERS = ("invited", "not_approved", "rejected", "stranger", "visitor")
# The identity of each role's account (the administrator is ann, who made the group).
USERNAMES = {"administrator": "ann", "moderator": "mo", "member": "mel", "invited": "ivy", "not_approved": "pat",
             "rejected": "rex", "stranger": "stan"}


def identity(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


@pytest.fixture
def club(app):
    """The group @club of ann (its administrator), holding the folder Board > Minutes, the link Pad in
    Board, and the todo list Fair with one task."""
    make_account(app)
    group = make_group(app)
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        board = resources.add_resource(group, ann, Resource.FOLDER, None, "Board")
        minutes = resources.add_resource(group, ann, Resource.FOLDER, board, "Minutes")
        pad = resources.add_resource(group, ann, Resource.LINK, board, "Pad", "https://pad.example/board",
                                     "The board's notes")
        fair = todos.create_list(group, ann, "Fair")
        task = todos.add_todo(group, fair, ann, "Book the hall")
    return {"group": group, "board": board, "minutes": minutes, "pad": pad, "fair": fair, "task": task}


def person(app, role, group):
    """A client for someone of role in group (logged out for a visitor, no membership for a stranger)."""
    client = app.test_client()
    if role == "visitor":
        return client
    if role == "administrator":
        log_in(client)
        return client
    make_account(app, f"{role}@example.org", USERNAMES[role])
    if role != "stranger":
        with app.app_context():
            groups.new_member_row(group, Actor.get(Actor.preferred_username == USERNAMES[role]), Role(role))
    log_in(client, f"{role}@example.org")
    return client


def post(client, url, data):
    """POST with the session's CSRF token, taken from a page anyone may open."""
    return submit(client, url, data, page="/events/new" if client.get("/events/new").status_code == 200 else "/login")


def count(app, model):
    with app.app_context():
        return model.select().count()


def parent_of(app, resource):
    with app.app_context():
        return Resource.get_by_id(resource.id).parent_id


# Each action: (request, check that it took effect).
ACTIONS = {
    "view": (lambda c, s: c.get("/@club/resources"), None),
    "view_folder": (lambda c, s: c.get(f"/@club/resources/{s['board'].uuid}"), None),
    "add_link": (lambda c, s: post(c, f"/@club/resources/new?kind=link&folder={s['board'].uuid}",
                                   {"title": "Video room", "url": "https://visio.example/club", "description": ""}),
                 lambda app, s: count(app, Resource) == 4),
    "add_folder": (lambda c, s: post(c, "/@club/resources/new?kind=folder", {"title": "Flyers"}),
                   lambda app, s: count(app, Resource) == 4),
    "move": (lambda c, s: post(c, f"/@club/resources/{s['pad'].uuid}/move", {"target": s["minutes"].uuid}),
             lambda app, s: parent_of(app, s["pad"]) == s["minutes"].id),
    "delete": (lambda c, s: post(c, f"/@club/resources/{s['board'].uuid}/delete", {}),
               lambda app, s: count(app, Resource) == 0),
    "view_todos": (lambda c, s: c.get("/@club/todos"), None),
    "create_list": (lambda c, s: post(c, "/@club/todos/new", {"title": "Summer party"}),
                    lambda app, s: count(app, TodoList) == 2),
    "add_todo": (lambda c, s: post(c, f"/@club/todos/{s['fair'].uuid}/add",
                                   {"title": "Print flyers", "assignee": "", "due_on": "2027-05-01"}),
                 lambda app, s: count(app, Todo) == 2),
    "mark_done": (lambda c, s: post(c, f"/@club/todos/{s['fair'].uuid}/{s['task'].uuid}/done", {"done": "1"}),
                  lambda app, s: Todo.get_by_id(s["task"].id).done),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", MEMBERS + NOT_MEMBERS)
def test_role_and_action(app, club, role, action):
    """Members (every role from member up: group_roles' edit_resources and edit_todos) may; anyone
    else gets the page that does not exist, and nothing changes."""
    client = person(app, role, club["group"])
    send, took_effect = ACTIONS[action]
    response = send(client, club)
    allowed = role in MEMBERS
    if not allowed:
        assert response.status_code == 404
        assert "Board" not in response.get_data(as_text=True)
    elif took_effect is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302, errors(response)
    if took_effect is not None:
        with app.app_context():
            assert bool(took_effect(app, club)) == allowed


def test_the_root_and_a_folder_show_their_content_with_a_breadcrumb(app, club):
    client = person(app, "member", club["group"])
    root = client.get("/@club/resources").get_data(as_text=True)
    assert "Board" in root and "Pad" not in root
    page = client.get(f"/@club/resources/{club['minutes'].uuid}").get_data(as_text=True)
    assert f'href="/@club/resources/{club["board"].uuid}">Board</a>' in page
    board = client.get(f"/@club/resources/{club['board'].uuid}").get_data(as_text=True)
    assert "https://pad.example/board" in board and "Minutes" in board
    # A link's address opens its edit page.
    response = client.get(f"/@club/resources/{club['pad'].uuid}")
    assert response.status_code == 302 and response.location.endswith(f"{club['pad'].uuid}/edit")


def test_a_folder_never_moves_into_itself_or_its_own_folders(app, club):
    client = person(app, "member", club["group"])
    board = club["board"].uuid
    for target in (board, club["minutes"].uuid):
        response = post(client, f"/@club/resources/{board}/move", {"target": target})
        assert response.status_code == 400
        assert "A folder cannot go into itself or into one of its own folders." in errors(response)
        assert parent_of(app, club["board"]) is None
    # The edit page offers neither as a destination.
    page = client.get(f"/@club/resources/{board}/edit").get_data(as_text=True)
    assert f'value="{club["minutes"].uuid}"' not in page and f'value="{board}"' not in page
    # Into the root, from a folder: allowed.
    assert post(client, f"/@club/resources/{club['minutes'].uuid}/move", {"target": ""}).status_code == 302
    assert parent_of(app, club["minutes"]) is None


def test_a_move_to_a_folder_of_another_group_is_refused(app, club):
    client = person(app, "member", club["group"])
    with app.app_context():
        other = groups.create_group(Actor.get(Actor.preferred_username == "ann"), "other")
        elsewhere = resources.add_resource(other, Actor.get(Actor.preferred_username == "ann"),
                                           Resource.FOLDER, None, "Elsewhere")
    response = post(client, f"/@club/resources/{club['pad'].uuid}/move", {"target": elsewhere.uuid})
    assert response.status_code == 400 and "Choose a folder of this group." in errors(response)
    # Nor is another group's resource reached through this group's address.
    assert client.get(f"/@club/resources/{elsewhere.uuid}").status_code == 404


@pytest.mark.parametrize("fields, field_error", [
    ({"title": "", "url": "https://pad.example/x"}, "Give it a title."),
    ({"title": "x" * 201, "url": "https://pad.example/x"}, None),
    ({"title": "Pad", "url": "javascript:alert(1)"}, "Enter a full web address starting with http:// or https://."),
    ({"title": "Pad", "url": "ftp://files.example/"}, "Enter a full web address starting with http:// or https://."),
    ({"title": "Pad", "url": ""}, "Enter the address of the link, starting with http:// or https://."),
    ({"title": "Pad", "url": "https://pad.example/" + "x" * 2100}, None),
    ({"title": "Pad", "url": "https://pad.example/x", "description": "x" * 2001}, None),
])
def test_a_link_is_checked_with_clear_errors(app, club, fields, field_error):
    client = person(app, "member", club["group"])
    response = post(client, "/@club/resources/new?kind=link", {"description": "", **fields})
    assert response.status_code == 400
    assert errors(response) and (field_error is None or field_error in errors(response))
    assert count(app, Resource) == 3


def test_edit_then_delete_a_folder_with_its_content_after_confirming(app, club):
    client = person(app, "moderator", club["group"])
    pad = club["pad"].uuid
    assert post(client, f"/@club/resources/{pad}/edit", {"title": "Pad 2", "url": "https://pad.example/2",
                                                         "description": "New"}).status_code == 302
    with app.app_context():
        edited = Resource.get_by_id(club["pad"].id)
        assert (edited.title, edited.url, edited.description) == ("Pad 2", "https://pad.example/2", "New")
    confirm = client.get(f"/@club/resources/{club['board'].uuid}/delete")
    assert confirm.status_code == 200 and "2 links and folders" in confirm.get_data(as_text=True)
    assert count(app, Resource) == 3
    assert post(client, f"/@club/resources/{club['board'].uuid}/delete", {}).status_code == 302
    assert count(app, Resource) == 0


def test_bad_addresses_are_404_never_500(app, club):
    assert_not_found(person(app, "member", club["group"]), "/@club/resources/not-a-uuid",
                     "/@club/resources/" + "9" * 300, "/@club/resources/new?kind=pdf",
                     "/@club/resources/new?kind=link&folder=nope", "/@nobody/resources", "/@ann/resources")


def test_a_link_cannot_be_a_folder_to_add_into(app, club):
    client = person(app, "member", club["group"])
    response = client.get(f"/@club/resources/new?kind=link&folder={club['pad'].uuid}")
    assert response.status_code == 404


def collection_text(app, path, headers=AP):
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.json


def signed(app, username, target):
    """Headers of a GET of target (path and query) signed with the key of the identity username, as
    bovine (software we did not write) signs it."""
    actor = identity(app, username)
    signature = build_signature("events.test", "get", target).with_field("date", get_gmt_now())
    header = signature.sign_for_http_draft(CryptographicSecret.from_pem(f"{actor.ap_id}#main-key",
                                                                        actor.private_key_pem))
    return {**AP, **signature.headers, "signature": header}


def test_the_collection_is_empty_unless_a_member_signs_the_fetch(app, club):
    person(app, "stranger", club["group"])
    person(app, "invited", club["group"])
    for headers in (AP, signed(app, "stan", "/@club/resources?page=1"),
                    signed(app, "ivy", "/@club/resources?page=1")):
        document = collection_text(app, "/@club/resources?page=1", headers)
        assert document["totalItems"] == 0 and document["orderedItems"] == []
    assert collection_text(app, "/@club/resources")["totalItems"] == 0
    document = collection_text(app, "/@club/resources?page=1", signed(app, "ann", "/@club/resources?page=1"))
    assert document["totalItems"] == 3
    by_name = {item["name"]: item for item in document["orderedItems"]}
    assert by_name["Board"]["type"] == "ResourceCollection"
    assert by_name["Pad"]["type"] == "Document" and by_name["Pad"]["url"] == "https://pad.example/board"
    assert by_name["Pad"]["context"] == club["board"].ap_id
    assert by_name["Board"]["context"] == "http://events.test/@club/resources"


def test_one_resource_is_served_to_a_member_signature_only(app, club):
    path = f"/@club/resources/{club['pad'].uuid}"
    assert app.test_client().get(path, headers=AP).status_code == 404
    document = collection_text(app, path, signed(app, "ann", path))
    assert document["id"] == club["pad"].ap_id and document["summary"] == "The board's notes"


def test_the_group_page_tells_visitors_nothing_of_the_resources(app, club):
    text = app.test_client().get("/@club").get_data(as_text=True)
    assert "Board" not in text and "Pad" not in text and "/@club/resources" not in text
    actor = app.test_client().get("/@club", headers=AP).get_data(as_text=True)
    assert "Board" not in actor and "pad.example" not in actor


@pytest.mark.parametrize("page", ["abc", "0", "9" * 7])
def test_a_bad_collection_page_is_400(app, club, page):
    assert app.test_client().get(f"/@club/resources?page={page}", headers=AP).status_code == 400
