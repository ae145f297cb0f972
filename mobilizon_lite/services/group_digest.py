"""Groups' followers and members get one email a day listing the events their groups published.

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
from .events import event_link

# The hour (UTC) a day's digest goes out, with the events published in the 24 hours before it.
DIGEST_HOUR = 6
TEMPLATE = "mail/group_events_digest.txt"


def day_boundary(now):
    """The latest DIGEST_HOUR:00 UTC at or before now: a digest lists the new events up to it."""
    boundary = now.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return boundary if boundary <= now else boundary - timedelta(days=1)


def _live(actor):
    return actor.account.is_null(False) & actor.deleted_at.is_null() & ~actor.suspended


def readers():
    """{identity id: {group id: True for a member, False for a follower}} of the live local identities
    that follow a group (accepted) or are among its members."""
    found = {}
    group = Actor.alias()
    follows = (Follow.select(Follow.follower, Follow.followed)
               .join(Actor, on=(Follow.follower == Actor.id)).switch(Follow)
               .join(group, on=(Follow.followed == group.id))
               .where(Follow.accepted & _live(Actor) & (group.type == TYPE_GROUP)))
    for identity, followed in follows.tuples():
        found.setdefault(identity, {})[followed] = False
    members = (Member.select(Member.actor, Member.group).join(Actor, on=(Member.actor == Actor.id))
               .where(Member.role.in_(MEMBER_ROLES) & _live(Actor)))
    for identity, joined in members.tuples():
        found.setdefault(identity, {})[joined] = True
    return found


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
    events = _new_events({group for identity in due for group in found[identity]}, min(due.values()), boundary)
    digests = {identity: digest_of(found[identity], events, since) for identity, since in due.items()}
    mailed = [identity for identity, listed in digests.items() if listed]
    people = {actor.id: actor for actor in Actor.select(Actor, Account).join(Account)
              .where(Actor.id.in_(mailed))} if mailed else {}
    # Queued and recorded in one transaction: the digests go out once, whatever the mail server does.
    with database.atomic():
        queued = mail.send_batch(mail.Outgoing(
            people[identity].account.email, TEMPLATE, people[identity].account.locale,
            dict(identity=people[identity], groups=digests[identity],
                 links={event.id: event_link(event) for _group, shown in digests[identity] for event in shown},
                 settings_link=public_url("group_digests.setting", username=people[identity].preferred_username)))
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
