"""Calendar subscriptions against a real loopback server serving a calendar that changes between syncs:
events created, moved, cancelled and removed (deleted, or cancelled when people take part), 304s
honoured, hostile calendars refused with their status kept and nothing half made, failures backed off;
the scheduler's job bounded; the pages (who sees and stops what, CSRF)."""
import re
from datetime import UTC, datetime, timedelta

import pytest

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Activity, Actor, CalendarSubscription, Event, ImportedEvent, Participation
from mobilizon_lite.scheduler import build_scheduler
from mobilizon_lite.services import calendar_subscriptions, participation
from mobilizon_lite.services.calendar_subscriptions import (
    FETCH_FAILED,
    NOT_MODIFIED,
    OK,
    REFUSED,
    SYNC_BATCH,
)
from mobilizon_lite.services.errors import Invalid

from ..helpers import (
    CalendarFeed,
    Feed,
    csrf_token,
    log_in,
    loopback_server,
    make_account,
    make_group,
    wait_until,
)
from ..ics_samples import GOOGLE, YEAR, calendar, many, single, vevent
from .test_groups import add_member

LAST_YEAR = YEAR - 2


@pytest.fixture
def feed(app):
    """A calendar served on loopback (reachable: loopback is allowed to app), as a Feed."""
    app.config["ALLOWED_PRIVATE_NETWORKS"] = ["127.0.0.0/8"]
    served = Feed()
    with loopback_server(CalendarFeed, feed=served) as url:
        served.url = f"{url}/club.ics"
        yield served


def identity(app, username="ann"):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def subscribe(app, username="ann", url=None, group=None, **options):
    with app.test_request_context():
        return calendar_subscriptions.subscribe(identity(app, username), url, group=group, **options)


def sync(app, subscription):
    with app.test_request_context():
        return calendar_subscriptions.sync(CalendarSubscription.get_by_id(subscription.id))


def titles(app):
    with app.app_context():
        return {event.title: event for event in Event.select()}


FIRST = calendar(
    vevent("ride@club", "Weekly ride", start=f"{YEAR}0801T080000Z", extra="RRULE:FREQ=WEEKLY;COUNT=10\r\n"),
    vevent("talk@club", "Talk", start=f"{YEAR}0802T180000Z"),
    vevent("assembly@club", "Assembly", start=f"{YEAR}0803T180000Z"),
    vevent("dropped@club", "Dropped", start=f"{YEAR}0804T180000Z"),
    vevent("joined@club", "Joined", start=f"{YEAR}0805T180000Z"),
    vevent("past@club", "Last year's fair", start=f"{LAST_YEAR}0805T180000Z"),
)
SECOND = calendar(
    vevent("ride@club", "Weekly ride", start=f"{YEAR}0801T080000Z", extra="RRULE:FREQ=WEEKLY;COUNT=10\r\n"),
    vevent("talk@club", "Talk (moved)", sequence=1, start=f"{YEAR}0809T180000Z"),
    vevent("assembly@club", "Assembly", sequence=1, start=f"{YEAR}0803T180000Z", extra="STATUS:CANCELLED\r\n"),
    vevent("new@club", "New workshop", start=f"{YEAR}0810T180000Z"),
)


def test_a_subscription_follows_its_calendar(mail_app, smtp, feed):
    app = mail_app
    app.config["ALLOWED_PRIVATE_NETWORKS"] = ["127.0.0.0/8"]
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    feed.serve(FIRST)
    subscription = subscribe(app, url=feed.url)
    assert (subscription.status, subscription.created, subscription.skipped) == (OK, 6, 0)
    assert subscription.etag and subscription.last_modified and subscription.fetched_at
    assert subscription.next_due - subscription.fetched_at == timedelta(hours=1)
    events = titles(app)
    assert events["Weekly ride"].rrule.startswith("FREQ=WEEKLY;") and events["Weekly ride"].repeats
    with app.test_request_context():
        assert {row.subscription_id for row in ImportedEvent.select()} == {subscription.id}
        participation.join(events["Joined"], identity(app, "bob"))

    # Unchanged: the server sees both conditions and answers 304; nothing is read or written.
    again = sync(app, subscription)
    assert feed.requests[-1]["If-None-Match"] == subscription.etag
    assert feed.requests[-1]["If-Modified-Since"] == subscription.last_modified
    assert again.status == NOT_MODIFIED and again.fetched_at > subscription.fetched_at
    assert titles(app).keys() == events.keys()

    with app.app_context():
        published = Activity.select().count()
    feed.serve(SECOND)
    synced = sync(app, subscription)
    assert "If-None-Match" in feed.requests[-1]  # the old ETag, answered with the new calendar
    assert (synced.status, synced.created, synced.updated, synced.removed, synced.unchanged) == (OK, 1, 2, 2, 1)
    assert synced.etag != subscription.etag
    events = titles(app)
    assert "Dropped" not in events  # gone from the calendar, nobody took part: deleted
    assert events["Joined"].status == "cancelled"  # bob takes part: cancelled, and told
    assert events["Last year's fair"].status == "confirmed"  # over: a calendar of what is ahead drops it
    assert events["Talk (moved)"].begins_on == datetime(YEAR, 8, 9, 18, tzinfo=UTC)
    assert events["Assembly"].status == "cancelled"
    assert "New workshop" in events
    with app.app_context():
        kinds = [activity.type for activity in Activity.select().order_by(Activity.id).offset(published)]
        assert sorted(kinds) == ["Create", "Delete", "Update", "Update", "Update"]
        # The cancelled event no longer follows the calendar: its UID, back, would be a new event.
        assert not ImportedEvent.select().where(ImportedEvent.event == events["Joined"].id).exists()
        assert Participation.select().where(Participation.event == events["Joined"].id).count() == 2
    told = wait_until(lambda: [message for message in smtp.messages if message["To"] == "bob@example.org"])
    assert "Joined" in told[0]["Subject"] and "cancel" in told[0].get_body().get_content().lower()

    # Nothing gone since: the next sync removes nothing more, and updates nothing unchanged.
    feed.serve(SECOND + b"\r\n")
    last = sync(app, synced)
    assert (last.status, last.created, last.updated, last.removed, last.unchanged) == (OK, 0, 0, 0, 4)


def test_a_google_calendar_is_read_in_its_x_wr_timezone(app, feed):
    make_account(app)
    feed.serve(GOOGLE)
    subscribe(app, url=feed.url)
    walk = titles(app)["Evening walk"]
    assert walk.timezone == "America/New_York"
    assert walk.begins_on == datetime(YEAR, 7, 15, 23, tzinfo=UTC)
    assert walk.ends_on == datetime(YEAR, 7, 16, 1, tzinfo=UTC)


HOSTILE = [
    ("a 100 MB answer", dict(streamed=100 << 20), FETCH_FAILED, "larger than"),
    ("100,000 events", dict(body=many(100_000)), FETCH_FAILED, "larger than"),
    ("600 events", dict(body=many(600)), REFUSED, "at most 500 can be imported at once"),
    ("broken lines", dict(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMM"), REFUSED, "not a calendar"),
    ("a web page", dict(body=b"<!doctype html><title>Club</title>", content_type="text/html"), REFUSED,
     "not a calendar"),
    ("a picture", dict(body=b"\x89PNG\r\n\x1a\n\x00\xff"), REFUSED, "not a calendar"),
    ("a redirect to a private address", dict(location="http://10.1.2.3/club.ics"), FETCH_FAILED,
     "forbidden address"),
    ("a redirect to the metadata address", dict(location="http://169.254.169.254/latest"), FETCH_FAILED,
     "forbidden address"),
    ("a server error", dict(status=500), FETCH_FAILED, "the server answered 500"),
]


@pytest.mark.parametrize("name, hostile, status, message", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_calendars_are_refused_with_a_status_and_backed_off(app, feed, name, hostile, status, message):
    make_account(app)
    feed.serve(single("kept@club", "Kept"))
    subscription = subscribe(app, url=feed.url)
    feed.serve(hostile.pop("body", b""), **({"content_type": hostile.pop("content_type")}
                                             if "content_type" in hostile else {}))
    for attribute, value in hostile.items():
        setattr(feed, attribute, value)
    waits = []
    for _attempt in range(3):
        failed = sync(app, subscription)
        assert failed.status == status and message in failed.error, failed.error
        waits.append(failed.next_due - failed.fetched_at)
    assert waits == [timedelta(hours=2), timedelta(hours=4), timedelta(hours=8)]
    assert failed.failures == 3 and failed.active
    # Nothing half made, nothing removed: the calendar's one event is as it was.
    assert list(titles(app)) == ["Kept"]


def test_failures_wait_a_day_at_most_and_recover(app, feed):
    make_account(app)
    feed.serve(single("kept@club", "Kept"))
    subscription = subscribe(app, url=feed.url, interval=6 * 3600)
    feed.status = 503
    for _attempt in range(4):
        failed = sync(app, subscription)
    assert failed.next_due - failed.fetched_at == timedelta(days=1)
    feed.status = 200
    feed.serve(single("kept@club", "Kept, renamed", sequence=1))
    recovered = sync(app, subscription)
    assert (recovered.status, recovered.failures, recovered.error, recovered.updated) == (OK, 0, "", 1)
    assert recovered.next_due - recovered.fetched_at == timedelta(hours=6)


def test_an_endless_repetition_every_second_is_bounded(app, feed):
    make_account(app)
    feed.serve(single("s@club", "Every second", "RRULE:FREQ=SECONDLY\r\n"))
    subscription = subscribe(app, url=feed.url)
    assert (subscription.status, subscription.created) == (OK, 1)
    assert titles(app)["Every second"].rrule == ""  # one date, as the import notes it


def test_an_emptied_calendar_removes_nothing(app, feed):
    make_account(app)
    feed.serve(single("kept@club", "Kept"))
    subscription = subscribe(app, url=feed.url)
    feed.serve(calendar())
    emptied = sync(app, subscription)
    assert emptied.status == REFUSED and "holds no events any more" in emptied.error
    assert list(titles(app)) == ["Kept"]
    assert emptied.etag == ""  # read again next time, not "not modified"


def test_a_first_sync_that_fails_keeps_nothing(app, feed):
    make_account(app)
    feed.serve(b"<html>Not found</html>", "text/html")
    with pytest.raises(Invalid, match="not a calendar"):
        subscribe(app, url=feed.url)
    for url in ("ftp://example.org/x.ics", "javascript:alert(1)", "http://", f"http://127.0.0.1:9/{'x' * 2100}"):
        with pytest.raises(Invalid):
            subscribe(app, url=url)
    feed.serve(single("a@club", "A"))
    subscribe(app, url=feed.url)
    with pytest.raises(Invalid, match="already subscribed"):
        subscribe(app, url=feed.url)
    with app.app_context():
        assert CalendarSubscription.select().count() == 1


def test_removals_touch_only_the_events_of_that_subscription(app, feed):
    make_account(app)
    feed.serve(calendar(vevent("one@club", "One"), vevent("two@club", "Two")))
    first = subscribe(app, url=feed.url)
    second = subscribe(app, url=feed.url + "?other", interval=3600)
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)  # the same UIDs: one event each
    feed.serve(calendar(vevent("one@club", "One")))
    assert sync(app, second).removed == 0  # "two" was made by the first subscription
    assert sync(app, first).removed == 1
    assert list(titles(app)) == ["One"]


def test_the_job_syncs_a_bounded_number_of_due_subscriptions(app, feed):
    make_account(app)
    feed.serve(single("a@club", "A"))
    owner = identity(app)
    with app.app_context():
        past = utcnow() - timedelta(minutes=1)
        # Outside any request, as the scheduler runs it: a failure's message is still written.
        private = CalendarSubscription.create(owner=owner, created_by=owner, url="http://10.1.2.3/club.ics",
                                              next_due=past - timedelta(minutes=1))
        for number in range(SYNC_BATCH + 1):
            CalendarSubscription.create(owner=owner, created_by=owner, url=f"{feed.url}?n={number}", next_due=past)
        CalendarSubscription.create(owner=owner, created_by=owner, url=f"{feed.url}?later",
                                    next_due=utcnow() + timedelta(hours=1))
        held = CalendarSubscription.create(owner=owner, created_by=owner, url=f"{feed.url}?held", next_due=past,
                                           locked_until=utcnow() + timedelta(minutes=5))
    assert build_scheduler(app).get_job("sync_due_subscriptions").func() is None  # in its own app context
    with app.app_context():
        fetched = CalendarSubscription.select().where(CalendarSubscription.fetched_at.is_null(False))
        assert fetched.count() == SYNC_BATCH
        assert {row.status for row in fetched if row.id != private.id} == {OK}
        assert "forbidden address" in CalendarSubscription.get_by_id(private.id).error
        assert CalendarSubscription.get_by_id(held.id).fetched_at is None
    assert len(feed.requests) == SYNC_BATCH - 1
    with app.test_request_context():
        assert calendar_subscriptions.sync(held).fetched_at is None  # another sync holds it


def page_text(client, path="/subscriptions"):
    return re.sub(r"\s+", " ", client.get(path).get_data(as_text=True))


def test_the_pages_subscribe_sync_and_stop(app, ann, feed):
    assert 'href="/subscriptions"' in ann.get("/import").get_data(as_text=True)
    assert 'href="/subscriptions"' in ann.get("/events/new").get_data(as_text=True)
    page = page_text(ann)
    assert "No calendar subscribed to yet." in page and "Every hour" in page
    feed.serve(FIRST)
    fields = {"owner": f"identity-{identity(app).id}", "url": feed.url, "interval": "10800"}
    assert ann.post("/subscriptions", data=fields).status_code == 400  # no CSRF token
    done = ann.post("/subscriptions", data=dict(fields, csrf_token=csrf_token(ann, "/subscriptions")))
    assert done.status_code == 302
    page = page_text(ann)
    assert "Subscribed: 6 events created." in page
    assert feed.url in page and "Every 3 hours" in page and "Up to date" in page
    assert "6 created, 0 updated, 0 removed, 0 unchanged, 0 skipped" in page
    with app.app_context():
        subscription = CalendarSubscription.get()
    again = ann.post("/subscriptions", data=dict(fields, csrf_token=csrf_token(ann, "/subscriptions")))
    assert again.status_code == 400 and "already subscribed" in again.get_data(as_text=True)
    bad = ann.post("/subscriptions", data=dict(fields, url="not an address", interval="5",
                                               csrf_token=csrf_token(ann, "/subscriptions")))
    assert bad.status_code == 400

    sync_path = f"/subscriptions/{subscription.id}/sync"
    assert ann.post(sync_path).status_code == 400
    feed.status = 500
    assert ann.post(sync_path, data={"csrf_token": csrf_token(ann, "/subscriptions")}).status_code == 302
    page = page_text(ann)
    assert "Fetched: Could not be fetched." in page and "the server answered 500" in page
    assert "It failed 1 time in a row" in page
    with app.app_context():  # the scheduler's job (or the command line) is fetching it
        CalendarSubscription.update(locked_until=utcnow() + timedelta(minutes=5)).execute()
    ann.post(sync_path, data={"csrf_token": csrf_token(ann, "/subscriptions")})
    assert "This calendar is being fetched right now" in page_text(ann)
    assert len(feed.requests) == 2  # the first fetch, and "Sync now" once: not while held
    with app.app_context():
        CalendarSubscription.update(locked_until=None).execute()

    stop_path = f"/subscriptions/{subscription.id}/stop"
    stop_page = page_text(ann, stop_path)
    assert "Stop this subscription?" in stop_page and "The events it made stay" in stop_page
    assert ann.post(stop_path).status_code == 400
    stopped = ann.post(stop_path, data={"csrf_token": csrf_token(ann, stop_path)})
    assert stopped.status_code == 302
    assert "the events it made stay" in page_text(ann)
    with app.app_context():
        assert not CalendarSubscription.select().exists()
        assert Event.select().count() == 6
        assert not ImportedEvent.select().where(ImportedEvent.subscription.is_null(False)).exists()


def test_stopping_may_remove_the_events_ahead(app, ann, feed):
    feed.serve(FIRST)
    subscription = subscribe(app, url=feed.url)
    stop_path = f"/subscriptions/{subscription.id}/stop"
    ann.post(stop_path, data={"csrf_token": csrf_token(ann, stop_path), "remove_events": "y"})
    assert "5 events removed" in page_text(ann)
    assert list(titles(app)) == ["Last year's fair"]


def test_a_groups_subscriptions_are_for_its_organisers(app, ann, feed):
    group = make_group(app, "club")
    add_member(app, group, "bob", "member")
    add_member(app, group, "carol", "moderator")
    bob, carol = app.test_client(), app.test_client()
    log_in(bob, "bob@example.org")
    log_in(carol, "carol@example.org")
    assert 'href="/subscriptions?group=club"' in ann.get("/@club").get_data(as_text=True)
    assert re.search(r'<option selected value="group-\d+">The group', ann.get("/subscriptions?group=club")
                     .get_data(as_text=True))
    feed.serve(single("g@club", "Club night"))
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
    subscription = subscribe(app, url=feed.url, group=group)
    with app.app_context():
        assert Event.get().attributed_to_id == group.id

    assert feed.url not in page_text(bob)  # a member who may not organise sees nothing of it
    token = csrf_token(bob, "/subscriptions")
    for path in (f"/subscriptions/{subscription.id}/sync", f"/subscriptions/{subscription.id}/stop"):
        assert bob.post(path, data={"csrf_token": token}).status_code == 404
    assert bob.get(f"/subscriptions/{subscription.id}/stop").status_code == 404
    fields = {"owner": f"group-{group.id}", "url": feed.url + "?bob", "interval": "3600", "csrf_token": token}
    assert bob.post("/subscriptions", data=fields).status_code == 400  # not a choice he has

    assert feed.url in page_text(carol)  # a moderator manages it
    stop_path = f"/subscriptions/{subscription.id}/stop"
    assert carol.post(stop_path, data={"csrf_token": csrf_token(carol, stop_path)}).status_code == 302
    with app.app_context():
        assert not CalendarSubscription.select().exists()
