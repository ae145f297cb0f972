"""Comments on events: write, reply (one level), edit, delete, and who may do which."""
import uuid as uuid_lib

from flask_babel import gettext as _

from ..db import utcnow
from ..models import Actor, Comment
from ..text import markdown_to_html
from ..urls import public_url
from .errors import Invalid, NotFound, PermissionDenied
from .events import organizer_among, require_visible_to

COMMENT_MAX = 5000


def _clean(source):
    source = (source or "").strip()
    if not source:
        raise Invalid(_("Write something first."), "text")
    if len(source) > COMMENT_MAX:
        raise Invalid(_("At most %(max)d characters.", max=COMMENT_MAX), "text")
    return source


def comment_on(event, actor, source, in_reply_to=None):
    """Add a comment (or a reply to a top-level comment) as one identity."""
    require_visible_to(event, actor)
    if not event.is_local:
        raise PermissionDenied(_("This event comes from another server: comment on its own page."))
    if event.comment_mode == "closed":
        raise PermissionDenied(_("Comments are closed on this event."))
    source = _clean(source)
    parent = None
    if in_reply_to is not None:
        parent = Comment.get_or_none((Comment.id == in_reply_to) & (Comment.event == event))
        if parent is None or parent.deleted_at is not None:
            raise NotFound(_("The comment you answer no longer exists."))
        # One level of threading: a reply to a reply joins its thread.
        parent = parent.in_reply_to or parent
    comment_uuid = str(uuid_lib.uuid4())
    now = utcnow()
    return Comment.create(
        created_at=now, updated_at=now, uuid=comment_uuid, ap_id=public_url("comments.show", uuid=event.uuid, comment_uuid=comment_uuid),
        event=event, actor=actor, in_reply_to=parent, source=source, text=markdown_to_html(source),
    )


def comment_for(event, comment_id):
    """A live comment of the event, or NotFound."""
    comment = Comment.get_or_none(
        (Comment.id == comment_id) & (Comment.event == event) & Comment.deleted_at.is_null()
    )
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    return comment


def require_author(comment, actor):
    """PermissionDenied unless actor wrote the comment."""
    if actor is None or comment.actor_id != actor.id:
        raise PermissionDenied(_("You can only edit your own comments."))


def edit_comment(comment, actor, source):
    """Change one's own comment."""
    require_author(comment, actor)
    comment.source = _clean(source)
    comment.text = markdown_to_html(comment.source)
    comment.updated_at = utcnow()
    comment.save()
    return comment


def delete_comment(comment, actor):
    """Delete one's own comment, or any comment on an event one organises."""
    if actor is None or (comment.actor_id != actor.id and organizer_among(comment.event, [actor]) is None):
        raise PermissionDenied(_("You can only delete your own comments, or those on your events."))
    if comment.replies.where(Comment.deleted_at.is_null()).exists():
        comment.deleted_at = utcnow()
        comment.text = comment.source = ""
        comment.save()
    else:
        comment.delete_instance()


def thread(event):
    """Top-level comments, oldest first, each with its replies as `.thread_replies`."""
    comments = list(
        Comment.select(Comment, Actor).join(Actor).where(Comment.event == event).order_by(Comment.created_at)
    )
    top = [c for c in comments if c.in_reply_to_id is None]
    by_id = {c.id: c for c in top}
    for comment in top:
        comment.thread_replies = []
    for comment in comments:
        if comment.in_reply_to_id in by_id:
            by_id[comment.in_reply_to_id].thread_replies.append(comment)
    # A deleted comment whose replies are all gone too has nothing left to show.
    return [c for c in top if c.deleted_at is None or c.thread_replies]
