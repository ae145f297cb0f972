"""A group's todo lists in Mobilizon's shapes: TodoList, and Todo with its status, due date and assignee."""
from datetime import date

from ...models.limits import TITLE_MAX
from ...text import text_line
from ..parse import ParseError
from ..vocab import get_id
from .group_content import group_content_to_ap


def todo_list_to_ap(todo_list, group_id):
    """The TodoList of a group's list."""
    return group_content_to_ap("TodoList", todo_list.ap_id, group_id, title=todo_list.title)


def todo_to_ap(todo, list_id, creator_id, assignee_id):
    """The Todo of one task: status is true once done, dueDate a plain date when there is one."""
    return group_content_to_ap("Todo", todo.ap_id, creator_id, name=todo.title, status=bool(todo.done),
                               dueDate=todo.due_on.isoformat() if todo.due_on else None,
                               assignedTo=assignee_id, todoList=list_id)


def todo_list_from_ap(document):
    """TodoList columns (title) of another server's TodoList; ParseError without a title."""
    title = text_line(document.get("title") or document.get("name"), TITLE_MAX)
    if not title:
        raise ParseError("a todo list needs a title")
    return {"title": title}


def todo_from_ap(document):
    """(todo list id, assignee id or None, Todo columns: title, done, due_on) of another server's Todo;
    ParseError without a title or a list."""
    title = text_line(document.get("name"), TITLE_MAX)
    list_id = get_id(document.get("todoList"))
    if not title or not isinstance(list_id, str):
        raise ParseError("a todo needs a name and its list")
    try:
        due_on = date.fromisoformat(document["dueDate"][:10]) if isinstance(document.get("dueDate"), str) else None
    except ValueError:
        due_on = None
    return list_id, get_id(document.get("assignedTo")), {"title": title, "done": document.get("status") is True,
                                                          "due_on": due_on}
