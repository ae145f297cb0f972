"""Domain blocks: the servers this instance suspends (nothing taken from or sent to them, their content
here removed) or silences (their content kept off public listings), each change written to the log."""
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _

from ..activitypub import blocklist
from ..db import database
from ..models import Actor, Delivery, DomainBlock, Event, Follow, InboxItem, Member, Post
from ..models.federation import PENDING, RECEIVED, REFUSED
from ..models.moderation import SEVERITIES, SUSPEND
from ..urls import host_of
from . import moderation_log, participation, remote_comments
from .errors import Invalid

REASON_MAX = 2000


class Removed(NamedTuple):
    """What suspending a server removed here, counted."""
    events: int = 0
    comments: int = 0
    participations: int = 0
    memberships: int = 0
    follows: int = 0
    posts: int = 0
    deliveries: int = 0

    def describe(self):
        """The counts as one line for people (the log, the page, the command line)."""
        return _("%(events)d events, %(comments)d comments, %(participations)d participations, "
                 "%(memberships)d memberships, %(follows)d follows, %(posts)d posts and %(deliveries)d "
                 "waiting deliveries removed", **self._asdict())


def normalise(domain):
    """The domain as blocks store it (lower case, IDNA, no port); Invalid when it is none, or ours."""
    try:
        domain = blocklist.normalise(domain)
    except ValueError:
        raise Invalid(_("“%(domain)s” is not a domain name.", domain=str(domain)[:100]), "domain") from None
    if blocklist.covers({domain}, host_of(current_app.config["BASE_URL"])):
        raise Invalid(_("This instance cannot block itself."), "domain")
    return domain


def is_suspended(domain):
    """True when domain (a host, maybe with a port) is suspended, itself or a parent domain."""
    return blocklist.suspends(domain)


def is_silenced(domain):
    """True when domain (a host, maybe with a port) is silenced, itself or a parent domain."""
    return blocklist.silences(domain)


def rejects_media(domain):
    """True when pictures from domain are neither shown nor fetched."""
    return blocklist.rejects_media(domain)


def listing():
    """Every block, by domain."""
    return list(DomainBlock.select().order_by(DomainBlock.domain))


def block(domain, severity, reject_media=False, moderator=None, reason=""):
    """Block domain (and its subdomains) or change its block; a suspension removes its actors' content
    and follows here and its waiting deliveries, in one transaction. Returns (DomainBlock, Removed)."""
    domain = normalise(domain)
    if severity not in SEVERITIES:
        raise Invalid(_("Choose suspend or silence."), "severity")
    reason = (reason or "").strip()[:REASON_MAX]
    # IMMEDIATE: two moderators blocking one domain at once on PostgreSQL, the second changes the first's block.
    with database.atomic("IMMEDIATE"):
        row = DomainBlock.get_or_none(DomainBlock.domain == domain)
        if row is None:
            row = DomainBlock.create(domain=domain, severity=severity, reject_media=bool(reject_media),
                                     reason=reason, moderator=moderator)
        else:
            DomainBlock.update(severity=severity, reject_media=bool(reject_media), reason=reason,
                               moderator=moderator).where(DomainBlock.id == row.id).execute()
            row = DomainBlock.get_by_id(row.id)
        removed = _remove_content(domain) if severity == SUSPEND else Removed()
        if reject_media:
            # Pictures of its actors are shown from its server by address: forget the addresses.
            Actor.update(avatar_url=None, banner_url=None).where(
                Actor.domain.in_(_covered(Actor.domain, domain))).execute()
        label = ", ".join([severity, *(["reject media"] if reject_media else []), removed.describe()])
        moderation_log.record(moderator, "block_domain", "domain", domain, label, reason)
    return row, removed


def unblock(domain, moderator=None):
    """Lift the block of domain (what a suspension removed stays removed); False when none was there."""
    domain = normalise(domain)
    with database.atomic():
        if not DomainBlock.delete().where(DomainBlock.domain == domain).execute():
            return False
        moderation_log.record(moderator, "unblock_domain", "domain", domain, domain)
    return True


def _covered(model_domain, domain):
    """The distinct values of a domain column (hosts, maybe with ports) that domain covers."""
    values = model_domain.model.select(model_domain).distinct().where(model_domain.is_null(False)).tuples()
    return [value for (value,) in values if blocklist.covers({domain}, value)]


def _waiting_for(domain):
    """Ids of the deliveries waiting to go to domain: to its actors, or to inboxes on its hosts."""
    pending = Delivery.select(Delivery.id, Delivery.domain, Delivery.inbox_url).where(Delivery.state == PENDING)
    return [row_id for row_id, row_domain, inbox in pending.tuples()
            if blocklist.covers({domain}, row_domain) or blocklist.covers({domain}, host_of(inbox))]


def _remove_content(domain):
    """Remove what actors of domain have here: their events (with what hangs on them), comments,
    participations, memberships (and ours in their groups), follows both ways, their groups' posts;
    and what waits to be sent there or handled from there."""
    actors = Actor.select(Actor.id).where(Actor.domain.in_(_covered(Actor.domain, domain)))
    removed_comments = sum(remote_comments.forget(actor) for actor in actors)
    events = list(Event.select().where(Event.organizer.in_(actors) | Event.attributed_to.in_(actors)))
    for event in events:
        event.delete_instance(recursive=True)
    InboxItem.update(state=REFUSED, error="the server is blocked", next_attempt_at=None).where(
        InboxItem.actor.in_(actors) & (InboxItem.state == RECEIVED)).execute()
    return Removed(
        events=len(events), comments=removed_comments,
        participations=participation.withdraw_everywhere(actors),
        memberships=Member.delete().where(Member.actor.in_(actors) | Member.group.in_(actors)).execute(),
        follows=Follow.delete().where(Follow.follower.in_(actors) | Follow.followed.in_(actors)).execute(),
        posts=Post.delete().where(Post.group.in_(actors)).execute(),
        deliveries=Delivery.delete().where(Delivery.id.in_(_waiting_for(domain))).execute())
