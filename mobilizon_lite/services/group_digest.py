"""Groups' followers and members get one email a day listing the events their groups published (or, if
their account chose so, one email per event at once).

Each identity's GroupDigest row records the moment up to which its groups' new events were sent, so a
restart neither loses a day nor sends it twice: the job may run any number of times an hour.
"""
from datetime import timedelta

from .. import mail
from ..db import database, utcnow
from ..models import Account, Actor, Event, Follow, GroupDigest, Member
from ..models.actors import TYPE_GROUP
from ..models.events import Status, Visibility
from ..models.groups import MEMBER_ROLES
from ..urls import public_url

# A module, not its names: events and remote_events (through relays and announces) import this one.
from . import notifications, participant_mail

# The hour (UTC) a day's digest goes out, with the events published in the 24 hours before it.
DIGEST_HOUR = 6
TEMPLATE = "mail/group_events_digest.txt"
NEW_EVENT_TEMPLATE = "mail/group_event_new.txt"


def day_boundary(now):
    """The latest DIGEST_HOUR:00 UTC at or before now: a digest lists the new events up to it."""
    boundary = now.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return boundary if boundary <= now else boundary - timedelta(days=1)


def _live(actor):
    return actor.account.is_null(False) & actor.deleted_at.is_null() & ~actor.suspended


def readers(group_id=None):
    """{identity id: {group id: True for a member, False for a follower}} of the live local identities
    that follow a group (accepted) or are among its members (of the group group_id only, when given)."""
    found = {}
    group = Actor.alias()
    follows = (Follow.select(Follow.follower, Follow.followed)
               .join(Actor, on=(Follow.follower == Actor.id)).switch(Follow)
               .join(group, on=(Follow.followed == group.id))
               .where(Follow.accepted & _live(Actor) & (group.type == TYPE_GROUP)))
    if group_id is not None:
        follows = follows.where(Follow.followed == group_id)
    for identity, followed in follows.tuples():
        found.setdefault(identity, {})[followed] = False
    members = (Member.select(Member.actor, Member.group).join(Actor, on=(Member.actor == Actor.id))
               .where(Member.role.in_(MEMBER_ROLES) & _live(Actor)))
    if group_id is not None:
        members = members.where(Member.group == group_id)
    for identity, joined in members.tuples():
        found.setdefault(identity, {})[joined] = True
    return found


def tell_new_event(event):
    """Email at once, about a group's new event, the accounts of its followers and members that chose so
    (members-only events to members only; never its organiser's); returns how many emails went out."""
    # An event first seen here long after it was published (found by a search, announced again) is no news
    # once it is over.
    if (event.attributed_to_id is None or event.status == Status.CANCELLED
            or (event.ends_on or event.begins_on) <= utcnow()):
        return 0
    readers_of = readers(event.attributed_to_id)
    told = [identity for identity, groups in readers_of.items()
            if groups[event.attributed_to_id] or event.visibility == Visibility.PUBLIC]
    accounts = [account for account in notifications.accounts_of(told) if account.id != event.organizer.account_id]
    context = {"event": event, "group": event.attributed_to, "link": participant_mail.event_link(event)}
    return notifications.notify(notifications.GROUP_EVENTS_NOW_KIND, accounts, NEW_EVENT_TEMPLATE,
                                lambda _account: context)


def _new_events(group_ids, since, until):
    """{group id: [events]} published by the groups in (since, until], soonest first; cancelled ones left out."""
    group = Actor.alias()
    rows = (Event.select(Event, group).join(group, on=(Event.attributed_to == group.id), attr="attributed_to")
            .where(Event.attributed_to.in_(list(group_ids)) & (Event.created_at > since)
                   & (Event.created_at <= until) & (Event.status != Status.CANCELLED)
                   & group.deleted_at.is_null() & ~group.suspended)
            .order_by(Event.begins_on, Event.id))
    by_group = {}
    for event in rows:
        by_group.setdefault(event.attributed_to_id, []).append(event)
    return by_group


def digest_of(groups, events, since):
    """[(group, [events])] one identity is told about: events after since, private ones only to members
    (groups: its {group id: member?}); never another identity's name."""
    listed = []
    for group_id, member in groups.items():
        shown = [event for event in events.get(group_id, ())
                 if event.created_at > since and (member or event.visibility == Visibility.PUBLIC)]
        if shown:
            listed.append((shown[0].attributed_to, shown))
    return sorted(listed, key=lambda item: item[0].display_name.casefold())


def send_group_digests(now=None):
    """Email every identity that is due its digest of its groups' new events; returns how many were queued."""
    boundary = day_boundary(now or utcnow())
    found = readers()
    states = {row.actor_id: row for row in GroupDigest.select()}
    due = {}
    for identity_id in found:
        state = states.get(identity_id)
        since = state.covered_until if state and state.covered_until else boundary - timedelta(days=1)
        if (state is None or state.enabled) and since < boundary:
            due[identity_id] = since
    if not due:
        return 0
    people = {actor.id: actor for actor in Actor.select(Actor, Account).join(Account).where(Actor.id.in_(list(due)))}
    # An account that chose another way (or none) to hear of its groups' events counts as told.
    wanted = notifications.wanting(notifications.GROUP_EVENTS_DAILY_KIND,
                                   {actor.account_id for actor in people.values()})
    readers_due = [identity for identity in due if people[identity].account_id in wanted]
    events = _new_events({group for identity in readers_due for group in found[identity]},
                         min(due.values()), boundary)
    digests = {identity: digest_of(found[identity], events, due[identity]) if identity in readers_due else []
               for identity in due}
    mailed = [identity for identity, listed in digests.items() if listed]
    # Queued and recorded in one transaction: the digests go out once, whatever the mail server does.
    with database.atomic():
        queued = mail.send_batch(notifications.outgoing(
            people[identity].account, TEMPLATE,
            dict(identity=people[identity], groups=digests[identity],
                 links={event.id: participant_mail.event_link(event) for _group, shown in digests[identity]
                        for event in shown},
                 digest_link=public_url("group_digests.setting", username=people[identity].preferred_username)))
            for identity in mailed)
        _record(list(due), boundary)
    return queued


def _record(identity_ids, boundary):
    """Remember that these identities were told (or had nothing to be told) up to boundary."""
    if not identity_ids:
        return
    with database.atomic():
        for start in range(0, len(identity_ids), 500):
            (GroupDigest.insert_many([{"actor": identity, "covered_until": boundary}
                                      for identity in identity_ids[start:start + 500]])
             .on_conflict(conflict_target=[GroupDigest.actor], update={GroupDigest.covered_until: boundary})
             .execute())


def digest_enabled(identity):
    """Whether identity gets the daily digest (on unless turned off)."""
    state = GroupDigest.get_or_none(GroupDigest.actor == identity)
    return state is None or state.enabled


def set_digest(identity, enabled):
    """Turn identity's daily digest on or off; turned back on, it starts from now, not from where it stopped."""
    state, _created = GroupDigest.get_or_create(actor=identity)
    if enabled and not state.enabled:
        state.covered_until = utcnow()
    state.enabled = bool(enabled)
    state.save()
