"""A group's shared resources, for its members: folder pages, adding, editing, moving and deleting
links and folders; the same addresses give members' servers the ActivityStreams documents."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..models import Resource
from ..negotiation import collection_page
from ..services import resources
from .context import members_content, members_only
from .forms.base import confirmed_deletion, refusals_on, render_form
from .forms.resources import MoveForm, resource_form

bp = Blueprint("resources", __name__)


def folder_url(group, folder):
    if folder is None:
        return url_for("resources.index", username=group.handle)
    return url_for("resources.show", username=group.handle, uuid=folder.uuid)


def resource_of(username, uuid):
    """(group, identity acting in it, its resource uuid) for a member's account; 404 for anyone else and
    for a resource of another group."""
    group, identity = members_only(username)
    return group, identity, resources.resource_of(group, uuid)


def folder_page(group, folder):
    return render_template("resources/folder.html", group=group, folder=folder,
                           items=resources.contents(group, folder),
                           breadcrumb=resources.breadcrumb(group, folder) if folder else [])


@bp.route("/@<username>/resources")
@members_content(lambda group, requester: resources.resources_collection(group, requester, collection_page()))
def index(group, _identity):
    return folder_page(group, None)


@bp.route("/@<username>/resources/<uuid>")
@members_content(lambda group, requester, uuid: resources.resource_document(group, uuid, requester))
def show(group, _identity, uuid):
    resource = resources.resource_of(group, uuid)
    if resource.type != Resource.FOLDER:
        return redirect(url_for("resources.edit", username=group.handle, uuid=uuid))
    return folder_page(group, resource)


@bp.route("/@<username>/resources/new", methods=["GET", "POST"])
def create(username):
    group, identity = members_only(username)
    kind = request.args.get("kind")
    if kind not in (Resource.LINK, Resource.FOLDER):
        abort(404)
    folder = resources.folder_of(group, request.args.get("folder"))
    form = resource_form(kind)
    if form.validate_on_submit():
        with refusals_on(form):
            resources.add_resource(group, identity, kind, folder, form.title.data,
                                   *([form.url.data, form.description.data] if kind == Resource.LINK else []))
            flash(_("The link is added.") if kind == Resource.LINK else _("The folder is added."), "success")
            return redirect(folder_url(group, folder))
    return render_form("resources/form.html", form, group=group, folder=folder, kind=kind, resource=None,
                       breadcrumb=resources.breadcrumb(group, folder) + [folder] if folder else [])


def edit_page(group, resource, form, move_form):
    move_form.target.choices = resources.move_targets(group, resource)
    if not move_form.is_submitted():
        move_form.target.data = resource.parent.uuid if resource.parent_id else ""
    failed = (form.is_submitted() and form.errors) or move_form.errors
    return render_template("resources/form.html", form=form, move_form=move_form, group=group, resource=resource,
                           kind=resource.type, breadcrumb=resources.breadcrumb(group, resource)), 400 if failed else 200


@bp.route("/@<username>/resources/<uuid>/edit", methods=["GET", "POST"])
def edit(username, uuid):
    group, identity, resource = resource_of(username, uuid)
    form = resource_form(resource.type, resource)
    if form.validate_on_submit():
        with refusals_on(form):
            resources.update_resource(group, resource, identity, form.title.data,
                                      *([form.url.data, form.description.data]
                                        if resource.type == Resource.LINK else []))
            flash(_("Saved."), "success")
            return redirect(folder_url(group, resource.parent))
    return edit_page(group, resource, form, MoveForm(formdata=None))


@bp.route("/@<username>/resources/<uuid>/move", methods=["POST"])
def move(username, uuid):
    group, identity, resource = resource_of(username, uuid)
    move_form = MoveForm()
    if move_form.validate_on_submit():
        with refusals_on(move_form):
            resources.move_resource(group, resource, identity, move_form.target.data or "")
            flash(_("Moved."), "success")
            return redirect(folder_url(group, resources.folder_of(group, move_form.target.data)))
    return edit_page(group, resource, resource_form(resource.type, resource), move_form)


@bp.route("/@<username>/resources/<uuid>/delete", methods=["GET", "POST"])
def delete(username, uuid):
    group, identity, resource = resource_of(username, uuid)
    if resource.type == Resource.FOLDER:
        line = ngettext("The folder and the %(num)d link or folder it holds disappear for good, for every member.",
                        "The folder and the %(num)d links and folders it holds disappear for good, for every member.",
                        resources.inside_count(group, resource))
    else:
        line = _("The link disappears for good, for every member.")
    back = folder_url(group, resource.parent)
    return confirmed_deletion(lambda: resources.delete_resource(group, resource, identity),
                              _("“%(title)s” is deleted.", title=resource.title), back,
                              group=group, group_head=True, heading=_("Delete “%(title)s”?", title=resource.title),
                              lines=[line], cancel=back)
