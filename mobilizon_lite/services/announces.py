"""Groups of other servers announcing their content (Mobilizon's groups, and ours): the Event or Article
an Announce carries, bare or inside its Create, Update or Delete, is stored as the group's. An
embedded object is taken as it is only from the group it is attributed to, on its own server;
anything else is fetched from its origin, so that nobody's word is taken for someone else's object."""
import logging
import uuid as uuid_lib
from urllib.parse import urlsplit

from ..activitypub.client import RequestError
from ..activitypub.convert.post import post_from_ap
from ..activitypub.vocab import as_list, get_id
from ..db import database, utcnow
from ..models import Actor, Event, Post, Tombstone
from ..models.federation import DONE, IGNORED
from ..models.limits import URL_MAX
from . import remote_dates, remote_events
from .actors import known_or_fetched, signed_get

log = logging.getLogger(__name__)

GONE = (404, 410)


def on_announce_event(item):
    """A group's Announce of its event (Mobilizon's groups relay the Event itself): stored or changed
    here as the group's. Announces of anyone else (a Mastodon boost) are ignored."""
    return _announced(item, item.body.get("object"))


def on_announce_article(item):
    """A group's Announce of its post: as of its event."""
    return on_announce_event(item)


def on_announce_unknown(item):
    """A group's Announce of an id we do not hold: as of an event or post (fetched from its origin)."""
    return on_announce_event(item)


def on_announce_create(item):
    """A group's Announce of the Create of its event or post: as of the object the Create carries."""
    inner = item.body.get("object")
    return _announced(item, inner.get("object") if isinstance(inner, dict) else None)


def on_announce_update(item):
    """A group's Announce of the Update of its event or post: as of its Create."""
    return on_announce_create(item)


def on_announce_delete(item):
    """A group's Announce of the Delete of its event or post: deleted here once its origin says so."""
    inner = item.body.get("object")
    if not item.actor.is_group or not isinstance(inner, dict):
        return IGNORED
    return _on_deleted(item.actor, get_id(inner.get("object")))


def _announced(item, carried):
    """Store the event or post carried (embedded or by id) when it is the announcing group's."""
    group = item.actor
    if not group.is_group or (isinstance(carried, dict) and carried.get("type") not in STORED_KINDS):
        return IGNORED  # a person's boost, a Lemmy community's Page or Note: nothing of ours, no fetch
    document = _verified(carried, group)
    keep = STORED_KINDS.get(document.get("type")) if document is not None else None
    return DONE if keep is not None and keep(document, group) else IGNORED


def _speaks_for(document, group):
    """Whether document is an object of group's own server attributed to group."""
    return (isinstance(document, dict) and isinstance(document.get("id"), str)
            and group.ap_id in [get_id(item) for item in as_list(document.get("attributedTo"))]
            and urlsplit(document["id"]).netloc == urlsplit(group.ap_id).netloc)


def _verified(carried, group):
    """The group's object carried, as from_origin gives it."""
    return from_origin(carried, group, lambda document: _speaks_for(document, group))


def from_origin(carried, sender, belongs):
    """The object an activity of sender carries (embedded, or its id), as its origin vouches for it;
    None when it does not belong (belongs(document) is false) or its origin says it is gone.

    The embedded copy is taken as it is only when it belongs and sender is on its own server, and it
    was not deleted here since (a replay is checked at its origin too); anything else is fetched
    from its id with a signed GET. A fetch that fails otherwise than 404/410 raises RequestError,
    so that the handling is retried."""
    if (belongs(carried) and urlsplit(carried["id"]).netloc == urlsplit(sender.ap_id).netloc
            and not Tombstone.select().where(Tombstone.ap_id == carried["id"]).exists()):
        return carried
    object_id = get_id(carried)
    if not object_id or len(object_id) > URL_MAX:
        return None
    try:
        document = signed_get(object_id)
    except RequestError as error:
        if error.status in GONE:
            return None
        raise  # the origin may answer later: the handling is retried
    return document if belongs(document) else None


def gone_at_origin(object_id):
    """Whether the origin of object_id says it is deleted: 404, 410 or a Tombstone. A fetch that
    fails otherwise raises RequestError (to be retried): nobody's word is taken for a deletion."""
    try:
        return signed_get(object_id).get("type") == "Tombstone"
    except RequestError as error:
        if error.status not in GONE:
            raise
    return True


def _organizer(document, group):
    """The member who made the group's event: known, or fetched from the group's server; the group
    itself when they cannot be found."""
    actor_id = get_id(document.get("actor"))
    if not actor_id or urlsplit(actor_id).netloc != urlsplit(group.ap_id).netloc:
        return group
    actor = known_or_fetched(actor_id)
    return group if actor is None or actor.is_local else actor


def _store_event(document, group):
    existing = Event.get_or_none(Event.ap_id == document["id"])
    organizer = existing.organizer if existing is not None else _organizer(document, group)
    return remote_events.store(document, organizer, group)


def store_post(document, group):
    """Store or refresh a remote group's Article as a post of that group; None when the post is another
    group's. Its address here is never served: its own server serves it."""
    if len(document["id"]) > URL_MAX:
        return None
    values = post_from_ap(document)
    values["published_at"] = values["published_at"] or utcnow()
    author = Actor.get_or_none(Actor.ap_id == get_id(document.get("actor")))
    with database.atomic():
        post = Post.get_or_none(Post.ap_id == document["id"])
        if post is None:
            post_uuid = str(uuid_lib.uuid4())
            return Post.create(uuid=post_uuid, ap_id=document["id"], slug=post_uuid, group=group, author=author,
                               created_at=utcnow(), updated_at=utcnow(), **values)
        if post.group_id != group.id:
            return None
        Post.update(updated_at=utcnow(), **values).where(Post.id == post.id).execute()
    return Post.get_by_id(post.id)


def _on_deleted(group, object_id):
    """The group's content deleted on its server: deleted here once its origin confirms it is gone."""
    if not object_id:
        return IGNORED
    held = (Event.get_or_none((Event.ap_id == object_id) & (Event.attributed_to == group))
            or Post.get_or_none((Post.ap_id == object_id) & (Post.group == group)))
    date = remote_dates.held_date(object_id) if held is None else None
    if date is not None and date.event.attributed_to_id != group.id:
        date = None
    if (held is None and date is None) or not gone_at_origin(object_id):
        return IGNORED  # still there: whoever says otherwise is wrong
    with database.atomic():
        Tombstone.get_or_create(ap_id=object_id, actor=group)
        if date is not None:
            remote_dates.drop(date)  # a changed date of the group's series, again as its rule gives it
        else:
            held.delete_instance(recursive=True)
    return DONE


# The kinds of a group's content an Announce brings, and what keeps each: (document, group) -> the row
# stored, or None when it is not the group's to store.
STORED_KINDS = {"Event": _store_event, "Article": store_post}
