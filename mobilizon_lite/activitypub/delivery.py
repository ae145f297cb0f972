"""Draining the delivery queue: sign each POST just before sending, record the outcome, back off."""
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from flask import current_app
from peewee import Case, fn

from ..claims import claim
from ..db import utcnow
from ..job_runs import KickedJob, backoff
from ..models import Activity, Actor, Delivery, DomainHealth, InboxHealth
from ..models.federation import FAILED, GONE, PENDING, SENT
from . import client
from .signatures import sign_headers
from .vocab import AP_MEDIA_TYPE

log = logging.getLogger(__name__)

DRAIN_JOB = "drain_deliveries"
DRAINING = KickedJob(DRAIN_JOB)
BREAKER_THRESHOLD = 10
BREAKER_FIRST_PAUSE = timedelta(seconds=60)
BREAKER_LONGEST_PAUSE = timedelta(hours=1)
UNAVAILABLE_AFTER_DAYS = 7
UNAVAILABLE_RETRY = timedelta(days=1)
# Seconds a drain starts POSTs for at most (drain_all gives it less).
DRAIN_LONGEST = 60
# How long a drain holds the rows it took (see claims.py): longer than it runs, as each POST it starts ends
# within client.DEADLINE; the rows of a drain whose process died are due again after it.
CLAIM = timedelta(seconds=DRAIN_LONGEST + client.DEADLINE + 30)
# 4xx answers that may succeed later; every other 4xx is final.
RETRYABLE_4XX = {401, 408, 429}


def retry_after(value, now):
    """The moment a Retry-After header (seconds or an HTTP date) points to, or None."""
    if not value:
        return None
    longest = now + timedelta(days=1)
    if value.strip().isdecimal() and len(value.strip()) < 10:
        return min(now + timedelta(seconds=int(value)), longest)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(moment, longest) if moment.tzinfo else None


def _health(inbox_url):
    return InboxHealth.get_or_create(inbox_url=inbox_url)[0]


def _domain(domain):
    return DomainHealth.get_or_create(domain=domain)[0]


def _succeeded(row, now, batch):
    # Most inboxes and domains are healthy: their health rows are read once per batch, not per row.
    batch.unavailable.discard(row.domain)
    if batch.failures.pop(row.inbox_url, 0):
        InboxHealth.update(consecutive_failures=0, paused_until=None).where(
            InboxHealth.inbox_url == row.inbox_url).execute()
    if row.domain in batch.ailing:
        mark_domain_alive(row.domain)
        batch.ailing.discard(row.domain)
    Delivery.update(state=SENT, last_status=row.last_status, last_error="", updated_at=now).where(
        Delivery.id == row.id).execute()


def mark_domain_alive(domain):
    """A domain that answered (or signed a request to us) is no longer unavailable."""
    health = DomainHealth.get_or_none(DomainHealth.domain == domain)
    # Most domains are healthy: read first, so each incoming activity does not cost a write.
    if health is not None and (health.unavailable or health.failure_days):
        DomainHealth.update(failure_days=[], unavailable=False).where(DomainHealth.id == health.id).execute()


def _failed_attempt(row, batch, now, error, later=None):
    """Record a failure that may succeed later: back off, count it against the inbox and domain; a
    breaker it trips holds back the rest of the batch for that inbox."""
    config = current_app.config
    attempts = row.attempts + 1
    give_up = (attempts >= config["DELIVERY_MAX_ATTEMPTS"]
               or now - row.created_at > timedelta(hours=config["DELIVERY_GIVE_UP_HOURS"]))
    health = _health(row.inbox_url)
    failures = health.consecutive_failures + 1
    paused_until = None
    if failures >= BREAKER_THRESHOLD:
        pause = min(BREAKER_FIRST_PAUSE * 2 ** (failures - BREAKER_THRESHOLD), BREAKER_LONGEST_PAUSE)
        paused_until = now + pause
    InboxHealth.update(consecutive_failures=failures, paused_until=paused_until).where(
        InboxHealth.id == health.id).execute()
    domain = _domain(row.domain)
    days = sorted(set(domain.failure_days) | {now.date().isoformat()})[-30:]
    DomainHealth.update(failure_days=days, unavailable=len(days) >= UNAVAILABLE_AFTER_DAYS).where(
        DomainHealth.id == domain.id).execute()
    Delivery.update(
        state=FAILED if give_up else PENDING, attempts=attempts, last_error=error[:1000],
        last_status=row.last_status, updated_at=now,
        next_attempt_at=later or now + timedelta(seconds=backoff(attempts, config["DELIVERY_BACKOFF_SCALE"])),
    ).where(Delivery.id == row.id).execute()
    batch.failures[row.inbox_url] = failures
    batch.ailing.add(row.domain)
    if paused_until is not None:
        batch.paused[row.inbox_url] = paused_until


def _final(row, now, state, error):
    Delivery.update(state=state, attempts=row.attempts + 1, last_status=row.last_status,
                    last_error=error[:1000], updated_at=now).where(Delivery.id == row.id).execute()


class _Batch(NamedTuple):
    """What one drain() call knows of its rows' inboxes and domains; only the drain's thread writes it."""

    paused: dict  # inbox URL -> paused until
    unavailable: set  # domains
    tried_recently: set  # unavailable domains tried within UNAVAILABLE_RETRY
    failures: dict  # inbox URL -> consecutive failures, for those with any
    ailing: set  # domains with failure days, cleared by a success
    allowed: list  # ALLOWED_PRIVATE_NETWORKS, parsed
    deadline: float  # time.monotonic() after which no POST is started


class _Exchange(NamedTuple):
    """One POST as a worker saw it: the answer's status, or why there was none."""

    status: int | None
    error: str = ""
    retry_after: str | None = None
    unexpected: Exception | None = None


def _retrying(status):
    """True for an answer (or none) recorded as a failure that may succeed later: backoff, breaker."""
    if status is None:
        return True
    if 200 <= status < 400:
        return False
    return not 400 <= status < 500 or status in RETRYABLE_4XX


def _post(row, batch, connections):
    """Sign and POST one delivery (network only, no database); any failure becomes the _Exchange."""
    try:
        activity, actor = row.activity, row.activity.actor
        body = json.dumps(activity.body, ensure_ascii=False).encode("utf-8")
        key_id = f"{actor.ap_id}#main-key"
        response = client.request(
            "POST", row.inbox_url, headers={"Content-Type": AP_MEDIA_TYPE, "Accept": AP_MEDIA_TYPE}, body=body,
            allowed=batch.allowed, connections=connections,
            sign=lambda method, url: sign_headers(method, url, key_id, actor.private_key_pem, body=body))
        return _Exchange(response.status, retry_after=response.headers.get("Retry-After"))
    except client.RequestError as failure:
        return _Exchange(failure.status, str(failure))
    except Exception as failure:  # noqa: BLE001 - one bad row must not stop the queue
        return _Exchange(None, unexpected=failure)


def _record(row, exchange, batch):
    """Write what one POST came to, then log it (one line per exchange)."""
    status, error = exchange.status, exchange.error
    now = utcnow()
    row.last_status = status
    batch.tried_recently.add(row.domain)
    if exchange.unexpected is not None:
        log.error("delivery %s failed unexpectedly", row.id, exc_info=exchange.unexpected)
        _final(row, now, FAILED, f"{exchange.unexpected.__class__.__name__}: {exchange.unexpected}")
    elif status is not None and 200 <= status < 300:
        _succeeded(row, now, batch)
    elif status == 410:
        # A personal inbox that is gone means its actor is; a shared inbox speaks for no one actor.
        Actor.update(deleted_at=now).where(Actor.inbox == row.inbox_url).execute()
        _final(row, now, GONE, "the inbox is gone")
    elif status is not None and 300 <= status < 400:
        # A redirect not followed (to another host, which this host's signature is not for).
        _final(row, now, FAILED, error or f"HTTP {status}: redirected")
    elif status in (429, 503):
        _failed_attempt(row, batch, now, f"HTTP {status}", retry_after(exchange.retry_after, now))
    elif not _retrying(status):
        _final(row, now, FAILED, f"HTTP {status}: refused")
    else:
        _failed_attempt(row, batch, now, error or f"HTTP {status}")
    # Logged once recorded: whoever reads this line (a person, a test) finds the row up to date.
    log.info("delivery of %s to %s: %s", row.activity.type, row.inbox_url, status or error)


def drain_all(seconds=20, batch=100):
    """Drain batch after batch while deliveries are due, for at most `seconds`; returns how many."""
    def step(deadline):
        tried = drain(batch, deadline)
        return tried, tried == batch

    return DRAINING.run(step, seconds)


def drain(limit=100, deadline=None):
    """Send the deliveries that are due, starting POSTs until deadline (a time.monotonic()) and for
    DRAIN_LONGEST seconds at most; returns how many were tried.

    Rows are claimed first (claims.py: no other drainer takes them) and each outcome written on its
    own: no transaction is held across a network call, so SQLite's single writer is never blocked by
    a slow server. Up to DELIVERY_THREADS workers sign and POST, a domain's rows in order by one
    worker over kept-alive connections, while this thread alone writes the outcomes (SQLite writers
    in several threads wait for one another in sleeps of milliseconds).
    """
    now = utcnow()
    deadline = min(deadline or float("inf"), time.monotonic() + DRAIN_LONGEST)
    due = claim(Delivery.select(Delivery, Activity, Actor).join(Activity).join(Actor)
                .where((Delivery.state == PENDING) & (Delivery.next_attempt_at <= now))
                .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit), Delivery.next_attempt_at, now + CLAIM)
    if not due:
        return 0
    unavailable = {d.domain for d in DomainHealth.select().where(DomainHealth.unavailable)}
    domains = list({row.domain for row in due})
    batch = _Batch(
        paused={h.inbox_url: h.paused_until for h in InboxHealth.select().where(InboxHealth.paused_until > now)},
        unavailable=unavailable,
        tried_recently=_tried_since(unavailable, now - UNAVAILABLE_RETRY),
        failures=dict(InboxHealth.select(InboxHealth.inbox_url, InboxHealth.consecutive_failures).where(
            InboxHealth.inbox_url.in_(list({row.inbox_url for row in due}))
            & (InboxHealth.consecutive_failures > 0)).tuples()),
        ailing={d.domain for d in DomainHealth.select(DomainHealth.domain, DomainHealth.failure_days,
                                                      DomainHealth.unavailable)
                .where(DomainHealth.domain.in_(domains)) if d.unavailable or d.failure_days},
        allowed=client.parse_networks(current_app.config["ALLOWED_PRIVATE_NETWORKS"]),
        deadline=deadline,
    )
    by_domain = {}
    for row in due:
        if not _park(row, batch, now):
            by_domain.setdefault(row.domain, []).append(row)
    if not by_domain:
        return 0
    tried, recorded = 0, set()
    local, opened = threading.local(), []

    def send_domain(rows):
        if not hasattr(local, "connections"):
            local.connections = client.Connections()
            opened.append(local.connections)
        return _send_domain(rows, batch, local.connections)

    pool = ThreadPoolExecutor(min(current_app.config["DELIVERY_THREADS"], len(by_domain)),
                              thread_name_prefix="delivery")
    try:
        for done in as_completed([pool.submit(send_domain, rows) for rows in by_domain.values()]):
            exchanges, held = done.result()
            recorded.update(row.id for row, _exchange in exchanges)
            recorded.update(row.id for row in held)
            for row, exchange in exchanges:
                try:
                    _record(row, exchange, batch)
                except Exception as failure:  # noqa: BLE001 - one bad row must not stop the queue
                    _record(row, _Exchange(None, unexpected=failure), batch)
            for row in held:
                _park(row, batch, now)
            tried += len(exchanges)
    finally:
        # Should writing fail (a full disk), domains not yet begun are not sent to: unrecorded POSTs.
        pool.shutdown(cancel_futures=True)
        for connections in opened:
            connections.close()
    # Rows the deadline left untouched are due again as they were, keeping their order.
    for row in (row for rows in by_domain.values() for row in rows if row.id not in recorded):
        Delivery.update(next_attempt_at=row.next_attempt_at).where(Delivery.id == row.id).execute()
    return tried


def _park(row, batch, now):
    """Move a row whose inbox is paused, or whose unavailable domain had its try, to when it may go;
    returns whether it was."""
    if row.inbox_url in batch.paused:
        Delivery.update(next_attempt_at=batch.paused[row.inbox_url]).where(Delivery.id == row.id).execute()
    elif row.domain in batch.unavailable and row.domain in batch.tried_recently:
        # An unavailable domain is tried once a day (by its oldest due row), until it answers or
        # writes to us: everything else for it, new activities included, waits without a try.
        Delivery.update(next_attempt_at=now + UNAVAILABLE_RETRY).where(Delivery.id == row.id).execute()
    else:
        return False
    return True


def _send_domain(rows, batch, connections):
    """POST one domain's rows in order, in a worker; returns ([(row, _Exchange)], rows held back).

    Held back: the rest for an inbox whose breaker the failures trip, and the rest for an
    unavailable domain whose daily try did not succeed (the drain's thread then parks them)."""
    exchanges, held, stopped = [], [], set()
    failures = {row.inbox_url: batch.failures.get(row.inbox_url, 0) for row in rows}
    domain_held = False
    for row in rows:
        if time.monotonic() > batch.deadline:
            break  # untouched: still due for the next drain
        if domain_held or row.inbox_url in stopped:
            held.append(row)
            continue
        exchange = _post(row, batch, connections)
        exchanges.append((row, exchange))
        succeeded = exchange.status is not None and 200 <= exchange.status < 300
        if exchange.unexpected is None and _retrying(exchange.status):
            failures[row.inbox_url] += 1
            if failures[row.inbox_url] >= BREAKER_THRESHOLD:
                stopped.add(row.inbox_url)
        elif succeeded:
            failures[row.inbox_url] = 0
        domain_held = row.domain in batch.unavailable and not succeeded
    return exchanges, held


def _tried_since(domains, since):
    """Those of these domains that some delivery was tried at since that moment."""
    if not domains:
        return set()
    return {domain for (domain,) in Delivery.select(Delivery.domain).distinct().where(
        Delivery.domain.in_(list(domains)) & (Delivery.attempts > 0) & (Delivery.updated_at > since)).tuples()}


def summary():
    """Per remote domain: deliveries pending, failed and gone, whether it is unavailable, last error."""
    def count(state):
        return fn.SUM(Case(None, [(Delivery.state == state, 1)], 0))

    rows = (Delivery.select(Delivery.domain, count(PENDING).alias("pending"), count(FAILED).alias("failed"),
                            count(GONE).alias("gone"), fn.MAX(Delivery.updated_at).alias("last_try"))
            .group_by(Delivery.domain).order_by(Delivery.domain).dicts())
    unavailable = {d.domain for d in DomainHealth.select().where(DomainHealth.unavailable)}
    last_errors = dict(Delivery.select(Delivery.domain, Delivery.last_error)
                       .where(Delivery.state.in_([PENDING, FAILED]) & (Delivery.last_error != ""))
                       .order_by(Delivery.updated_at).tuples())
    return [dict(row, unavailable=row["domain"] in unavailable, last_error=last_errors.get(row["domain"], ""))
            for row in rows if row["pending"] or row["failed"] or row["gone"] or row["domain"] in unavailable]
