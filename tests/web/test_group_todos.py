"""A group's todo lists: tasks go to members of the group only, overdue ones say so in the reader's
language, and nobody but members sees them (the role x action table is in test_group_resources)."""
from datetime import date

import pytest

from mobilizon_lite.models import Account, Actor, Todo, TodoList
from mobilizon_lite.services import groups, todos

from ..helpers import assert_not_found, errors, make_account
from . import test_group_resources
from .test_group_resources import AP, collection_text, identity, person, post, signed

# The same group, found by pytest under this module's name.
club = test_group_resources.club


def task_fields(**overrides):
    return {"title": "Print flyers", "assignee": "", "due_on": "", **overrides}


def test_the_assignee_select_lists_this_group_s_members_only(app, club):
    member = person(app, "member", club["group"])
    person(app, "invited", club["group"])
    make_account(app, "stan@example.org", "stan")
    with app.app_context():
        other = groups.create_group(Actor.get(Actor.preferred_username == "stan"), "other")
    page = member.get(f"/@club/todos/{club['fair'].uuid}").get_data(as_text=True)
    assert "@ann" in page and "@mel" in page
    # Someone invited, and a member of another group only, are not offered.
    assert "@ivy" not in page and "@stan" not in page and other.preferred_username not in page


@pytest.mark.parametrize("assignee", ["ivy", "stan", "other"])
def test_a_task_goes_to_a_member_of_the_group_only(app, club, assignee):
    member = person(app, "member", club["group"])
    person(app, "invited", club["group"])
    make_account(app, "stan@example.org", "stan")
    with app.app_context():
        groups.create_group(Actor.get(Actor.preferred_username == "stan"), "other")
    response = post(member, f"/@club/todos/{club['fair'].uuid}/add",
                    task_fields(assignee=str(identity(app, assignee).id)))
    assert response.status_code == 400 and errors(response)
    with app.app_context():
        assert Todo.select().count() == 1
        # Nor does the service take one, whatever the form offered.
        with pytest.raises(Exception, match="Choose a member of the group."):
            todos.add_todo(club["group"], club["fair"], identity(app, "mel"), "Sneaky", identity(app, assignee).id)


def test_a_member_adds_assigns_edits_marks_and_deletes_a_task(app, club):
    client = person(app, "member", club["group"])
    fair = club["fair"].uuid
    mel = identity(app, "mel")
    assert post(client, f"/@club/todos/{fair}/add",
                task_fields(assignee=str(mel.id), due_on="2027-05-01")).status_code == 302
    with app.app_context():
        task = Todo.get(Todo.title == "Print flyers")
        assert (task.assigned_to_id, task.due_on, task.done) == (mel.id, date(2027, 5, 1), False)
    url = f"/@club/todos/{fair}/{task.uuid}"
    assert post(client, f"{url}/edit", task_fields(title="Print posters", due_on="")).status_code == 302
    # The button posts what the page holds: one done value per task.
    page = client.get(f"/@club/todos/{fair}").get_data(as_text=True)
    assert page.count('name="done"') == 2 and 'name="done" value="1"' in page
    assert post(client, f"{url}/done", {"done": "1"}).status_code == 302
    with app.app_context():
        task = Todo.get_by_id(task.id)
        assert (task.title, task.assigned_to_id, task.due_on, task.done) == ("Print posters", None, None, True)
    assert post(client, f"{url}/done", {"done": "0"}).status_code == 302
    with app.app_context():
        assert not Todo.get_by_id(task.id).done
    assert post(client, f"{url}/done", {"done": "maybe"}).status_code == 400
    assert client.get(f"{url}/delete").status_code == 200
    assert post(client, f"{url}/delete", {}).status_code == 302
    with app.app_context():
        assert Todo.get_or_none(Todo.id == task.id) is None


def test_lists_are_renamed_and_deleted_with_their_tasks(app, club):
    client = person(app, "moderator", club["group"])
    fair = club["fair"].uuid
    assert post(client, f"/@club/todos/{fair}/edit", {"title": "Autumn fair"}).status_code == 302
    assert "Autumn fair" in client.get("/@club/todos").get_data(as_text=True)
    assert post(client, f"/@club/todos/{fair}/delete", {}).status_code == 302
    with app.app_context():
        assert TodoList.select().count() == 0 and Todo.select().count() == 0


@pytest.mark.parametrize("fields, message", [
    (task_fields(title=""), "Give it a title."),
    (task_fields(title="x" * 201), None),
    (task_fields(due_on="2027-02-30"), None),
    (task_fields(due_on="3000-01-01"), "Choose a date between the years 1900 and 2200."),
    (task_fields(assignee="abc"), None),
    (task_fields(assignee="99999"), None),
])
def test_bad_tasks_get_clear_errors(app, club, fields, message):
    client = person(app, "member", club["group"])
    response = post(client, f"/@club/todos/{club['fair'].uuid}/add", fields)
    assert response.status_code == 400 and errors(response)
    assert message is None or message in errors(response)
    with app.app_context():
        assert Todo.select().count() == 1


def test_a_list_needs_a_title(app, club):
    client = person(app, "member", club["group"])
    response = post(client, "/@club/todos/new", {"title": "  "})
    assert response.status_code == 400 and "Give it a title." in errors(response)


def test_an_overdue_task_says_so_with_its_date_in_the_reader_s_language(app, club):
    client = person(app, "member", club["group"])
    fair = club["fair"].uuid
    post(client, f"/@club/todos/{fair}/add", task_fields(title="Late", due_on="2020-03-14"))
    post(client, f"/@club/todos/{fair}/add", task_fields(title="Later", due_on="2199-03-14"))
    page = client.get(f"/@club/todos/{fair}").get_data(as_text=True)
    assert page.count("Overdue") == 1 and "Mar 14, 2020" in page
    with app.app_context():
        Account.update(locale="fr").execute()
    page = client.get(f"/@club/todos/{fair}").get_data(as_text=True)
    assert "14 mars 2020" in page and "14 mars 2199" in page
    # Done, it is no longer overdue.
    with app.app_context():
        late = Todo.get(Todo.title == "Late")
    post(client, f"/@club/todos/{fair}/{late.uuid}/done", {"done": "1"})
    assert 'class="card todo overdue"' not in client.get(f"/@club/todos/{fair}").get_data(as_text=True)


def test_bad_addresses_are_404_never_500(app, club):
    assert_not_found(person(app, "member", club["group"]), "/@club/todos/nope", "/@club/todos/" + "7" * 300,
                     "/@club/todos/nope/nope/edit", "/@nobody/todos", "/@ann/todos")


def test_another_list_s_task_is_not_reached_through_this_list(app, club):
    client = person(app, "member", club["group"])
    with app.app_context():
        other = todos.create_list(club["group"], identity(app, "ann"), "Other")
    assert client.get(f"/@club/todos/{other.uuid}/{club['task'].uuid}/edit").status_code == 404


def test_todo_documents_only_for_a_member_signature(app, club):
    person(app, "not_approved", club["group"])
    fair, task = club["fair"], club["task"]
    for headers in (AP, signed(app, "pat", "/@club/todos?page=1")):
        assert collection_text(app, "/@club/todos?page=1", headers)["orderedItems"] == []
    document = collection_text(app, "/@club/todos?page=1", signed(app, "ann", "/@club/todos?page=1"))
    assert [(item["type"], item["title"]) for item in document["orderedItems"]] == [("TodoList", "Fair")]
    for path in (f"/@club/todos/{fair.uuid}", f"/@club/todos/{fair.uuid}/{task.uuid}"):
        assert app.test_client().get(path, headers=AP).status_code == 404
        assert app.test_client().get(path, headers=signed(app, "pat", path)).status_code == 404
    path = f"/@club/todos/{fair.uuid}/{task.uuid}"
    document = collection_text(app, path, signed(app, "ann", path))
    assert document["type"] == "Todo" and document["name"] == "Book the hall" and document["status"] is False
    assert document["todoList"] == fair.ap_id and document["actor"] == identity(app, "ann").ap_id


def test_the_group_page_tells_visitors_nothing_of_the_todo_lists(app, club):
    text = app.test_client().get("/@club").get_data(as_text=True)
    assert "Fair" not in text and "Book the hall" not in text and "/@club/todos" not in text
