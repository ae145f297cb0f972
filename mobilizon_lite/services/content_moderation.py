"""Moderators' removal of content: ours deleted by its area's own service (its Delete federated as the
author's would be), other servers' content removed from this instance only; each logged."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..db import database
from ..models import Comment, DiscussionComment, Event, Post
from . import comments, discussions, events, moderation_log, posts
from .errors import Invalid, NotFound, PermissionDenied
from .group_content_store import forget_held


def _sender(author, group):
    """Who sends the Delete of a group's content: its author while a live identity of ours, else the group."""
    return author if author is not None and author.is_local and author.deleted_at is None else group


def _delete_event(event):
    events.delete_event(event, event.organizer)


def _delete_comment(comment):
    comments.delete_comment(comment, comment.actor)


def _delete_post(post):
    posts.erase(post, _sender(post.author, post.group))


def _delete_message(message):
    discussions.erase_message(message, _sender(message.actor, message.discussion.group))


# kind -> (table, what the log line names it by, whether it is ours, how ours is deleted, how another
# server's is removed here, what a person reads).
KINDS = {
    "event": (Event, lambda event: event.title, lambda event: event.is_local, _delete_event,
              lambda event: event.delete_instance(recursive=True), _l("event")),
    "comment": (Comment, lambda comment: comment.source[:100], lambda comment: comment.actor.is_local,
                _delete_comment, comments.remove, _l("comment")),
    "post": (Post, lambda post: post.title, lambda post: post.group.is_local, _delete_post, forget_held, _l("post")),
    "message": (DiscussionComment, lambda message: message.source[:100],
                lambda message: message.discussion.group.is_local, _delete_message, forget_held,
                _l("discussion message")),
}


def is_local(kind, content):
    """Whether the content is ours (deleted everywhere) rather than another server's (removed here only)."""
    return KINDS[kind][2](content)


def label(kind, content):
    """What the moderation log names the content by (its title, or the start of its text)."""
    return KINDS[kind][1](content)


def name(kind):
    """The kind as people read it (event, comment, post, discussion message)."""
    return KINDS[kind][5]


def find(kind, object_id):
    """The live content of this kind and id; NotFound otherwise."""
    if kind not in KINDS:
        raise NotFound(_("There is no such kind of content."))
    table = KINDS[kind][0]
    found = table.get_or_none(table.id == object_id)
    if found is None or getattr(found, "deleted_at", None) is not None:
        raise NotFound(_("This content does not exist or was already removed."))
    return found


def remove(kind, content, moderator, reason=""):
    """Remove content of kind (event, comment, post, message) as moderator (an Account; None: the
    command line), and log it with the reason."""
    if kind not in KINDS:
        raise Invalid(_("There is no such kind of content."))
    if moderator is not None and not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators and administrators remove others' content."))
    with database.atomic():
        moderation_log.record(moderator, "remove", kind, content.ap_id, label(kind, content), reason)
        KINDS[kind][3 if is_local(kind, content) else 4](content)
