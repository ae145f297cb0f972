"""Per-account limits on creating events, comments and reports: a clear 429 page (or JSON)."""
from datetime import timedelta

import pytest

from mobilizon_lite import create_app
from mobilizon_lite.config import ConfigError
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Actor, Comment, Event, RateLimitHit, Report
from mobilizon_lite.services import rate_limits
from mobilizon_lite.services.errors import TooMany

from ..helpers import errors, event_fields, log_in, make_account, make_event, submit


@pytest.fixture
def app(tmp_path, app_config):
    limits = {"RATE_LIMIT_EVENTS": "2 per hour", "RATE_LIMIT_COMMENTS": "3 per minute",
              "RATE_LIMIT_REPORTS": "1 per day"}
    app = create_app(dict(app_config, **limits), instance_path=str(tmp_path / "instance"))
    make_account(app)
    return app


def age_hits(app, seconds):
    with app.app_context():
        for hit in RateLimitHit.select():
            hit.created_at -= timedelta(seconds=seconds)
            hit.save()


def count(app, model):
    with app.app_context():
        return model.select().count()


def test_creating_too_many_events_is_answered_429_with_the_form_kept(app, client):
    log_in(client)
    for number in range(2):
        assert submit(client, "/events/new", event_fields(title=f"Event {number}")).status_code == 302
    refused = submit(client, "/events/new", event_fields(title="One too many"))
    assert refused.status_code == 429
    # The hour counts from the first event: a slow machine may take a few seconds to create them.
    assert 3590 <= int(refused.headers["Retry-After"]) <= 3600
    assert errors(refused) == ["You have created 2 events in 1 hour, as many as this instance allows. "
                               "Try again in 1 hour."]
    assert 'value="One too many"' in refused.get_data(as_text=True)  # nothing typed is lost
    assert count(app, Event) == 2
    age_hits(app, 3601)
    assert submit(client, "/events/new", event_fields(title="One too many")).status_code == 302
    assert count(app, Event) == 3


def test_writing_too_many_comments_is_answered_429_as_a_page_or_as_json(app, client):
    event = make_event(app)
    log_in(client)
    page = f"/events/{event.uuid}"
    for number in range(3):
        assert submit(client, f"{page}/comments", {"text": f"Comment {number}"}, page=page).status_code == 302
    refused = submit(client, f"{page}/comments", {"text": "Spam"}, page=page)
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    text = refused.get_data(as_text=True)
    assert "You have written 3 comments in 1 minute, as many as this instance allows. Try again in" in text
    as_json = submit(client, f"{page}/comments", {"text": "Spam"}, page=page, headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.json["status"] == 429
    assert as_json.json["error"].startswith("You have written 3 comments in 1 minute")
    assert count(app, Comment) == 3
    age_hits(app, 61)
    assert submit(client, f"{page}/comments", {"text": "Later"}, page=page).status_code == 302


def test_sending_too_many_reports_is_answered_429_and_visitors_wait_after_a_few(app, client):
    event = make_event(app)
    log_in(client)
    page = f"/report?item={event.ap_id}"
    assert submit(client, page, {"reason": "spam", "comment": "First"}).status_code == 200
    refused = submit(client, page, {"reason": "spam", "comment": "Second"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 86000
    assert errors(refused) == ["You have sent 1 report in 1 day, as many as this instance allows. Try again in 1 day."]
    assert "Second" in refused.get_data(as_text=True)  # the comment is kept
    assert count(app, Report) == 1

    # Visitors, who report with an email address, wait like anonymous participation requests.
    answers = [submit(app.test_client(), page, {"email": f"witness{number}@example.org", "reason": "spam"}
                      ).status_code for number in range(14)]
    first_refused = answers.index(429)
    assert 11 <= first_refused <= 13 and set(answers[:first_refused]) == {200}


def test_reports_are_counted_per_account_and_old_rows_purged(app):
    make_account(app, email="bob@example.org", username="bob")
    with app.app_context():
        ann, bob = Actor.get(preferred_username="ann"), Actor.get(preferred_username="bob")
        rate_limits.check(ann, "reports")
        with pytest.raises(TooMany) as refused:
            rate_limits.check(ann, "reports")
        assert refused.value.retry_after > 86000 and refused.value.status_code == 429
        rate_limits.check(bob, "reports")  # another account has its own count
        RateLimitHit.update(created_at=utcnow() - timedelta(days=2)).where(RateLimitHit.actor == bob).execute()
        assert rate_limits.purge_rate_limits() == 1
        # A second identity of ann's account adds nothing to what her account may send.
        mask = Actor.create(preferred_username="mask", account=ann.account_id, ap_id="http://events.test/@mask")
        with pytest.raises(TooMany):
            rate_limits.check(mask, "reports")


@pytest.mark.parametrize("value", ["10", "ten per hour", "0 per hour", "5 per week"])
def test_a_rate_limit_that_cannot_be_read_stops_start_up(tmp_path, app_config, value):
    with pytest.raises(ConfigError, match="RATE_LIMIT_COMMENTS must read like '10 per hour'"):
        create_app(dict(app_config, RATE_LIMIT_COMMENTS=value), instance_path=str(tmp_path / "i"))
