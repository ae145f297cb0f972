"""Comments on event pages: their thread as each viewer sees it; writing, editing and deleting them."""
from flask import Blueprint, flash, get_template_attribute, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from ..models import Comment
from ..negotiation import activity_response, negotiated, wants_activity_json
from ..page_cache import hole, shared_holed
from ..services import comments, events
from ..services.errors import Invalid, NotFound
from ..urls import whole_number
from .context import chosen_identity, comment_actor, commenter_identity, identity_choices, viewer_ids
from .forms.base import add_error, render_form, require_valid
from .forms.events import CommentForm, NewCommentForm

bp = Blueprint("comments", __name__)
CONTROLS = "events/_comment_controls.html"
NUMBER = "__number__"  # in a viewer's controls rendered once, where each comment's number goes


def _shared_thread(event):
    thread = comments.thread(event)
    shown = [one for comment in thread for one in (comment, *comment.thread_replies)]
    return render_template("events/_thread.html", thread=thread, hole=hole), shown


def thread_html(event, identities, acting, organizers, commenter, comment_form):
    """The event's comments as this viewer sees them: the thread rendered once for everyone, with the
    viewer's own buttons (see comments.actions_for) and, for a commenter, a reply form on each."""
    # Controls written per comment by a template cost more than the rest of the page: each kind is
    # rendered once here and given each comment's number.
    part = shared_holed(lambda: _shared_thread(event))
    allowed = comments.actions_for(part.data, identities, acting, organizers)
    if not allowed and commenter is None:
        return part.fill({})
    token, comments_path = generate_csrf(), url_for("comments.create", uuid=event.uuid)
    actions, given = get_template_attribute(CONTROLS, "actions"), {}
    kinds = {pair: str(actions(f"{comments_path}/{NUMBER}", token, *pair)) for pair in set(allowed.values())}
    for number, pair in allowed.items():
        given[f"actions-{number}"] = kinds[pair].replace(NUMBER, str(number))
    if commenter is not None:
        reply = str(get_template_attribute(CONTROLS, "reply_form")(
            comments_path, token, NUMBER, commenter, comment_form.text.flags.maxlength))
        for comment in part.data:
            if comment.in_reply_to_id is None and comment.deleted_at is None:
                given[f"reply-{comment.id}"] = reply.replace(NUMBER, str(comment.id))
    return part.fill(given)


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
    comment = comments.comment_on(event, chosen_identity(form.identity), form.text.data, in_reply_to=reply_to)
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


@bp.route("/events/<uuid>/comments/<int(max=9223372036854775807):comment_id>/edit", methods=["GET", "POST"])
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
    return render_form("events/comment_edit.html", form, event=event, comment=comment)


@bp.route("/events/<uuid>/comments/<int(max=9223372036854775807):comment_id>/delete", methods=["POST"])
@login_required
def delete(uuid, comment_id):
    event = events.visible_event(uuid, viewer_ids())
    comment = comments.comment_for(event, comment_id)
    comments.delete_comment(comment, comment_actor(event, comment))
    flash(_("The comment is deleted."), "success")
    return redirect(url_for("events.show", uuid=event.uuid, _anchor="comments"))
