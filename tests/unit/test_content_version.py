"""The content version raised by the database on every change to what pages show, and the moment the
next event begins or ends."""
from datetime import timedelta

from mobilizon_lite.db import database, utcnow
from mobilizon_lite.models import Delivery, DomainHealth, Event, InboxHealth
from mobilizon_lite.models.changes import content_version, next_event_moment

from ..helpers import make_account, make_event


def test_every_write_to_a_shown_table_raises_the_version_and_others_do_not(app):
    make_account(app)
    with app.app_context():
        start = content_version()
        event = make_event(app)
        after_create = content_version()
        assert after_create > start
        Event.update(title="Renamed").where(Event.id == event.id).execute()
        assert content_version() == after_create + 1
        # Bookkeeping of federation is not shown on any kept page.
        InboxHealth.create(inbox_url="https://elsewhere.test/inbox")
        Delivery.delete().execute()
        assert content_version() == after_create + 1
        Event.delete().where(Event.id == event.id).execute()
        assert content_version() > after_create + 1


def test_a_servers_software_raises_the_version_and_its_failures_do_not(app):
    with app.app_context():
        health = DomainHealth.create(domain="elsewhere.test")
        before = content_version()
        DomainHealth.update(failure_days=["2026-12-01"]).where(DomainHealth.id == health.id).execute()
        assert content_version() == before
        DomainHealth.update(software="mobilizon").where(DomainHealth.id == health.id).execute()
        assert content_version() == before + 1


def test_a_write_that_rolls_back_leaves_the_version(app):
    make_account(app)
    event = make_event(app)
    with app.app_context():
        before = content_version()
        with database.atomic() as block:
            Event.update(title="Never").where(Event.id == event.id).execute()
            block.rollback()
        assert content_version() == before


def test_next_event_moment_is_the_first_start_or_end_still_to_come(app):
    make_account(app)
    now = utcnow().replace(microsecond=0)
    times = [(now - timedelta(hours=1), now + timedelta(hours=3)), (now + timedelta(hours=2), now + timedelta(hours=5))]
    with app.app_context():
        for begins_on, ends_on in times:
            event = make_event(app)
            Event.update(begins_on=begins_on, ends_on=ends_on).where(Event.id == event.id).execute()
        assert next_event_moment(now) == now + timedelta(hours=2)
        assert next_event_moment(now + timedelta(hours=2)) == now + timedelta(hours=3)
        assert next_event_moment(now + timedelta(hours=5)) is None
