"""Other servers as wholes: the software each runs (read from its NodeInfo), and what follows from it."""
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app

from ..activitypub import client
from ..activitypub.nodeinfo import software
from ..db import utcnow
from ..models import DomainHealth

log = logging.getLogger(__name__)

# Software whose events take no participation from other servers: Gancio has none at all, and
# answers a Join with silence.
NO_REMOTE_PARTICIPATION = frozenset({"gancio"})
SOFTWARE_MAX_AGE = timedelta(days=1)


def known_software(domain):
    """The software last read for a domain, "" when unknown; never asks the network."""
    health = DomainHealth.get_or_none(DomainHealth.domain == domain)
    return health.software if health is not None else ""


def software_of(actor):
    """The software of a remote actor's server, read from its NodeInfo at most once a day ("" unknown).

    Call it outside any transaction: it may wait for the other server.
    """
    health = DomainHealth.get_or_create(domain=actor.domain)[0]
    if health.software_checked_at is not None and utcnow() - health.software_checked_at < SOFTWARE_MAX_AGE:
        return health.software
    allowed = client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"])
    name, version = health.software, health.software_version
    try:
        name, version = software(f"{urlsplit(actor.ap_id).scheme}://{actor.domain}", allowed)
    except client.RequestError as error:
        log.info("cannot read the NodeInfo of %s: %s", actor.domain, error)
    DomainHealth.update(software=name, software_version=version, software_checked_at=utcnow()).where(
        DomainHealth.id == health.id).execute()
    return name


def takes_remote_participation(actor):
    """False when the actor's server is known to run software that takes no Join from other servers."""
    return software_of(actor) not in NO_REMOTE_PARTICIPATION
