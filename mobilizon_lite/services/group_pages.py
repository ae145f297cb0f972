"""What a group's page and the list of this instance's groups show, each list read in one query."""
from typing import NamedTuple

from peewee import fn

from ..db import utcnow
from ..models import Actor, Event, Member, Post
from ..models.actors import TYPE_GROUP
from ..models.events import Visibility
from ..models.groups import MEMBER_ROLES, GroupVisibility
from ..text import html_to_text, text_line
from . import event_cards
from .event_access import visible
from .events import by_time, ends_since, listing_query
from .posts import readable_by
from .rows import EventRow, with_actors

POSTS_ON_PAGE = 5
PAST_EVENTS_ON_PAGE = 20
EXCERPT_MAX = 200


def group_events(group, viewer_ids=(), member=False):
    """(upcoming, past) events of the group (EventRows): all of them for a member, else those the
    viewer's identities may see in listings (public ones, and private ones they take part in)."""
    condition = Event.attributed_to == group
    if not member:
        condition &= visible(viewer_ids)
    base = listing_query().where(condition)
    upcoming = with_actors(by_time(base), EventRow)
    past = with_actors(by_time(base, past=True).limit(PAST_EVENTS_ON_PAGE), EventRow)
    event_cards.count_participants(upcoming, past)
    return upcoming, past


def public_posts(group, limit=POSTS_ON_PAGE):
    """The group's newest published public posts (title, slug and date)."""
    return list(Post.select(Post.title, Post.slug, Post.published_at)
                .where((Post.group == group) & readable_by(None, drafts=False) & Post.published_at.is_null(False))
                .order_by(Post.published_at.desc()).limit(limit))


class GroupCard(NamedTuple):
    """A group as /groups lists it; next_event is an EventRow (without organiser) or None."""
    preferred_username: str
    name: str
    excerpt: str
    members: int
    next_event: object

    @property
    def display_name(self):
        return self.name or self.preferred_username


def _excerpt(summary_html):
    text = text_line(html_to_text(summary_html), EXCERPT_MAX + 1)
    return text if len(text) <= EXCERPT_MAX else text[:EXCERPT_MAX].rsplit(" ", 1)[0] + "…"


def _next_events(group_ids):
    """{group id: EventRow} of each group's next public event not over yet, in one query."""
    if not group_ids:
        return {}
    rank = fn.ROW_NUMBER().over(partition_by=[Event.attributed_to], order_by=[Event.begins_on, Event.id])
    ranked = (Event.select(Event.attributed_to.alias("group_id"), *EventRow.COLUMNS, rank.alias("place"))
              .where(Event.attributed_to.in_(group_ids) & (Event.visibility == Visibility.PUBLIC)
                     & ends_since(utcnow())))
    rows = (Event.select(ranked.c.group_id, *(ranked.c[column.column_name] for column in EventRow.COLUMNS))
            .from_(ranked).where(ranked.c.place == 1).tuples())
    return {group_id: EventRow(values) for group_id, *values in rows}


def public_groups(page, per_page):
    """One page of this instance's public live groups by name (GroupCards), one more than per_page
    when a next page exists."""
    members = (Member.select(fn.COUNT(Member.id)).where((Member.group == Actor.id)
                                                       & Member.role.in_(MEMBER_ROLES)))
    rows = list(Actor.select(Actor.id, Actor.preferred_username, Actor.name, Actor.summary, members.alias("members"))
                .where(Actor.domain.is_null() & (Actor.type == TYPE_GROUP) & Actor.deleted_at.is_null()
                       & ~Actor.suspended & (Actor.visibility == GroupVisibility.PUBLIC))
                .order_by(fn.LOWER(fn.COALESCE(fn.NULLIF(Actor.name, ""), Actor.preferred_username)), Actor.id)
                .limit(per_page + 1).offset((page - 1) * per_page).tuples())
    upcoming = _next_events([row[0] for row in rows])
    return [GroupCard(username, name, _excerpt(summary), count, upcoming.get(group_id))
            for group_id, username, name, summary, count in rows]
