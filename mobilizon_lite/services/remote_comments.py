"""Comments from other servers: Notes answering an event (or a comment on it), edited or deleted by their
author; relayed by the event's server to the others that hold the event, in Announces."""
import logging
import uuid as uuid_lib
from datetime import timedelta

from ..activitypub import audience
from ..activitypub.convert.activities import announce_to_ap
from ..activitypub.convert.comment import note_from_ap
from ..activitypub.convert.tombstone import tombstone_to_ap
from ..activitypub.publish import new_activity_id, publish
from ..activitypub.vocab import get_id, is_public
from ..db import database, utcnow
from ..models import Comment, Event, Tombstone
from ..models.federation import DONE, IGNORED
from ..urls import host_of
from . import event_messages
from .actors import known_or_fetched
from .announces import from_origin, gone_at_origin
from .comments import comment_document, comment_recipients, notify_new, remove
from .errors import NotFound
from .event_access import require_visible_to

log = logging.getLogger(__name__)

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
    audience never does: from the event's server to its participants here, it is a message of the
    organisers (see event_messages); a direct message to an organiser here is left alone."""
    note = item.body.get("object")
    if not (is_public(item.body) or is_public(note)):
        return event_messages.receive(note, item.body, item.actor)
    return _store(note, item.actor, True)


def _store(note, author, public):
    """Keep author's Note as a comment on the event it answers, and relay it when the event is ours;
    the handling's state."""
    try:
        in_reply_to, text, published = note_from_ap(note, author.ap_id)
    except ValueError:
        return IGNORED
    if not public:
        return IGNORED
    event, parent = _thread_of(in_reply_to)
    if event is None or event.comments_closed or (parent is not None and parent.deleted_at is not None):
        return IGNORED
    try:
        require_visible_to(event, author)
    except NotFound:
        return IGNORED
    with database.atomic():
        if Comment.select().where(Comment.ap_id == note["id"]).exists():
            return DONE
        # Its own date, unless it claims to come from the future or from long ago.
        now = utcnow()
        written = published if published is not None and now - PAST_LIMIT <= published <= now else now
        comment = Comment.create(uuid=str(uuid_lib.uuid4()), ap_id=note["id"], event=event, actor=author,
                                 in_reply_to=parent, text=text, source="", created_at=written, updated_at=written)
        _relay(comment)
        notify_new(comment)
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
    return _change(comment, item.body.get("object"))


def _change(comment, note):
    """The new text of a live comment, from its author's Note; relayed when the event is ours."""
    try:
        _in_reply_to, text, _published = note_from_ap(note, comment.actor.ap_id)
    except ValueError:
        return IGNORED
    if text == comment.text:
        return DONE  # told again (an Announce repeated, say): nothing to change or relay
    with database.atomic():
        comment.text, comment.updated_at = text, utcnow()
        Comment.update(text=text, updated_at=comment.updated_at).where(Comment.id == comment.id).execute()
        _relay(comment)
    return DONE


def on_delete_note(item):
    """Its author deleted a comment: gone, or a placeholder when it has replies."""
    comment = _own_comment(item)
    if comment is None:
        return IGNORED
    return _delete(comment)


def _delete(comment):
    """A comment deleted by its author on its server: remembered as deleted, relayed when the event is ours."""
    with database.atomic():
        Tombstone.get_or_create(ap_id=comment.ap_id, actor=comment.actor)
        _relay(comment, deleted=True)
        remove(comment)
    return DONE


def _relay(comment, deleted=False):
    """On the event's server, a comment from elsewhere (its creation, change or deletion) goes on to
    the other servers that hold the event, in an Announce by whom the event speaks for (its group,
    else its organiser); they take it from its author's server, never from the Announce."""
    event = comment.event
    if not event.is_local or event.is_private or comment.actor.is_local:
        return
    to, cc, recipients = audience.of_comment_relay(event, comment_recipients(comment), comment.actor)
    note = tombstone_to_ap(comment.ap_id, "Note", utcnow()) if deleted else comment_document(comment)
    speaker = audience.speaker(event)
    publish(speaker, announce_to_ap(new_activity_id(), speaker, note, to, cc), recipients, listed=False)


def on_announce_note(item):
    """An Announce of a comment on an event we show (its server relays the comments others write):
    the comment is stored, changed or deleted as its author's server serves it, the announced copy
    believed only when that server sent it; a deletion only once that server says it is gone."""
    carried = item.body.get("object")
    note_id = get_id(carried)
    held = Comment.get_or_none(Comment.ap_id == note_id) if note_id else None
    if held is not None and (held.actor.is_local or held.deleted_at is not None):
        return IGNORED  # ours, or gone: nobody else tells us about it
    if isinstance(carried, dict) and carried.get("type") == "Tombstone":
        return _delete(held) if held is not None and gone_at_origin(note_id) else IGNORED
    if held is None and (not isinstance(carried, dict) or _thread_of(get_id(carried.get("inReplyTo")))[0] is None):
        return IGNORED  # an answer to nothing we show: not worth a fetch
    note = from_origin(carried, item.actor, _at_home)
    if note is None:
        return IGNORED
    if held is not None:
        return _change(held, note) if held.actor.ap_id == get_id(note.get("attributedTo")) else IGNORED
    author = _author(get_id(note.get("attributedTo")))
    return _store(note, author, is_public(note)) if author is not None else IGNORED


def _at_home(document):
    """Whether document is a Note of its own server, attributed to an actor of that server."""
    if not isinstance(document, dict) or document.get("type") != "Note" or not isinstance(document.get("id"), str):
        return False
    author = get_id(document.get("attributedTo"))
    return isinstance(author, str) and host_of(author) == host_of(document["id"]) is not None


def _author(actor_id):
    """The remote actor who wrote a Note: known, or fetched from their server; None otherwise."""
    actor = known_or_fetched(actor_id)
    return None if actor is None or actor.is_local or actor.deleted_at is not None else actor


def forget(actor):
    """A deleted (or blocked) remote account's comments go (placeholders where others answered them);
    returns how many."""
    removed = 0
    # Replies first, so that a comment whose replies were all theirs leaves no empty placeholder.
    for comment in (Comment.select().where((Comment.actor == actor) & Comment.deleted_at.is_null())
                    .order_by(Comment.in_reply_to.is_null())):
        remove(comment)
        removed += 1
    return removed
