"""Comments on events: write, reply (one level), edit, delete, and who may do which."""
import uuid as uuid_lib

from flask_babel import gettext as _

from ..activitypub import audience
from ..activitypub.convert.activities import change_to_ap
from ..activitypub.convert.comment import comment_to_ap
from ..activitypub.convert.tombstone import tombstone_document, tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..db import database, utcnow
from ..models import Actor, Comment
from ..models.limits import COMMENT_HTML_MAX, COMMENT_MAX
from ..text import html_to_text, markdown_to_html
from ..urls import public_url
from . import notifications
from .errors import Invalid, NotFound, PermissionDenied
from .event_access import organizer_ids, require_visible_to
from .event_federation import followers_of, remote_participants
from .prepared import prepared
from .rows import CommentRow, read_with_actors, with_actors_query


def clean_message(source):
    """(source, its HTML) of a message as typed (an event comment, a discussion message), checked:
    not empty, within the sizes of comments, its Markdown made safe HTML."""
    source = (source or "").strip()
    if not source:
        raise Invalid(_("Write something first."), "text")
    if len(source) > COMMENT_MAX:
        raise Invalid(_("At most %(max)d characters.", max=COMMENT_MAX), "text")
    html = markdown_to_html(source)
    # Other servers of ours would cut it (a link defined once and used all along can get there).
    if len(html) > COMMENT_HTML_MAX:
        raise Invalid(_("This comment is too long once formatted: use fewer links."), "text")
    return source, html


def check_comment(event, actor):
    """Refuse a comment on the event by this identity: it may not see the event, or comments are closed."""
    require_visible_to(event, actor)
    if event.comments_closed:
        raise PermissionDenied(_("Comments are closed on this event."))


def comment_on(event, actor, source, in_reply_to=None):
    """Add a comment (or a reply to a top-level comment) as one identity."""
    check_comment(event, actor)
    source, html = clean_message(source)
    parent = None
    if in_reply_to is not None:
        parent = Comment.get_or_none((Comment.id == in_reply_to) & (Comment.event == event))
        if parent is None or parent.deleted_at is not None:
            raise NotFound(_("The comment you answer no longer exists."))
        # One level of threading: a reply to a reply joins its thread.
        parent = parent.in_reply_to or parent
    comment_uuid = str(uuid_lib.uuid4())
    now = utcnow()
    with database.atomic():
        comment = Comment.create(
            created_at=now, updated_at=now, uuid=comment_uuid,
            ap_id=public_url("comments.show", uuid=event.uuid, comment_uuid=comment_uuid),
            event=event, actor=actor, in_reply_to=parent, source=source, text=html,
        )
        federate(comment, "Create")
        notify_new(comment)
    return comment


# How much of a comment its notification email quotes.
EXCERPT_MAX = 600


def notify_new(comment):
    """Once the new comment (local or from elsewhere) is committed, email the accounts of the event's
    organisers and, for a reply, of those who wrote in its thread: one email each, never to its author's."""
    database.on_commit(lambda: _send_new_comment(comment))


def _send_new_comment(comment):
    event = comment.event
    organisers = organizer_ids(event)
    writers = set()
    parent = comment.in_reply_to
    if parent is not None:
        thread = Comment.select(Comment.actor).where(
            ((Comment.id == parent.id) | (Comment.in_reply_to == parent.id)) & Comment.deleted_at.is_null())
        writers = {actor_id for (actor_id,) in thread.tuples()}
    organiser_accounts = {account_id for (account_id,) in Actor.select(Actor.account).where(
        Actor.id.in_(list(organisers)) & Actor.account.is_null(False)).tuples()}
    # The author's other identities are the same person: never told of their own words.
    recipients = [account for account in notifications.accounts_of(organisers | writers)
                  if account.id != comment.actor.account_id]
    text = html_to_text(comment.text)
    excerpt = text if len(text) <= EXCERPT_MAX else text[:EXCERPT_MAX].rstrip() + "…"
    link = public_url("comments.show", uuid=event.uuid, comment_uuid=comment.uuid)
    notifications.notify(notifications.COMMENTS, recipients, "mail/new_comment.txt", lambda account: {
        "event": event, "author": comment.actor, "excerpt": excerpt, "link": link,
        "organiser": account.id in organiser_accounts})


def comment_for(event, comment_id):
    """A live comment of the event, or NotFound."""
    comment = Comment.get_or_none(
        (Comment.id == comment_id) & (Comment.event == event) & Comment.deleted_at.is_null()
    )
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    return comment


# Pages ask these of every comment: plain answers, as a refusal's translated message costs more.
def is_author(comment, actor):
    """Whether actor (an identity or None) wrote the comment."""
    return actor is not None and comment.actor_id == actor.id


def may_delete(comment, actor, organizers=None):
    """Whether actor wrote the comment or organises its event (organizers: the event's organizer_ids, if known)."""
    return is_author(comment, actor) or (actor is not None and actor.id in (
        organizer_ids(comment.event) if organizers is None else organizers))


def require_author(comment, actor):
    """PermissionDenied unless actor wrote the comment."""
    if not is_author(comment, actor):
        raise PermissionDenied(_("You can only edit your own comments."))


def check_delete(comment, actor, organizers=None):
    """PermissionDenied unless may_delete."""
    if not may_delete(comment, actor, organizers):
        raise PermissionDenied(_("You can only delete your own comments, or those on your events."))


def can_edit(comment, actor):
    """Whether actor (an identity or None) may edit this live comment."""
    return comment.deleted_at is None and is_author(comment, actor)


def can_delete(comment, actor, organizers=None):
    """Whether actor (an identity or None) may delete this live comment."""
    return comment.deleted_at is None and may_delete(comment, actor, organizers)


def actions_for(shown, identities, acting, organizers):
    """{comment id: (may edit, may delete)} on the comments shown (a thread's comments and replies), each
    acted on by its author among identities, else by acting (None: nobody); organizers: the event's
    organizer_ids. Comments nobody may act on are left out."""
    authors = {identity.id: identity for identity in identities}
    offered = {}
    for comment in shown:
        actor = authors.get(comment.actor_id, acting)
        allowed = (can_edit(comment, actor), can_delete(comment, actor, organizers))
        if any(allowed):
            offered[comment.id] = allowed
    return offered


def rewrite(message, source, send):
    """Give a comment or a discussion message its new text, and send(message, "Update") in the same
    transaction."""
    message.source, message.text = clean_message(source)
    message.updated_at = utcnow()
    with database.atomic():
        message.save()
        send(message, "Update")
    return message


def edit_comment(comment, actor, source):
    """Change one's own comment."""
    require_author(comment, actor)
    return rewrite(comment, source, federate)


def delete_comment(comment, actor):
    """Delete one's own comment, or any comment on an event one organises."""
    check_delete(comment, actor)
    with database.atomic():
        if comment.actor.is_local:
            federate(comment, "Delete")
        remove(comment)


def remove(comment):
    """Delete a comment; one with replies stays as a placeholder so its thread still reads."""
    if comment.replies.where(Comment.deleted_at.is_null()).exists():
        Comment.update(deleted_at=utcnow(), text="", source="").where(Comment.id == comment.id).execute()
    else:
        comment.delete_instance()


def comment_recipients(comment):
    """Who hears of a comment: the event's server, or (on our events) the event's remote audience;
    and the remote author of the comment it answers."""
    event = comment.event
    if event.is_local:
        recipients = remote_participants(event) + followers_of(event)
    else:
        recipients = [event.organizer]
    parent = comment.in_reply_to
    if parent is not None and not parent.actor.is_local:
        recipients.append(parent.actor)
    return recipients


def comment_document(comment):
    """The comment as a Note (a Tombstone once deleted), answering its parent comment or its event."""
    if comment.deleted_at is not None:
        return tombstone_document(comment.ap_id, "Note", comment.deleted_at)
    parent = comment.in_reply_to
    return comment_to_ap(comment, parent.ap_id if parent is not None else comment.event.ap_id)


def federate(comment, verb):
    """Send Create, Update or Delete of a local comment; comments on private events stay here."""
    if comment.event.is_private:
        return
    note = comment_document(comment)
    to, cc, listed = audience.of_change(verb, note["to"], note["cc"])
    document = tombstone_to_ap(comment.ap_id, "Note", utcnow()) if verb == "Delete" else note
    publish(comment.actor, change_to_ap(new_activity_id(), verb, comment.actor, document, to, cc),
            comment_recipients(comment), listed)


@prepared(1)
def _thread_rows(event_id):
    return with_actors_query(
        Comment.select().join(Actor).where(Comment.event == event_id).order_by(Comment.created_at), CommentRow)


def thread(event):
    """Top-level comments, oldest first, each with its replies as `.thread_replies` (CommentRows); a
    deleted one only while replies to it remain."""
    comments = read_with_actors(_thread_rows.rows(event.id), CommentRow)
    top = [c for c in comments if c.in_reply_to_id is None]
    by_id = {c.id: c for c in top}
    for comment in top:
        comment.thread_replies = []
    for comment in comments:
        if comment.in_reply_to_id in by_id:
            by_id[comment.in_reply_to_id].thread_replies.append(comment)
    # A deleted comment whose replies are all gone too has nothing left to show.
    return [c for c in top if c.deleted_at is None or c.thread_replies]
