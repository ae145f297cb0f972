"""Group discussions, for members only: the list, a thread, new discussions, replies, editing and
deleting messages, and moderators renaming or deleting a discussion. Anyone else finds nothing (404)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..negotiation import negotiated, personal_document, wants_activity_json
from ..services import discussions, group_roles
from ..services.errors import Invalid
from ..services.groups import local_group
from ..urls import page_number
from .context import acting_in, group_requester
from .forms.base import add_error, render_form, require_valid
from .forms.discussions import DiscussionForm, MessageForm, RenameForm

bp = Blueprint("discussions", __name__)
THREAD = "/@<username>/c/<slug>"
MESSAGE = THREAD + "/m/<message_uuid>"


def _thread(username, slug):
    """(discussion, the account's identity acting in its group, its role) for a member; NotFound otherwise."""
    group = local_group(username)
    identity, member = acting_in(group)
    return discussions.discussion_for(group, slug, identity), identity, group_roles.member_role(member)


def _to_thread(discussion, anchor=None):
    return redirect(url_for("discussions.show", username=discussion.group.preferred_username, slug=discussion.slug,
                            _anchor=anchor))


@bp.route("/@<username>/discussions")
@negotiated
def index(username):
    group = local_group(username)
    if wants_activity_json():
        page = page_number(request.args.get("page")) if "page" in request.args else None
        return personal_document(discussions.discussions_collection(group, group_requester(group), page))
    identity, _member = acting_in(group)
    page = page_number(request.args.get("page"))
    rows = discussions.discussions_of(group, identity, page)
    return render_template("discussions/index.html", group=group, discussions=rows[:discussions.DISCUSSIONS_PER_PAGE],
                           page=page, has_next=len(rows) > discussions.DISCUSSIONS_PER_PAGE)


@bp.route("/@<username>/discussions/new", methods=["GET", "POST"])
@login_required
def create(username):
    group = local_group(username)
    identity, _member = acting_in(group)
    discussions.require_member(group, identity)
    form = DiscussionForm()
    if form.validate_on_submit():
        try:
            discussion = discussions.start_discussion(group, identity, form.title.data, form.text.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return _to_thread(discussion)
    return render_form("discussions/new.html", form, group=group)


@bp.route(THREAD)
@negotiated
def show(username, slug):
    if wants_activity_json():
        group = local_group(username)
        discussion = discussions.discussion_for(group, slug, group_requester(group))
        return personal_document(discussions.discussion_document(discussion))
    discussion, identity, role = _thread(username, slug)
    messages = discussions.messages_of(discussion)
    allowed = {message.id: {action for action, check in (("edit", discussions.may_edit),
                                                         ("delete", discussions.may_delete))
                            if check(message, identity, role)} for message in messages}
    return render_template("discussions/show.html", group=discussion.group, discussion=discussion,
                           messages=messages, allowed=allowed, identity=identity, form=MessageForm(),
                           may_moderate=group_roles.allows(role, "moderate_discussions"))


@bp.route(THREAD + "/reply", methods=["POST"])
@login_required
def reply(username, slug):
    discussion, identity, _role = _thread(username, slug)
    form = MessageForm()
    require_valid(form)
    message = discussions.reply(discussion, identity, form.text.data)
    return _to_thread(discussion, f"message-{message.uuid}")


@bp.route(MESSAGE)
@negotiated
def message(username, slug, message_uuid):
    if wants_activity_json():
        group = local_group(username)
        discussion = discussions.discussion_for(group, slug, group_requester(group))
        return personal_document(discussions.message_document(discussions.message_for(discussion, message_uuid)))
    discussion, _identity, _role = _thread(username, slug)
    return _to_thread(discussion, f"message-{discussions.message_for(discussion, message_uuid).uuid}")


@bp.route(MESSAGE + "/edit", methods=["GET", "POST"])
@login_required
def edit_message(username, slug, message_uuid):
    discussion, identity, _role = _thread(username, slug)
    message = discussions.message_for(discussion, message_uuid)
    discussions.require_author(message, identity)
    form = MessageForm(data={"text": message.source})
    if form.validate_on_submit():
        try:
            discussions.edit_message(message, identity, form.text.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return _to_thread(discussion, f"message-{message.uuid}")
    return render_form("discussions/edit_message.html", form, group=discussion.group, discussion=discussion,
                       message=message)


@bp.route(MESSAGE + "/delete", methods=["POST"])
@login_required
def delete_message(username, slug, message_uuid):
    discussion, identity, _role = _thread(username, slug)
    discussions.delete_message(discussions.message_for(discussion, message_uuid), identity)
    flash(_("The message is deleted."), "success")
    return _to_thread(discussion)


@bp.route(THREAD + "/rename", methods=["GET", "POST"])
@login_required
def rename(username, slug):
    discussion, identity, _role = _thread(username, slug)
    group_roles.require(discussion.group, identity, "moderate_discussions")
    form = RenameForm(data={"title": discussion.title})
    if form.validate_on_submit():
        try:
            discussions.rename_discussion(discussion, identity, form.title.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return _to_thread(discussion)
    return render_form("discussions/rename.html", form, group=discussion.group, discussion=discussion)


@bp.route(THREAD + "/delete", methods=["GET", "POST"])
@login_required
def delete(username, slug):
    discussion, identity, _role = _thread(username, slug)
    group_roles.require(discussion.group, identity, "moderate_discussions")
    if request.method == "POST":
        discussions.delete_discussion(discussion, identity)
        flash(_("The discussion “%(title)s” is deleted.", title=discussion.title), "success")
        return redirect(url_for("discussions.index", username=username))
    return render_template("confirm_delete.html", title=_("Delete the discussion"),
                           heading=_("Delete “%(title)s”?", title=discussion.title),
                           lines=[_("The discussion and all its messages disappear for good.")],
                           button=_("Delete the discussion"),
                           cancel=url_for("discussions.show", username=discussion.group.preferred_username,
                                          slug=discussion.slug))
