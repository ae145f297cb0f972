"""Group discussions, for members only: the list, a thread, new discussions, replies, editing and
deleting messages, and moderators renaming or deleting a discussion. Anyone else finds nothing (404)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..negotiation import collection_page
from ..services import discussions, group_roles
from ..urls import page_number
from .context import members_content, members_only
from .forms.base import confirmed_deletion, refusals_on, render_form, require_valid
from .forms.discussions import DiscussionForm, MessageForm, RenameForm

bp = Blueprint("discussions", __name__)
THREAD = "/@<username>/c/<slug>"
MESSAGE = THREAD + "/m/<message_uuid>"


def _thread(username, slug):
    """(discussion, the account's identity acting in its group) for a member; NotFound otherwise."""
    group, identity = members_only(username)
    return discussions.discussion_for(group, slug, identity), identity


def _message_document(group, requester, slug, message_uuid):
    """The Note of a live message of the discussion at slug, for a member of group; NotFound otherwise."""
    discussion = discussions.discussion_for(group, slug, requester)
    return discussions.message_document(discussions.message_for(discussion, message_uuid))


def _moderated(username, slug):
    """(discussion, identity) as _thread finds them; PermissionDenied unless the identity moderates."""
    discussion, identity = _thread(username, slug)
    group_roles.require(discussion.group, identity, "moderate_discussions")
    return discussion, identity


def _thread_url(discussion, anchor=None):
    return url_for("discussions.show", username=discussion.group.handle, slug=discussion.slug,
                   _anchor=anchor)


def _to_thread(discussion, anchor=None):
    return redirect(_thread_url(discussion, anchor))


@bp.route("/@<username>/discussions")
@members_content(lambda group, requester: discussions.discussions_collection(group, requester, collection_page()))
def index(group, identity):
    page = page_number(request.args.get("page"))
    rows = discussions.discussions_of(group, identity, page)
    return render_template("discussions/index.html", group=group, discussions=rows[:discussions.DISCUSSIONS_PER_PAGE],
                           page=page, has_next=len(rows) > discussions.DISCUSSIONS_PER_PAGE)


@bp.route("/@<username>/discussions/new", methods=["GET", "POST"])
@login_required
def create(username):
    group, identity = members_only(username)
    form = DiscussionForm()
    if form.validate_on_submit():
        with refusals_on(form):
            return _to_thread(discussions.start_discussion(group, identity, form.title.data, form.text.data))
    return render_form("discussions/new.html", form, group=group)


@bp.route(THREAD)
@members_content(lambda group, requester, slug:
                 discussions.discussion_document(discussions.discussion_for(group, slug, requester)))
def show(group, identity, slug):
    discussion = discussions.discussion_for(group, slug, identity)
    role = group_roles.role_of(group, identity)
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
    discussion, identity = _thread(username, slug)
    form = MessageForm()
    require_valid(form)
    message = discussions.reply(discussion, identity, form.text.data)
    return _to_thread(discussion, f"message-{message.uuid}")


@bp.route(MESSAGE)
@members_content(_message_document)
def message(group, identity, slug, message_uuid):
    discussion = discussions.discussion_for(group, slug, identity)
    return _to_thread(discussion, f"message-{discussions.message_for(discussion, message_uuid).uuid}")


@bp.route(MESSAGE + "/edit", methods=["GET", "POST"])
@login_required
def edit_message(username, slug, message_uuid):
    discussion, identity = _thread(username, slug)
    message = discussions.message_for(discussion, message_uuid)
    discussions.require_author(message, identity)
    form = MessageForm(data={"text": message.source})
    if form.validate_on_submit():
        with refusals_on(form):
            discussions.edit_message(message, identity, form.text.data)
            return _to_thread(discussion, f"message-{message.uuid}")
    return render_form("one_field_form.html", form, field=form.text, heading=_("Edit your message"),
                       cancel=_thread_url(discussion, f"message-{message.uuid}"))


@bp.route(MESSAGE + "/delete", methods=["POST"])
@login_required
def delete_message(username, slug, message_uuid):
    discussion, identity = _thread(username, slug)
    discussions.delete_message(discussions.message_for(discussion, message_uuid), identity)
    flash(_("The message is deleted."), "success")
    return _to_thread(discussion)


@bp.route(THREAD + "/rename", methods=["GET", "POST"])
@login_required
def rename(username, slug):
    discussion, identity = _moderated(username, slug)
    form = RenameForm(data={"title": discussion.title})
    if form.validate_on_submit():
        with refusals_on(form):
            discussions.rename_discussion(discussion, identity, form.title.data)
            return _to_thread(discussion)
    return render_form("one_field_form.html", form, field=form.title, heading=_("Rename the discussion"),
                       cancel=_thread_url(discussion))


@bp.route(THREAD + "/delete", methods=["GET", "POST"])
@login_required
def delete(username, slug):
    discussion, identity = _moderated(username, slug)
    return confirmed_deletion(lambda: discussions.delete_discussion(discussion, identity),
                              _("The discussion “%(title)s” is deleted.", title=discussion.title),
                              url_for("discussions.index", username=username), title=_("Delete the discussion"),
                              heading=_("Delete “%(title)s”?", title=discussion.title),
                              lines=[_("The discussion and all its messages disappear for good.")],
                              button=_("Delete the discussion"),
                              cancel=_thread_url(discussion))
