"""A group's shared resources, for its members: folder pages, adding, editing, moving and deleting
links and folders; the same addresses give members' servers the ActivityStreams documents."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..models import Resource
from ..negotiation import collection_page, negotiated, personal_document, wants_activity_json
from ..services import resources
from ..services.errors import Invalid
from ..services.groups import local_group
from .context import group_requester, members_only
from .forms.base import add_error, render_form
from .forms.resources import MoveForm, resource_form

bp = Blueprint("resources", __name__)


def folder_url(group, folder):
    if folder is None:
        return url_for("resources.index", username=group.preferred_username)
    return url_for("resources.show", username=group.preferred_username, uuid=folder.uuid)


def folder_page(group, folder):
    return render_template("resources/folder.html", group=group, folder=folder,
                           items=resources.contents(group, folder),
                           breadcrumb=resources.breadcrumb(group, folder) if folder else [])


@bp.route("/@<username>/resources")
@negotiated
def index(username):
    if wants_activity_json():
        group = local_group(username)
        return personal_document(resources.resources_collection(group, group_requester(group), collection_page()))
    group, _identity = members_only(username)
    return folder_page(group, None)


@bp.route("/@<username>/resources/<uuid>")
@negotiated
def show(username, uuid):
    if wants_activity_json():
        group = local_group(username)
        return personal_document(resources.resource_document(group, uuid, group_requester(group)))
    group, _identity = members_only(username)
    resource = resources.resource_of(group, uuid)
    if resource.type != Resource.FOLDER:
        return redirect(url_for("resources.edit", username=username, uuid=uuid))
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
        try:
            resources.add_resource(group, identity, kind, folder, form.title.data,
                                   *([form.url.data, form.description.data] if kind == Resource.LINK else []))
        except Invalid as error:
            add_error(form, error)
        else:
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
    group, identity = members_only(username)
    resource = resources.resource_of(group, uuid)
    form = resource_form(resource.type, resource)
    if form.validate_on_submit():
        try:
            resources.update_resource(group, resource, identity, form.title.data,
                                      *([form.url.data, form.description.data]
                                        if resource.type == Resource.LINK else []))
        except Invalid as error:
            add_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(folder_url(group, resource.parent))
    return edit_page(group, resource, form, MoveForm(formdata=None))


@bp.route("/@<username>/resources/<uuid>/move", methods=["POST"])
def move(username, uuid):
    group, identity = members_only(username)
    resource = resources.resource_of(group, uuid)
    move_form = MoveForm()
    if move_form.validate_on_submit():
        try:
            resources.move_resource(group, resource, identity, move_form.target.data or "")
        except Invalid as error:
            add_error(move_form, error)
        else:
            flash(_("Moved."), "success")
            return redirect(folder_url(group, resources.folder_of(group, move_form.target.data)))
    return edit_page(group, resource, resource_form(resource.type, resource), move_form)


@bp.route("/@<username>/resources/<uuid>/delete", methods=["GET", "POST"])
def delete(username, uuid):
    group, identity = members_only(username)
    resource = resources.resource_of(group, uuid)
    if request.method == "POST":
        resources.delete_resource(group, resource, identity)
        flash(_("“%(title)s” is deleted.", title=resource.title), "success")
        return redirect(folder_url(group, resource.parent))
    if resource.type == Resource.FOLDER:
        line = ngettext("The folder and the %(num)d link or folder it holds disappear for good, for every member.",
                        "The folder and the %(num)d links and folders it holds disappear for good, for every member.",
                        resources.inside_count(group, resource))
    else:
        line = _("The link disappears for good, for every member.")
    return render_template("confirm_delete.html", group=group, group_head=True,
                           heading=_("Delete “%(title)s”?", title=resource.title), lines=[line],
                           cancel=folder_url(group, resource.parent))
