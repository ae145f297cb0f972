"""What calendar feeds contain: which events, private feed tokens, and a fingerprint of the content."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from peewee import JOIN, Case, fn

from ..db import database, utcnow
from ..models import Actor, Event, FeedToken, Member, Participation
from ..models.participation import GOING_ROLES, NOT_APPROVED, WAITLISTED
from ..urls import whole_number
from .errors import NotFound
from .event_access import ORGANISING_ROLES, SEEING_ROLES, visible
from .events import ends_since, events_query
from .identities import public_identity
from .instance import get_setting, set_setting

# Those awaiting approval or in line on a waiting list see the event as TENTATIVE, never as attending.
WAITING_ROLES = (NOT_APPROVED, WAITLISTED)
FEED_ROLES = (*GOING_ROLES, *WAITING_ROLES)
# The group of a group's event, loaded with its row: feeds name the group as its organiser.
FEED_GROUP = Actor.alias("feed_group")
GROUP_COLUMNS = (FEED_GROUP.id, FEED_GROUP.ap_id, FEED_GROUP.name, FEED_GROUP.preferred_username,
                 FEED_GROUP.updated_at)


# Tokens ----------------------------------------------------------------------------------

def _digest(nonce):
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()[:40]


def token_text(feed_token):
    """The secret that goes in the feed's URL (160 bits of HMAC, after the row id)."""
    return f"{feed_token.id}-{_digest(feed_token.nonce)}"


def resolve_token(text):
    """The FeedToken a URL token stands for, or NotFound (a revoked token stops at once)."""
    row_id, _sep, digest = (text or "").partition("-")
    number = whole_number(row_id)
    token = FeedToken.get_or_none(FeedToken.id == number) if number is not None else None
    if token is None or not hmac.compare_digest(_digest(token.nonce), digest):
        raise NotFound(_("This feed does not exist. Its link may have been revoked."))
    return token


def feed_tokens(account):
    """The account's feed tokens: None (all identities) and each identity id -> FeedToken."""
    return {token.actor_id: token for token in FeedToken.select().where(FeedToken.account == account)}


def issue_token(account, actor=None):
    """Create (or replace, which revokes the old link) the feed token of an account or one identity."""
    nonce = secrets.token_hex(16)
    existing = FeedToken.get_or_none((FeedToken.account == account)
                                     & (FeedToken.actor.is_null() if actor is None else FeedToken.actor == actor))
    if existing is not None:
        existing.nonce, existing.created_at = nonce, utcnow()
        existing.save()
        return existing
    return FeedToken.create(account=account, actor=actor, nonce=nonce)


def revoke_token(account, actor=None):
    """Delete a feed token: its link answers 404 from now on."""
    FeedToken.delete().where(
        (FeedToken.account == account)
        & (FeedToken.actor.is_null() if actor is None else FeedToken.actor == actor)
    ).execute()


# Contents ---------------------------------------------------------------------------------

def instance_feeds_enabled():
    """Whether /feed/instance/* answers (an admin setting, on by default)."""
    return get_setting("instance_feeds", "on") == "on"


def set_instance_feeds(enabled):
    """Turn the instance-wide feeds on or off."""
    set_setting("instance_feeds", "on" if enabled else "off")


def feed_events():
    """Events with their organiser and, for a group's event, their group loaded (no query per row)."""
    # Only what a feed writes of the group: a whole Actor per row would cost more than the feed's lines.
    return (events_query().select_extend(*GROUP_COLUMNS)
            .join_from(Event, FEED_GROUP, JOIN.LEFT_OUTER, on=(Event.attributed_to == FEED_GROUP.id),
                       attr="attributed_to")
            .switch(Event))


def feed_window(query, ordered=False):
    """Upcoming events and those that ended recently, by start (ordered: query is so ordered already, in
    its own way), at most FEED_MAX_ITEMS."""
    config = current_app.config
    # A function's result gets no field conversion: compare with the stored text form.
    since = utcnow() - timedelta(days=config["FEED_PAST_DAYS"])
    query = query.where(ends_since(since))
    return (query if ordered else query.order_by(Event.begins_on, Event.id)).limit(config["FEED_MAX_ITEMS"])


def identity_feed(username):
    """(identity, query of its public events) for /@username/feed/*, as its page lists them: without
    the events of groups that hide which member created them."""
    identity = public_identity(username)
    shown = Event.attributed_to.is_null() | ~FEED_GROUP.hide_event_creator
    return identity, feed_window(feed_events().where((Event.organizer == identity) & visible() & shown))


def instance_feed():
    """Query of the instance's public local events, or NotFound when an admin turned feeds off."""
    if not instance_feeds_enabled():
        raise NotFound(_("This instance does not publish a calendar feed."))
    return feed_window(feed_events().where(visible() & Actor.domain.is_null()))


def feed_identity_ids(feed_token):
    """Ids of the identities a private feed covers: its one identity, or all of its account's."""
    return ([feed_token.actor_id] if feed_token.actor_id else
            [a.id for a in Actor.select(Actor.id).where((Actor.account == feed_token.account_id)
                                                        & Actor.deleted_at.is_null())])


# How an event of the private feed concerns its reader, strongest first (the feed keeps the least):
# organises or takes part, waits for approval or a seat, or belongs to one of the reader's groups.
TAKES_PART, WAITING, GROUP_EVENT = 0, 1, 2


def private_feed(feed_token):
    """(query, pending column) of the events the token's identities organise, join or wait to join,
    and the events of the groups they are members of.

    Each event carries `.feed_participation.pending`: TAKES_PART, WAITING when every identity of the
    feed that is involved still awaits approval (the event is then TENTATIVE), or GROUP_EVENT.
    """
    identities = feed_identity_ids(feed_token)
    taking_part = (Participation.select(Participation.event.alias("event_id"),
                                        Case(None, [(Participation.role.in_(WAITING_ROLES), WAITING)], TAKES_PART)
                                        .alias("relation"))
                   .where(Participation.actor.in_(identities) & Participation.role.in_(FEED_ROLES)))
    # Their groups' moderators organise a group's events (services.event_access.organizer_ids).
    in_groups = (Event.select(Event.id.alias("event_id"),
                              Case(None, [(Member.role.in_(ORGANISING_ROLES), TAKES_PART)], GROUP_EVENT)
                              .alias("relation"))
                 .join(Member, on=(Member.group == Event.attributed_to))
                 .where(Member.actor.in_(identities) & Member.role.in_(SEEING_ROLES)))
    both = (taking_part + in_groups).alias("involved")
    # One row per event even when several of the account's identities are involved in it.
    roles = (Participation.select(both.c.event_id, fn.MIN(both.c.relation).alias("pending")).from_(both)
             .group_by(both.c.event_id).alias("roles"))
    query = (feed_events().select_extend(roles.c.pending)
             .join(roles, on=(roles.c.event_id == Event.id), src=Event, attr="feed_participation"))
    return feed_window(query), roles.c.pending


def joined_dates(feed_token):
    """{event id: the RECURRENCE-IDs of the dates joined, soonest first} of the series the private feed's
    identities take part in on some dates only (not on every one, nor as members of its group)."""
    identities = feed_identity_ids(feed_token)
    dated = {}
    for event_id, date in (Participation.select(Participation.event, Participation.recurrence_id)
                           .where(Participation.actor.in_(identities) & Participation.role.in_(FEED_ROLES)
                                  & Participation.recurrence_id.is_null(False)).tuples()):
        dated.setdefault(event_id, []).append(date)
    if not dated:
        return {}
    whole = set(Participation.select(Participation.event).where(
        Participation.actor.in_(identities) & Participation.recurrence_id.is_null()
        & Participation.event.in_(list(dated))).tuples())
    grouped = set(Event.select(Event.id).join(Member, on=(Member.group == Event.attributed_to)).where(
        Member.actor.in_(identities) & Member.role.in_(SEEING_ROLES) & Event.id.in_(list(dated))).tuples())
    return {event_id: tuple(sorted(dates)) for event_id, dates in dated.items()
            if (event_id,) not in whole and (event_id,) not in grouped}


def fingerprint(query, *extra):
    """A digest that changes whenever anything shown in the feed changes.

    It reads only ids, modification times and dates, so checking a feed costs far less than building it.
    """
    # Raw rows: turning thousands of stored dates into datetimes would cost more than the query.
    # A series moves to its next date without being updated (occurrences.advance): its dates count.
    columns = (Event.id, Event.updated_at, Event.begins_on, Event.ends_on, Actor.updated_at, FEED_GROUP.updated_at,
               *extra)
    rows = database.execute(query.select(*columns)).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]
