"""What a report can name (events, comments, posts, groups, identities; ours or another server's), found
by its address, with who wrote it and whether the reporter may see it."""
from typing import NamedTuple

from flask_babel import gettext as _

from ..models import Actor, Comment, Event, Post
from ..models.actors import TYPE_GROUP, TYPE_PERSON
from ..text import html_to_text, text_line
from . import events, group_roles, posts
from .actors import owned_by_confirmed
from .errors import NotFound

LABEL_MAX = 300


class Reportable(NamedTuple):
    """Something a report may name: its kind, address, server (None: ours), a label kept in the report,
    its author (the reported actor), and the row itself."""
    kind: str
    ap_id: str
    domain: str | None
    label: str
    author: Actor
    row: object


def _event(event):
    return Reportable("event", event.ap_id, event.organizer.domain, text_line(event.title, LABEL_MAX),
                      event.organizer, event)


def _comment(comment):
    return Reportable("comment", comment.ap_id, comment.actor.domain,
                      text_line(html_to_text(comment.text), LABEL_MAX), comment.actor, comment)


def _post(post):
    author = post.author if post.author_id and post.author.domain == post.group.domain else post.group
    return Reportable("post", post.ap_id, post.group.domain, text_line(post.title, LABEL_MAX), author, post)


def _actor(actor):
    kind = "group" if actor.type == TYPE_GROUP else "identity"
    return Reportable(kind, actor.ap_id, actor.domain, text_line(f"{actor.display_name} (@{actor.handle})", LABEL_MAX),
                      actor, actor)


def _live_actor(condition):
    """Condition on Actor: an identity or group, not deleted nor suspended; ours only when confirmed."""
    return (condition & Actor.type.in_([TYPE_PERSON, TYPE_GROUP]) & Actor.deleted_at.is_null() & ~Actor.suspended
            & (Actor.domain.is_null(False) | owned_by_confirmed()))


def find(ap_id):
    """The Reportable at ap_id, whoever may see it; None when no live event, comment, post, group or
    identity we hold has this address."""
    if not isinstance(ap_id, str) or not ap_id:
        return None
    event = Event.get_or_none(Event.ap_id == ap_id)
    if event is not None:
        return _event(event)
    comment = Comment.get_or_none((Comment.ap_id == ap_id) & Comment.deleted_at.is_null())
    if comment is not None:
        return _comment(comment)
    post = Post.get_or_none((Post.ap_id == ap_id) & ~Post.draft)
    if post is not None and post.group.deleted_at is None:
        return _post(post)
    actor = Actor.get_or_none(_live_actor(Actor.ap_id == ap_id))
    return _actor(actor) if actor is not None else None


def _may_see(found, viewer_ids):
    """Whether the identities viewer_ids (none: a visitor) may see what found is."""
    if found.kind in ("event", "comment"):
        event = found.row if found.kind == "event" else found.row.event
        try:
            events.visible_event(event.uuid, viewer_ids)
        except NotFound:
            return False
        return True
    if found.kind == "post":
        viewers = list(Actor.select().where(Actor.id.in_(list(viewer_ids)))) if viewer_ids else []
        _identity, member = group_roles.acting_member(found.row.group, viewers)
        return posts.may_read(found.row, group_roles.member_role(member))
    return True


def reportable(ap_id, viewer_ids=()):
    """The Reportable at ap_id when the identities viewer_ids (none: a visitor) may see it; NotFound
    otherwise, as for what does not exist."""
    found = find(ap_id)
    if found is None or not _may_see(found, set(viewer_ids)):
        raise NotFound(_("There is nothing to report at this address, or it is not visible to you."))
    return found


def reported_here(ap_id):
    """The Reportable at ap_id when it is this instance's own (what another server's Flag may name)."""
    found = find(ap_id)
    return found if found is not None and found.domain is None else None
