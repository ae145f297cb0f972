"""Comments from other servers: Notes answering an event (or a comment on it), edited or deleted by their author."""
import uuid as uuid_lib
from datetime import timedelta

from ..activitypub.convert.comment import note_from_ap
from ..activitypub.vocab import get_id, is_public
from ..db import database, utcnow
from ..models import Comment, Event
from ..models.federation import DONE, IGNORED
from .actors import keep_tombstone
from .comments import remove
from .errors import NotFound
from .events import require_visible_to

PAST_LIMIT = timedelta(days=3650)


def _thread_of(in_reply_to):
    """(event, parent comment or None) that a Note answers, or (None, None) when it is none of ours."""
    event = Event.get_or_none(Event.ap_id == in_reply_to)
    if event is not None:
        return event, None
    parent = Comment.get_or_none(Comment.ap_id == in_reply_to)
    if parent is None:
        return None, None
    # One level of threading: a reply to a reply joins its thread.
    return parent.event, (parent.in_reply_to or parent)


def on_create_note(item):
    """A Note answering one of the events we show becomes a comment on it; one without a public
    audience (a direct message to the organiser) never does."""
    note = item.body.get("object")
    try:
        in_reply_to, text, published = note_from_ap(note, item.actor.ap_id)
    except ValueError:
        return IGNORED
    if not (is_public(item.body) or is_public(note)):
        return IGNORED
    event, parent = _thread_of(in_reply_to)
    if event is None or event.comments_closed or (parent is not None and parent.deleted_at is not None):
        return IGNORED
    try:
        require_visible_to(event, item.actor)
    except NotFound:
        return IGNORED
    with database.atomic():
        if Comment.select().where(Comment.ap_id == note["id"]).exists():
            return DONE
        # Its own date, unless it claims to come from the future or from long ago.
        now = utcnow()
        written = published if published is not None and now - PAST_LIMIT <= published <= now else now
        Comment.create(uuid=str(uuid_lib.uuid4()), ap_id=note["id"], event=event, actor=item.actor,
                       in_reply_to=parent, text=text, source="", created_at=written, updated_at=written)
    return DONE


def _own_comment(item):
    """The comment the activity's object names, when the activity's actor wrote it."""
    comment = Comment.get_or_none(Comment.ap_id == get_id(item.body.get("object")))
    return comment if comment is not None and comment.actor_id == item.actor.id else None


def on_update_note(item):
    """Its author changed a comment (Mobilizon deletes one by updating it to a Tombstone)."""
    comment = _own_comment(item)
    if comment is None or comment.deleted_at is not None:
        return IGNORED
    if isinstance(item.body.get("object"), dict) and item.body["object"].get("type") == "Tombstone":
        return on_delete_note(item)
    try:
        _in_reply_to, text, _published = note_from_ap(item.body.get("object"), item.actor.ap_id)
    except ValueError:
        return IGNORED
    Comment.update(text=text, updated_at=utcnow()).where(Comment.id == comment.id).execute()
    return DONE


def on_delete_note(item):
    """Its author deleted a comment: gone, or a placeholder when it has replies."""
    comment = _own_comment(item)
    if comment is None:
        return IGNORED
    with database.atomic():
        keep_tombstone(item)
        remove(comment)
    return DONE


def forget(actor):
    """A deleted remote account's comments go (placeholders where others answered them)."""
    # Replies first, so that a comment whose replies were all theirs leaves no empty placeholder.
    for comment in (Comment.select().where((Comment.actor == actor) & Comment.deleted_at.is_null())
                    .order_by(Comment.in_reply_to.is_null())):
        remove(comment)
