"""The other servers this instance knows (those of the remote actors it holds), as the administration
page lists them: software, follows both ways, delivery health and block."""
from typing import NamedTuple

from peewee import fn

from ..activitypub import blocklist, delivery
from ..models import Actor, DomainBlock, DomainHealth, Follow


class KnownServer(NamedTuple):
    """One server: its host, how many of its actors we know, its software, follows between its actors and
    ours, its deliveries (a delivery.summary() row, or None) and the block that covers it (or None)."""
    domain: str
    actors: int
    software: str
    version: str
    followers: int
    following: int
    deliveries: dict | None
    block: DomainBlock | None


def _follows_by_domain(remote_side, local_side):
    """How many accepted follows join a remote actor on remote_side to a local one, per remote domain."""
    remote, local = Actor.alias("remote"), Actor.alias("local")
    query = (Follow.select(remote.domain, fn.COUNT(Follow.id))
             .join(remote, on=(getattr(Follow, remote_side) == remote.id))
             .switch(Follow).join(local, on=(getattr(Follow, local_side) == local.id))
             .where(Follow.accepted & remote.domain.is_null(False) & local.domain.is_null())
             .group_by(remote.domain))
    return dict(query.tuples())


def known_servers():
    """Every server known by its actors or its deliveries, by domain."""
    actors = dict(Actor.select(Actor.domain, fn.COUNT(Actor.id)).where(Actor.domain.is_null(False))
                  .group_by(Actor.domain).tuples())
    deliveries = {row["domain"]: row for row in delivery.summary()}
    health = {row.domain: row for row in DomainHealth.select()}
    followers = _follows_by_domain("follower", "followed")
    following = _follows_by_domain("followed", "follower")
    blocks = list(DomainBlock.select())
    servers = []
    for domain in sorted(set(actors) | set(deliveries)):
        known = health.get(domain)
        servers.append(KnownServer(
            domain, actors.get(domain, 0), known.software if known else "", known.software_version if known else "",
            followers.get(domain, 0), following.get(domain, 0), deliveries.get(domain),
            next((row for row in blocks if blocklist.covers({row.domain}, domain)), None)))
    return servers
