"""Reports other servers send about our content (Flags): distrusted, bounded, then in the moderators' queue."""
import logging
from datetime import timedelta

from ..activitypub.convert.flag import flag_from_ap
from ..db import utcnow
from ..models import Actor, Report
from ..models.federation import DONE, IGNORED
from . import reports
from .reportables import reported_here

log = logging.getLogger(__name__)

# Each Flag emails every moderator: a server sending more than this in a day is not heard any more that day.
FLAGS_PER_DOMAIN_DAY = 20


def _flags_today(domain):
    senders = Actor.select(Actor.id).where(Actor.domain == domain)
    return Report.select().where(Report.reporter.in_(senders) & Report.remote_id.is_null(False)
                                 & (Report.created_at > utcnow() - timedelta(days=1))).count()


def on_flag_content(item):
    """A Flag naming some of our identities, groups, events, comments or posts: a report from its sender
    (usually its server's instance actor) about those; what is not ours is left out."""
    flag_id = item.body.get("id")
    object_ids, content = flag_from_ap(item.body)
    found = [reportable for reportable in map(reported_here, object_ids) if reportable is not None]
    if not found:
        return IGNORED, "the Flag names nothing of ours"
    if Report.select().where(Report.remote_id == flag_id).exists():
        return IGNORED, "already reported"
    if _flags_today(item.actor.domain) >= FLAGS_PER_DOMAIN_DAY:
        log.warning("inbox: Flag %s from %s ignored: too many today", flag_id, item.actor.domain)
        return IGNORED, "too many reports from this server today"
    # The reported actor first, as Mobilizon names it, else the author of the first thing named.
    found.sort(key=lambda reportable: reportable.kind not in ("identity", "group"))
    reports.receive(flag_id, item.actor, found, content)
    return DONE
