"""Calendars subscribed to: an identity's or a group's outside .ics address, fetched on a schedule through
ics_import (conditional GETs) and applied by calendar_import (new UIDs created, newer ones updated, gone
ones removed); each sync's outcome kept on the subscription, failures fetched less and less often."""
import logging
from datetime import timedelta

from flask_babel import gettext as _
from peewee import IntegrityError

from ..activitypub import client
from ..db import utcnow
from ..models import Actor, CalendarSubscription
from ..models.actors import TYPE_GROUP
from ..models.limits import SUBSCRIPTION_ERROR_MAX, SUBSCRIPTIONS_MAX, URL_MAX
from . import actors, calendar_import, group_roles, ics_import, instance_settings
from .errors import Invalid, NotFound, PermissionDenied

log = logging.getLogger(__name__)

NEW, OK, NOT_MODIFIED = "new", "ok", "not_modified"
# Failures: the address could not be fetched (network, HTTP status, size, time, address rules); what it
# gave is not a calendar this site reads (broken, too many events, too slow to check); the identity
# acting no longer may organise there (the subscription is stopped); a fault of this site.
FETCH_FAILED, REFUSED, NOT_ALLOWED, ERROR = "fetch_failed", "refused", "not_allowed", "error"
STATUSES = (NEW, OK, NOT_MODIFIED, FETCH_FAILED, REFUSED, NOT_ALLOWED, ERROR)
FAILED = (FETCH_FAILED, REFUSED, NOT_ALLOWED, ERROR)
HOUR = 3600
INTERVALS = (HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR)
DEFAULT_INTERVAL = HOUR
# A failing calendar waits twice as long after each failure, up to a day (or its own interval, if longer).
BACKOFF_MAX = 24 * HOUR
# Subscriptions one run of the scheduler's job syncs, one at a time: the others wait for the next run.
SYNC_BATCH = 10
# A sync holds its subscription this long at most: one that died (the process stopped) is free again after.
LEASE = timedelta(minutes=15)


def acting(subscription):
    """(identity, group or None) syncing subscription: its identity; for a group, the identity that made
    it while it may organise there, else the group's first local administrator. (None, group) if none."""
    owner = Actor.get_by_id(subscription.owner_id)
    if owner.type != TYPE_GROUP:
        return owner, None
    creator = Actor.get_or_none(Actor.id == subscription.created_by_id)
    if creator is not None and group_roles.may(owner, creator, "manage_events"):
        return creator, owner
    return calendar_import.group_admin(owner), owner


def subscriptions_of(owners=None):
    """The subscriptions of these actors (identities and groups; None: of all), by owner then address."""
    query = CalendarSubscription.select().order_by(CalendarSubscription.owner, CalendarSubscription.url)
    if owners is not None:
        query = query.where(CalendarSubscription.owner.in_([owner.id for owner in owners]))
    return list(query)


def check_address(url):
    """url, an http(s) address within URL_MAX; Invalid otherwise."""
    try:
        client.check_url(url)
    except client.RequestError:
        raise Invalid(_("Give the http:// or https:// address of the calendar."), "url") from None
    if len(url) > URL_MAX:
        raise Invalid(_("The address is longer than %(max)d characters.", max=URL_MAX), "url")
    return url


def subscribe(identity, url, interval=DEFAULT_INTERVAL, group=None, progress=None):
    """A new subscription of identity (or group, in which identity organises) to the calendar at url, synced
    at once; Invalid, and nothing kept, when the address is refused or taken, or its first sync fails."""
    if group is not None:
        group_roles.require(group, identity, "manage_events")
    owner = calendar_import.owner_of(identity, group)
    check_address(url)
    if interval not in INTERVALS:
        raise Invalid(_("Not a valid choice."), "interval")
    mine = CalendarSubscription.select().where(CalendarSubscription.owner == owner)
    if mine.where(CalendarSubscription.url == url).exists():
        raise Invalid(_("This calendar is already subscribed to."), "url")
    if mine.count() >= SUBSCRIPTIONS_MAX:
        raise Invalid(_("At most %(max)d calendars can be subscribed to.", max=SUBSCRIPTIONS_MAX), "url")
    try:
        subscription = CalendarSubscription.create(owner=owner, url=url, interval=interval, created_by=identity)
    except IntegrityError:  # the same address, added meanwhile
        raise Invalid(_("This calendar is already subscribed to."), "url") from None
    synced = sync(subscription, progress)
    if synced.status in FAILED:
        # Nothing was made: an address that does not give a calendar is not kept to fail every hour.
        synced.delete_instance()
        raise Invalid(synced.error, "url")
    return synced


def sync(subscription, progress=None, only_due=False):
    """Fetch the subscription's calendar now and apply it (progress(done, total) after each event); the
    subscription as then stored. Never raises: failures become its status. Another sync holding it
    (the job, a page, the command line) is let be: the subscription is returned as it is; so is one no
    longer due, with only_due (the job of another process synced it since this one listed it)."""
    now = utcnow()
    free = CalendarSubscription.locked_until.is_null() | (CalendarSubscription.locked_until < now)
    if only_due:
        free &= CalendarSubscription.next_due <= now
    claimed = CalendarSubscription.update(locked_until=now + LEASE).where(
        (CalendarSubscription.id == subscription.id) & free).execute()
    if claimed:
        try:
            _sync(subscription, progress)
        # A fault of ours on one calendar must neither stop the job's other subscriptions nor stay unseen.
        except Exception:
            log.exception("calendar subscription %s (%s) failed", subscription.id, subscription.url)
            _failed(subscription, ERROR, _("The calendar could not be synced because of an error on this site."))
        finally:
            CalendarSubscription.update(locked_until=None).where(
                CalendarSubscription.id == subscription.id).execute()
    return CalendarSubscription.get_or_none(CalendarSubscription.id == subscription.id) or subscription


def _sync(subscription, progress):
    identity, group = acting(subscription)
    if identity is None:
        _stopped(subscription, _("Nobody of the group may organise its events any more."))
        return
    try:
        fetched = ics_import.fetch(subscription.url, subscription.etag, subscription.last_modified)
    except Invalid as error:
        _failed(subscription, FETCH_FAILED, error.message)
        return
    if fetched.body is None:
        _done(subscription, NOT_MODIFIED, fetched)
        return
    try:
        items = ics_import.read(fetched.body, instance_settings.default_timezone())
    except Invalid as error:
        # Validators forgotten: the next fetch reads the calendar again instead of hearing "not modified".
        _failed(subscription, REFUSED, error.message, etag="", last_modified="")
        return
    try:
        steps = calendar_import.plan(items, identity, group, subscription)
    except PermissionDenied as error:
        _stopped(subscription, error.message)
        return
    if not items and steps:
        # Servers that fail (an expired share, a broken export) often answer an empty calendar: that
        # removes nothing; an organiser who emptied it on purpose stops the subscription, removing its events.
        _failed(subscription, REFUSED, _("The calendar holds no events any more: the events it made are kept. To "
                                         "remove them, stop the subscription and choose to remove its events."),
                etag="", last_modified="")
        return
    # Those it already made and finds unchanged; other skips are events it cannot import.
    unchanged = sum(1 for step in steps if step.action == calendar_import.SKIP and step.event is not None)
    counts = calendar_import.run(steps, identity, group, progress, subscription)
    _done(subscription, OK, fetched, created=counts[calendar_import.NEW], updated=counts[calendar_import.UPDATE],
          removed=counts[calendar_import.REMOVE], unchanged=unchanged,
          skipped=counts[calendar_import.SKIP] - unchanged)


def _save(subscription, wait=None, **values):
    """Store a sync's outcome: fetched now, due again in wait seconds (when given)."""
    now = utcnow()
    if wait is not None:
        values["next_due"] = now + timedelta(seconds=wait)
    CalendarSubscription.update(fetched_at=now, **values).where(CalendarSubscription.id == subscription.id).execute()


def _done(subscription, status, fetched, **counts):
    # Active again: a page's "Sync now" resumes a subscription stopped for want of an organiser.
    _save(subscription, subscription.interval, status=status, error="", failures=0, active=True, etag=fetched.etag,
          last_modified=fetched.last_modified, **counts)


def backoff(interval, failures):
    """Seconds before the next fetch of a calendar fetched every interval seconds after failures failures."""
    return min(interval * 2 ** min(failures, 16), max(interval, BACKOFF_MAX))


def _failed(subscription, status, message, **values):
    failures = subscription.failures + 1
    _save(subscription, backoff(subscription.interval, failures), status=status,
          error=message[:SUBSCRIPTION_ERROR_MAX], failures=failures, **values)


def _stopped(subscription, message):
    _save(subscription, status=NOT_ALLOWED, error=message[:SUBSCRIPTION_ERROR_MAX], active=False)


def due(now=None, limit=None):
    """The active subscriptions of live identities and groups whose next fetch has come and that no
    sync holds, the longest waiting first (at most limit)."""
    now = now or utcnow()
    query = (CalendarSubscription.select().join(Actor, on=(CalendarSubscription.owner == Actor.id))
             .where(CalendarSubscription.active & (CalendarSubscription.next_due <= now) & actors.live_local()
                    & (CalendarSubscription.locked_until.is_null() | (CalendarSubscription.locked_until < now)))
             .order_by(CalendarSubscription.next_due, CalendarSubscription.id))
    return list(query.limit(limit) if limit else query)


def sync_due(limit=SYNC_BATCH, every=False, report=None):
    """Sync the due subscriptions (every active one with every=True), one at a time, at most limit (None:
    all); report(number, total, subscription) after each; the subscriptions synced."""
    found = due(limit=limit) if not every else list(
        CalendarSubscription.select().where(CalendarSubscription.active).order_by(CalendarSubscription.id))
    synced = []
    for number, subscription in enumerate(found, start=1):
        synced.append(sync(subscription, only_due=not every))
        if report:
            report(number, len(found), synced[-1])
    return synced


def sync_due_subscriptions():
    """The scheduler's job: sync up to SYNC_BATCH due subscriptions; how many."""
    return len(sync_due())


def stop(subscription, identity, group=None, remove_events=False):
    """Delete the subscription (identity acting, for group when given). Its events stay, kept by nobody,
    unless remove_events: then those not over are removed as if gone from the calendar (cancelled when
    people take part, else deleted); how many were."""
    if group is not None:
        group_roles.require(group, identity, "manage_events")
    if subscription.owner_id != calendar_import.owner_of(identity, group).id:
        raise NotFound(_("No such calendar subscription."))
    removed = 0
    if remove_events:
        steps = calendar_import.plan([], identity, group, subscription)
        removed = calendar_import.run(steps, identity, group, subscription=subscription)[calendar_import.REMOVE]
    CalendarSubscription.delete().where(CalendarSubscription.id == subscription.id).execute()
    return removed
