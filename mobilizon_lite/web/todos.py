"""A group's todo lists, for its members: lists, tasks with an assignee and a due date, done or not;
the same addresses give members' servers the ActivityStreams documents."""
from babel.dates import format_date
from flask import Blueprint, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..negotiation import collection_page
from ..services import todos
from .context import members_content, members_only
from .forms.base import confirmed_deletion, refusals_on, render_form, require_valid
from .forms.todos import DoneForm, TodoListForm, todo_form

bp = Blueprint("todos", __name__)


@bp.app_template_filter()
def due_day(day):
    """A due date in the reader's language."""
    return format_date(day, "medium", locale=get_locale())


def list_url(group, todo_list):
    return url_for("todos.show", username=group.handle, uuid=todo_list.uuid)


def list_of(username, uuid):
    """(group, identity acting in it, its list uuid) for a member's account; 404 for anyone else and for
    a list of another group."""
    group, identity = members_only(username)
    return group, identity, todos.todo_list_of(group, uuid)


def task_of(username, uuid, todo_uuid):
    """(group, identity acting in it, list, task) as list_of finds them; 404 for a task of another list."""
    group, identity, todo_list = list_of(username, uuid)
    return group, identity, todo_list, todos.todo_of(todo_list, todo_uuid)


def lists_page(group, form):
    return render_form("todos/index.html", form, group=group, lists=todos.todo_lists(group))


@bp.route("/@<username>/todos")
@members_content(lambda group, requester: todos.todos_collection(group, requester, collection_page()))
def index(group, _identity):
    return lists_page(group, TodoListForm(formdata=None))


@bp.route("/@<username>/todos/new", methods=["POST"])
def create(username):
    group, identity = members_only(username)
    form = TodoListForm()
    if form.validate_on_submit():
        with refusals_on(form):
            todo_list = todos.create_list(group, identity, form.title.data)
            return redirect(list_url(group, todo_list))
    return lists_page(group, form)


def list_page(group, todo_list, form):
    return render_form("todos/show.html", form, group=group, todo_list=todo_list, todos=todos.todos_of(todo_list),
                       today=todos.today())


@bp.route("/@<username>/todos/<uuid>")
@members_content(lambda group, requester, uuid: todos.todo_list_document(group, uuid, requester))
def show(group, _identity, uuid):
    todo_list = todos.todo_list_of(group, uuid)
    return list_page(group, todo_list, todo_form(todos.assignees(group)))


@bp.route("/@<username>/todos/<uuid>/add", methods=["POST"])
def add(username, uuid):
    group, identity, todo_list = list_of(username, uuid)
    form = todo_form(todos.assignees(group))
    if form.validate_on_submit():
        with refusals_on(form):
            todos.add_todo(group, todo_list, identity, form.title.data, form.assignee.data, form.due_on.data)
            return redirect(list_url(group, todo_list))
    return list_page(group, todo_list, form)


@bp.route("/@<username>/todos/<uuid>/edit", methods=["GET", "POST"])
def edit_list(username, uuid):
    group, identity, todo_list = list_of(username, uuid)
    form = TodoListForm(obj=todo_list)
    if form.validate_on_submit():
        with refusals_on(form):
            todos.rename_list(group, todo_list, identity, form.title.data)
            return redirect(list_url(group, todo_list))
    return render_form("one_field_form.html", form, field=form.title, heading=_("Rename the list"),
                       title=f"{_('Rename the list')} · {group.display_name}", group=group, group_head=True,
                       cancel=list_url(group, todo_list))


@bp.route("/@<username>/todos/<uuid>/delete", methods=["GET", "POST"])
def delete_list(username, uuid):
    group, identity, todo_list = list_of(username, uuid)
    return confirmed_deletion(lambda: todos.delete_list(group, todo_list, identity),
                              _("The list “%(title)s” is deleted.", title=todo_list.title),
                              url_for("todos.index", username=username), group=group, group_head=True,
                              heading=_("Delete the list “%(title)s” and its tasks?", title=todo_list.title),
                              cancel=list_url(group, todo_list))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>")
@members_content(lambda group, requester, uuid, todo_uuid: todos.todo_document(group, uuid, todo_uuid, requester))
def task(group, _identity, uuid, todo_uuid):
    todos.todo_of(todos.todo_list_of(group, uuid), todo_uuid)
    return redirect(url_for("todos.edit", username=group.handle, uuid=uuid, todo_uuid=todo_uuid))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/edit", methods=["GET", "POST"])
def edit(username, uuid, todo_uuid):
    group, identity, todo_list, todo = task_of(username, uuid, todo_uuid)
    form = todo_form(todos.assignees(group), todo)
    if form.validate_on_submit():
        with refusals_on(form):
            todos.update_todo(group, todo, identity, form.title.data, form.assignee.data, form.due_on.data)
            return redirect(list_url(group, todo_list))
    return render_form("todos/todo_form.html", form, group=group, todo_list=todo_list, todo=todo)


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/done", methods=["POST"])
def mark(username, uuid, todo_uuid):
    group, identity, todo_list, todo = task_of(username, uuid, todo_uuid)
    form = DoneForm()
    require_valid(form)
    todos.set_done(group, todo, identity, form.done.data == "1")
    return redirect(list_url(group, todo_list))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/delete", methods=["GET", "POST"])
def delete(username, uuid, todo_uuid):
    group, identity, todo_list, todo = task_of(username, uuid, todo_uuid)
    back = list_url(group, todo_list)
    return confirmed_deletion(lambda: todos.delete_todo(group, todo, identity),
                              _("The task “%(title)s” is deleted.", title=todo.title), back, group=group,
                              group_head=True, heading=_("Delete the task “%(title)s”?", title=todo.title), cancel=back)
