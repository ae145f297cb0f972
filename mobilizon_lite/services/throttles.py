"""Repeated failures per email address and per client address: an exponential wait after a few.

Log-ins count their failures; password reset and anonymous participation requests count every
request. A key's wait is at most THROTTLE_MAX_DELAY seconds, and attempts during a wait are refused
without being counted: whoever hammers an account cannot keep its owner out for longer than that.
"""
import math
from datetime import timedelta

from flask import current_app
from flask_babel import format_timedelta
from flask_babel import gettext as _
from peewee import IntegrityError

from ..db import database, utcnow
from ..models import Throttle
from .errors import TooMany

# A key without a failure for this long counts from zero again, and the hourly purge forgets it.
FORGET_AFTER = timedelta(days=1)
FIRST_DELAY = 1  # second; doubled at each further failure


def keys_for(action, email=None, address=None):
    """The keys an action is counted under, each with the failures it allows before waiting: the
    email address (whether an account has it or not, so waiting reveals no account) and the client's
    address."""
    config = current_app.config
    keys = []
    if email:
        keys.append((f"{action}:email:{email}"[:300], config["THROTTLE_FREE_FAILURES"]))
    if address:
        keys.append((f"{action}:address:{address}"[:300], config["THROTTLE_ADDRESS_FREE_FAILURES"]))
    return keys


def delay_after(failures, free):
    """Seconds to wait after this many failures in a row: none for the first free ones, then 1 s, 2 s,
    4 s … up to THROTTLE_MAX_DELAY."""
    if failures <= free:
        return 0
    return min(FIRST_DELAY * 2 ** min(failures - free - 1, 30), current_app.config["THROTTLE_MAX_DELAY"])


def wait_text(seconds):
    """A wait for people ("4 seconds", "3 minutes"), rounded up: to the minute past one minute."""
    seconds = max(1, math.ceil(seconds))
    if seconds > 60:
        seconds = math.ceil(seconds / 60) * 60
    return format_timedelta(timedelta(seconds=seconds), granularity="second", threshold=1.0)


def waiting_message(seconds, requests=False):
    """Why the attempt is refused, and in how long to try again."""
    delay = wait_text(seconds)
    if requests:
        return _("Too many requests for this email address or from your network. Try again in %(delay)s.",
                 delay=delay)
    return _("Too many failed log-ins for this email address or from your network. For safety, even the right "
             "password is refused for now. Try again in %(delay)s.", delay=delay)


def check(keys, requests=False):
    """Raise TooMany while one of keys is waiting after its failures (requests, when requests)."""
    now = utcnow()
    waits = [row.blocked_until for row in Throttle.select(Throttle.blocked_until).where(
        Throttle.key.in_([key for key, _free in keys]) & (Throttle.blocked_until > now))]
    if waits:
        seconds = math.ceil((max(waits) - now).total_seconds())
        raise TooMany(waiting_message(seconds, requests), seconds)


def fail(keys):
    """Count one more failure under each key and set how long it waits."""
    now = utcnow()
    with database.atomic("IMMEDIATE"):
        for key, free in keys:
            row = Throttle.get_or_none(Throttle.key == key)
            if row is None:
                row = Throttle(key=key, failures=0)
            elif row.last_failure_at < now - FORGET_AFTER:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            row.blocked_until = now + timedelta(seconds=delay_after(row.failures, free))
            row.save()


def attempt(keys, requests=True):
    """Refuse an attempt (TooMany) while its keys wait, else count it, in one transaction so that
    parallel attempts all count: every request that sends email, and each log-in until it succeeds
    (see forgive)."""
    with database.atomic("IMMEDIATE"):
        check(keys, requests)
        fail(keys)


def forgive(keys):
    """Take back the attempt just counted under keys, which turned out right: the keys were not
    waiting when it was made, so they wait no more."""
    Throttle.update(failures=Throttle.failures - 1, blocked_until=utcnow()).where(
        Throttle.key.in_([key for key, _free in keys]) & (Throttle.failures > 0)).execute()


def clear(keys):
    """Forget the failures under keys (a successful log-in)."""
    Throttle.delete().where(Throttle.key.in_([key for key, _free in keys])).execute()


def move_key(old_keys, new_keys):
    """Carry the counts under old_keys over to new_keys (an account's new address), keeping the
    stricter of the two where both have one."""
    with database.atomic():
        for (old, _free), (new, _new_free) in zip(old_keys, new_keys, strict=True):
            row = Throttle.get_or_none(Throttle.key == old)
            if row is None:
                continue
            other = Throttle.get_or_none(Throttle.key == new)
            if other is None or other.failures < row.failures:
                Throttle.delete().where(Throttle.key == new).execute()
                Throttle.update(key=new).where(Throttle.key == old).execute()
            else:
                row.delete_instance()


def once_every(key, seconds):
    """True at most once every `seconds` for key, whichever server process asks: the key's row remembers
    the last time (the hourly purge forgets it a day later). One statement decides, so two never both pass."""
    key, now = key[:300], utcnow()
    if Throttle.update(last_failure_at=now).where(
            (Throttle.key == key) & (Throttle.last_failure_at <= now - timedelta(seconds=seconds))).execute():
        return True
    try:
        with database.atomic():
            Throttle.create(key=key, last_failure_at=now)
    except IntegrityError:
        return False  # the key is there, used within `seconds`
    return True


def purge_throttles():
    """Forget keys without a failure for a day and no longer waiting; returns how many."""
    now = utcnow()
    return Throttle.delete().where(
        (Throttle.last_failure_at < now - FORGET_AFTER) & (Throttle.blocked_until <= now)).execute()
