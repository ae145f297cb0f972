"""Writing, editing and deleting comments on event pages."""
from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..models import Comment
from ..negotiation import activity_response, negotiated, wants_activity_json
from ..services import comments, events, rate_limits
from ..services.errors import Invalid, NotFound
from ..urls import whole_number
from .context import chosen_identity, comment_actor, commenter_identity, identity_choices, viewer_ids
from .forms.base import add_error, render_form, require_valid
from .forms.events import CommentForm, NewCommentForm

bp = Blueprint("comments", __name__)


def to_comment(event, comment):
    return redirect(url_for("events.show", uuid=event.uuid, _anchor=f"comment-{comment.id}"))


@bp.route("/events/<uuid>/comments", methods=["POST"])
@login_required
def create(uuid):
    event = events.visible_event(uuid, viewer_ids())
    form = NewCommentForm()
    if form.identity.data is None and commenter_identity(event) is not None:
        form.identity.data = commenter_identity(event).id  # a form without the choice: the default
    identity_choices(form.identity)
    require_valid(form)
    reply_to = whole_number(form.in_reply_to.data)
    identity = chosen_identity(form.identity)
    rate_limits.check(identity, "comments")
    comment = comments.comment_on(event, identity, form.text.data, in_reply_to=reply_to)
    flash(_("Your comment is published."), "success")
    return to_comment(event, comment)


@bp.route("/events/<uuid>/comments/<comment_uuid>")
@negotiated
def show(uuid, comment_uuid):
    event = events.visible_event(uuid, viewer_ids())
    comment = Comment.get_or_none((Comment.uuid == comment_uuid) & (Comment.event == event))
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    if wants_activity_json():
        return activity_response(comments.comment_document(comment), 410 if comment.deleted_at else 200)
    return to_comment(event, comment)


@bp.route("/events/<uuid>/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(uuid, comment_id):
    event = events.visible_event(uuid, viewer_ids())
    comment = comments.comment_for(event, comment_id)
    author = comment_actor(event, comment)
    comments.require_author(comment, author)
    form = CommentForm(text=comment.source)
    if form.validate_on_submit():
        try:
            comments.edit_comment(comment, author, form.text.data)
        except Invalid as error:
            add_error(form, error)
        else:
            return to_comment(event, comment)
    return render_form("one_field_form.html", form, field=form.text, heading=_("Edit your comment"),
                       cancel=url_for("events.show", uuid=event.uuid, _anchor=f"comment-{comment.id}"))


@bp.route("/events/<uuid>/comments/<id:comment_id>/delete", methods=["POST"])
@login_required
def delete(uuid, comment_id):
    event = events.visible_event(uuid, viewer_ids())
    comment = comments.comment_for(event, comment_id)
    comments.delete_comment(comment, comment_actor(event, comment))
    flash(_("The comment is deleted."), "success")
    return redirect(url_for("events.show", uuid=event.uuid, _anchor="comments"))
