"""What a group's public feeds hold: its public events and its published public posts, never more."""
import hashlib

from flask import current_app
from peewee import fn

from ..db import database
from ..models import Actor, Event, Post
from .event_access import visible
from .groups import local_group
from .posts import readable_by
from .subscriptions import feed_events, feed_window, fingerprint


def group_feed(username):
    """(group, query of its public events) for /@group/feed/*: a public or an unlisted group (both are
    reached by their link), NotFound or Gone like its page."""
    group = local_group(username)
    return group, feed_window(feed_events().where((Event.attributed_to == group) & visible()))


def public_posts(group):
    """The group's published public posts with their group, newest first, at most FEED_MAX_ITEMS."""
    published = fn.COALESCE(Post.published_at, Post.created_at)
    return (Post.select(Post, Actor).join(Actor, on=(Post.group == Actor.id))
            .where((Post.group == group) & readable_by(None, drafts=False))
            .order_by(published.desc(), Post.id.desc()).limit(current_app.config["FEED_MAX_ITEMS"]))


def group_fingerprint(group, events, posts=None):
    """A digest of everything a group feed shows: the group's name, its events and (Atom) its posts."""
    rows = [group.updated_at, group.name, fingerprint(events)]
    if posts is not None:
        rows += database.execute(posts.select(Post.id, Post.updated_at, Post.published_at)).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]
