"""A group's todo lists: tasks with an assignee (a member of the group), a due date, done or not.
Members only, like the resources (see group_roles.require_member_view)."""
import uuid as uuid_lib
from datetime import datetime

from flask_babel import gettext as _
from peewee import JOIN, Case, fn

from ..activitypub.convert.actor import collection
from ..activitypub.convert.todo import todo_list_to_ap, todo_to_ap
from ..dates import home_zone, within_years
from ..db import database, utcnow
from ..models import Actor, Member, Todo, TodoList
from ..models.groups import MEMBER_ROLES
from ..models.limits import TITLE_MAX
from ..urls import public_url
from . import group_private_outbox
from .errors import Invalid
from .group_private_outbox import group_handle
from .group_roles import hidden, may, require
from .resources import PER_PAGE, paged_collection

# A list's page shows all its tasks, and the lists' page all the lists.
LISTS_MAX = 200
TODOS_MAX = 500


def today():
    """Today's date where the instance is (a task is overdue once its day has passed there)."""
    return datetime.now(home_zone()).date()


def _title(title):
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give it a title."), "title")
    if len(title) > TITLE_MAX:
        raise Invalid(_("Use at most %(max)d characters.", max=TITLE_MAX), "title")
    return title


def todo_lists(group):
    """The group's lists, newest first, each with .total and .done_count of its tasks."""
    return list(TodoList.select(TodoList, fn.COUNT(Todo.id).alias("total"),
                                fn.COALESCE(fn.SUM(Case(None, [(Todo.done, 1)], 0)), 0).alias("done_count"))
                .join(Todo, JOIN.LEFT_OUTER).where(TodoList.group == group)
                .group_by(TodoList.id).order_by(TodoList.created_at.desc(), TodoList.id.desc()))


def todo_list_of(group, list_uuid):
    """The list of group with this uuid; NotFound for any other, malformed uuids included."""
    row = TodoList.get_or_none((TodoList.uuid == list_uuid) & (TodoList.group == group))
    if row is None:
        raise hidden()
    return row


def create_list(group, actor, title):
    """A new todo list of group."""
    require(group, actor, "edit_todos")
    title = _title(title)
    if TodoList.select().where(TodoList.group == group).count() >= LISTS_MAX:
        raise Invalid(_("The group has %(max)d todo lists already: delete finished ones first.", max=LISTS_MAX))
    list_uuid = str(uuid_lib.uuid4())
    with database.atomic():
        todo_list = TodoList.create(uuid=list_uuid, group=group, title=title, pending=not group.is_local,
                                    ap_id=public_url("todos.show", username=group_handle(group), uuid=list_uuid))
        _share_list(group, actor, "Create", todo_list)
    return todo_list


def _share_list(group, actor, verb, todo_list):
    """actor's verb of a todo list (as it is now), to the group's members elsewhere."""
    group_private_outbox.share(group, actor, verb, todo_list_to_ap(TodoList.get_by_id(todo_list.id), group.ap_id))


def _share_todo(group, actor, verb, todo):
    """actor's verb of a task (as it is now), to the group's members elsewhere."""
    row = Todo.get_by_id(todo.id)
    group_private_outbox.share(group, actor, verb, _todo_ap(row, row.todo_list))


def rename_list(group, todo_list, actor, title):
    """Give a list another title."""
    require(group, actor, "edit_todos")
    with database.atomic():
        TodoList.update(title=_title(title)).where(TodoList.id == todo_list.id).execute()
        _share_list(group, actor, "Update", todo_list)


def delete_list(group, todo_list, actor):
    """Delete a list and its tasks (ON DELETE CASCADE)."""
    require(group, actor, "edit_todos")
    with database.atomic():
        group_private_outbox.share_deletion(group, actor, todo_list.ap_id, "TodoList")
        TodoList.delete().where(TodoList.id == todo_list.id).execute()


def todos_of(todo_list):
    """The list's tasks with their assignee: open ones first, by due date (none last), then as added."""
    return list(Todo.select(Todo, Actor).join(Actor, JOIN.LEFT_OUTER, on=(Todo.assigned_to == Actor.id))
                .where(Todo.todo_list == todo_list)
                .order_by(Todo.done, Todo.due_on.is_null(), Todo.due_on, Todo.position, Todo.id))


def todo_of(todo_list, todo_uuid):
    """The task of todo_list with this uuid; NotFound for any other."""
    row = Todo.get_or_none((Todo.uuid == todo_uuid) & (Todo.todo_list == todo_list))
    if row is None:
        raise hidden()
    return row


def assignees(group):
    """The identities that are members of group (and nobody else), by name: who a task may go to."""
    return list(Actor.select().join(Member, on=(Member.actor == Actor.id))
                .where((Member.group == group) & Member.role.in_(list(MEMBER_ROLES)))
                .order_by(fn.LOWER(fn.COALESCE(fn.NULLIF(Actor.name, ""), Actor.preferred_username)), Actor.id))


def _task_fields(group, title, assignee_id, due_on):
    if assignee_id is not None and not may(group, assignee_id, "see_members_only"):
        raise Invalid(_("Choose a member of the group."), "assignee")
    if due_on is not None and not within_years(due_on):
        raise Invalid(_("Choose a date between the years 1900 and 2200."), "due_on")
    return {"title": _title(title), "assigned_to": assignee_id, "due_on": due_on}


def add_todo(group, todo_list, actor, title, assignee_id=None, due_on=None):
    """A new task at the end of todo_list; assignee_id must be a member of group."""
    require(group, actor, "edit_todos")
    fields = _task_fields(group, title, assignee_id, due_on)
    last = Todo.select(fn.MAX(Todo.position), fn.COUNT(Todo.id)).where(Todo.todo_list == todo_list).tuples().get()
    if last[1] >= TODOS_MAX:
        raise Invalid(_("This list has %(max)d tasks already: start another list.", max=TODOS_MAX))
    todo_uuid = str(uuid_lib.uuid4())
    with database.atomic():
        todo = Todo.create(uuid=todo_uuid, todo_list=todo_list, creator=actor, position=(last[0] or 0) + 1,
                           pending=not group.is_local,
                           ap_id=public_url("todos.task", username=group_handle(group), uuid=todo_list.uuid,
                                            todo_uuid=todo_uuid), **fields)
        _share_todo(group, actor, "Create", todo)
    return todo


def update_todo(group, todo, actor, title, assignee_id=None, due_on=None):
    """Change a task's title, assignee (a member of group, or nobody) and due date."""
    require(group, actor, "edit_todos")
    fields = _task_fields(group, title, assignee_id, due_on)
    with database.atomic():
        Todo.update(updated_at=utcnow(), **fields).where(Todo.id == todo.id).execute()
        _share_todo(group, actor, "Update", todo)


def set_done(group, todo, actor, done):
    """Mark a task done, or not done again."""
    require(group, actor, "edit_todos")
    with database.atomic():
        Todo.update(done=bool(done), updated_at=utcnow()).where(Todo.id == todo.id).execute()
        _share_todo(group, actor, "Update", todo)


def delete_todo(group, todo, actor):
    """Delete one task."""
    require(group, actor, "edit_todos")
    with database.atomic():
        group_private_outbox.share_deletion(group, actor, todo.ap_id, "Todo")
        Todo.delete().where(Todo.id == todo.id).execute()


def todos_collection(group, requester, page):
    """The group's todo lists as a collection of TodoLists, when requester is a member; empty otherwise."""
    collection_id = public_url("todos.index", username=group.preferred_username)
    if not may(group, requester, "see_members_only"):
        return collection(collection_id, [], 0, page, PER_PAGE)
    query = TodoList.select().where(TodoList.group == group).order_by(TodoList.id)
    return paged_collection(collection_id, query, lambda row: todo_list_to_ap(row, group.ap_id), page)


def todo_list_document(group, list_uuid, requester):
    """The TodoList of one list, when requester is a member; NotFound otherwise."""
    if not may(group, requester, "see_members_only"):
        raise hidden()
    return todo_list_to_ap(todo_list_of(group, list_uuid), group.ap_id)


def todo_document(group, list_uuid, todo_uuid, requester):
    """The Todo of one task, when requester is a member; NotFound otherwise."""
    if not may(group, requester, "see_members_only"):
        raise hidden()
    todo_list = todo_list_of(group, list_uuid)
    return _todo_ap(todo_of(todo_list, todo_uuid), todo_list)


def _todo_ap(todo, todo_list):
    creator = Actor.get_or_none(Actor.id == todo.creator_id) if todo.creator_id else None
    assignee = Actor.get_or_none(Actor.id == todo.assigned_to_id) if todo.assigned_to_id else None
    return todo_to_ap(todo, todo_list.ap_id, creator.ap_id if creator else None,
                      assignee.ap_id if assignee else None)
