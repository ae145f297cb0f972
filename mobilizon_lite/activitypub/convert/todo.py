"""A group's todo lists in Mobilizon's shapes: TodoList, and Todo with its status, due date and assignee."""
from .group_content import group_content_to_ap


def todo_list_to_ap(todo_list, group_id):
    """The TodoList of a group's list."""
    return group_content_to_ap("TodoList", todo_list.ap_id, group_id, title=todo_list.title)


def todo_to_ap(todo, list_id, creator_id, assignee_id):
    """The Todo of one task: status is true once done, dueDate a plain date when there is one."""
    return group_content_to_ap("Todo", todo.ap_id, creator_id, name=todo.title, status=bool(todo.done),
                               dueDate=todo.due_on.isoformat() if todo.due_on else None,
                               assignedTo=assignee_id, todoList=list_id)
