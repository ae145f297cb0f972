"""A group's todo lists, for its members: lists, tasks with an assignee and a due date, done or not;
the same addresses give members' servers the ActivityStreams documents."""
from babel.dates import format_date
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..negotiation import collection_page, negotiated, personal_document, wants_activity_json
from ..services import todos
from ..services.errors import Invalid
from ..services.groups import local_group
from .context import group_requester, members_only
from .forms.base import add_error, render_form, require_valid
from .forms.todos import DoneForm, TodoListForm, todo_form

bp = Blueprint("todos", __name__)


@bp.app_template_filter()
def due_day(day):
    """A due date in the reader's language."""
    return format_date(day, "medium", locale=get_locale())


def list_url(group, todo_list):
    return url_for("todos.show", username=group.preferred_username, uuid=todo_list.uuid)


def lists_page(group, form):
    return render_form("todos/index.html", form, group=group, lists=todos.todo_lists(group))


@bp.route("/@<username>/todos")
@negotiated
def index(username):
    if wants_activity_json():
        group = local_group(username)
        return personal_document(todos.todos_collection(group, group_requester(group), collection_page()))
    group, _identity = members_only(username)
    return lists_page(group, TodoListForm(formdata=None))


@bp.route("/@<username>/todos/new", methods=["POST"])
def create(username):
    group, identity = members_only(username)
    form = TodoListForm()
    if form.validate_on_submit():
        try:
            todo_list = todos.create_list(group, identity, form.title.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return redirect(list_url(group, todo_list))
    return lists_page(group, form)


def list_page(group, todo_list, form):
    return render_form("todos/show.html", form, group=group, todo_list=todo_list, todos=todos.todos_of(todo_list),
                       today=todos.today())


@bp.route("/@<username>/todos/<uuid>")
@negotiated
def show(username, uuid):
    if wants_activity_json():
        group = local_group(username)
        return personal_document(todos.todo_list_document(group, uuid, group_requester(group)))
    group, _identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    return list_page(group, todo_list, todo_form(todos.assignees(group)))


@bp.route("/@<username>/todos/<uuid>/add", methods=["POST"])
def add(username, uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    form = todo_form(todos.assignees(group))
    if form.validate_on_submit():
        try:
            todos.add_todo(group, todo_list, identity, form.title.data, form.assignee.data, form.due_on.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return redirect(list_url(group, todo_list))
    return list_page(group, todo_list, form)


@bp.route("/@<username>/todos/<uuid>/edit", methods=["GET", "POST"])
def edit_list(username, uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    form = TodoListForm(obj=todo_list)
    if form.validate_on_submit():
        try:
            todos.rename_list(group, todo_list, identity, form.title.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return redirect(list_url(group, todo_list))
    return render_form("todos/list_form.html", form, group=group, todo_list=todo_list)


def confirm_delete(group, heading, back):
    return render_template("confirm_delete.html", group=group, group_head=True, heading=heading, cancel=back)


@bp.route("/@<username>/todos/<uuid>/delete", methods=["GET", "POST"])
def delete_list(username, uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    if request.method == "POST":
        todos.delete_list(group, todo_list, identity)
        flash(_("The list “%(title)s” is deleted.", title=todo_list.title), "success")
        return redirect(url_for("todos.index", username=username))
    return confirm_delete(group, _("Delete the list “%(title)s” and its tasks?", title=todo_list.title),
                          list_url(group, todo_list))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>")
@negotiated
def task(username, uuid, todo_uuid):
    if wants_activity_json():
        group = local_group(username)
        return personal_document(todos.todo_document(group, uuid, todo_uuid, group_requester(group)))
    group, _identity = members_only(username)
    todos.todo_of(todos.todo_list_of(group, uuid), todo_uuid)
    return redirect(url_for("todos.edit", username=username, uuid=uuid, todo_uuid=todo_uuid))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/edit", methods=["GET", "POST"])
def edit(username, uuid, todo_uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    todo = todos.todo_of(todo_list, todo_uuid)
    form = todo_form(todos.assignees(group), todo)
    if form.validate_on_submit():
        try:
            todos.update_todo(group, todo, identity, form.title.data, form.assignee.data, form.due_on.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return redirect(list_url(group, todo_list))
    return render_form("todos/todo_form.html", form, group=group, todo_list=todo_list, todo=todo)


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/done", methods=["POST"])
def mark(username, uuid, todo_uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    todo = todos.todo_of(todo_list, todo_uuid)
    form = DoneForm()
    require_valid(form)
    todos.set_done(group, todo, identity, form.done.data == "1")
    return redirect(list_url(group, todo_list))


@bp.route("/@<username>/todos/<uuid>/<todo_uuid>/delete", methods=["GET", "POST"])
def delete(username, uuid, todo_uuid):
    group, identity = members_only(username)
    todo_list = todos.todo_list_of(group, uuid)
    todo = todos.todo_of(todo_list, todo_uuid)
    if request.method == "POST":
        todos.delete_todo(group, todo, identity)
        flash(_("The task “%(title)s” is deleted.", title=todo.title), "success")
        return redirect(list_url(group, todo_list))
    return confirm_delete(group, _("Delete the task “%(title)s”?", title=todo.title), list_url(group, todo_list))
