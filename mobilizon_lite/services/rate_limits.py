"""How many events, comments, reports and messages to participants an account's identities may create
from the pages (RATE_LIMIT_* settings)."""
import math
from datetime import timedelta

from flask import current_app
from flask_babel import format_timedelta, ngettext

from ..config import rate_limit
from ..db import database, utcnow
from ..models import Actor, RateLimitHit
from .errors import TooMany
from .throttles import wait_text

SETTINGS = {"events": "RATE_LIMIT_EVENTS", "comments": "RATE_LIMIT_COMMENTS", "reports": "RATE_LIMIT_REPORTS",
            "messages": "RATE_LIMIT_MESSAGES"}
# Rows older than the longest period a setting may name are of no use.
KEPT = timedelta(days=1)


def _refusal(kind, count, period, delay):
    variables = {"period": format_timedelta(timedelta(seconds=period), threshold=1.0), "delay": delay}
    if kind == "events":
        return ngettext("You have created %(num)d event in %(period)s, as many as this instance allows. "
                        "Try again in %(delay)s.",
                        "You have created %(num)d events in %(period)s, as many as this instance allows. "
                        "Try again in %(delay)s.", count, **variables)
    if kind == "comments":
        return ngettext("You have written %(num)d comment in %(period)s, as many as this instance allows. "
                        "Try again in %(delay)s.",
                        "You have written %(num)d comments in %(period)s, as many as this instance allows. "
                        "Try again in %(delay)s.", count, **variables)
    if kind == "messages":
        return ngettext("You have sent %(num)d message to participants in %(period)s, as many as this instance "
                        "allows. Try again in %(delay)s.",
                        "You have sent %(num)d messages to participants in %(period)s, as many as this instance "
                        "allows. Try again in %(delay)s.", count, **variables)
    return ngettext("You have sent %(num)d report in %(period)s, as many as this instance allows. "
                    "Try again in %(delay)s.",
                    "You have sent %(num)d reports in %(period)s, as many as this instance allows. "
                    "Try again in %(delay)s.", count, **variables)


def check(identity, kind):
    """Count one creation of kind ("events", "comments", "reports" or "messages") by identity, or raise TooMany
    when its RATE_LIMIT_* setting allows no more for now. The identities of one account count together
    (more identities give no more); each call counts, whether or not the creation then succeeds."""
    count, period = rate_limit(current_app.config, SETTINGS[kind])
    now = utcnow()
    with database.atomic("IMMEDIATE"):
        # The count-th newest creation in the period: once it leaves the period, one more is allowed.
        limiting = (RateLimitHit.select(RateLimitHit.created_at)
                    .where(RateLimitHit.actor.in_(Actor.select(Actor.id).where(Actor.account == identity.account_id))
                           & (RateLimitHit.kind == kind)
                           & (RateLimitHit.created_at > now - timedelta(seconds=period)))
                    .order_by(RateLimitHit.created_at.desc()).offset(count - 1).first())
        if limiting is None:
            RateLimitHit.create(actor=identity, kind=kind, created_at=now)
            return
    seconds = math.ceil((limiting.created_at + timedelta(seconds=period) - now).total_seconds())
    raise TooMany(_refusal(kind, count, period, wait_text(seconds)), seconds)


def purge_rate_limits():
    """Forget creations older than any period; returns how many."""
    return RateLimitHit.delete().where(RateLimitHit.created_at < utcnow() - KEPT).execute()
