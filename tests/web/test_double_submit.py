"""A create form posted twice (a double click, a reload of the POST) makes one thing: the form's token
leads the second POST to what the first made, also when both arrive at once."""
import re
import threading
from datetime import timedelta

from mobilizon_lite.db import utcnow
from mobilizon_lite.models import Account, Actor, Event, FormSubmission
from mobilizon_lite.services import submissions

from ..helpers import errors, event_fields, log_in, make_account, submit
from .test_groups import group_fields


def form_token(client, url):
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="submission"[^>]*>', page)
    assert match, f"no submission token on {url}"
    return re.search(r'value="([^"]+)"', match.group(0)).group(1)


def event_count(app):
    with app.app_context():
        return Event.select().count()


def assert_posted_twice_leads_to_the_first(client, url, fields):
    """Post the form at url twice with one token: the second POST leads where the first did."""
    token = form_token(client, url)
    first = submit(client, url, dict(fields, submission=token))
    assert first.status_code == 302, errors(first)
    second = submit(client, url, dict(fields, submission=token))
    assert second.status_code == 303 and second.location == first.location


def test_the_same_event_form_posted_twice_makes_one_event(app, ann):
    assert_posted_twice_leads_to_the_first(ann, "/events/new", event_fields())
    assert event_count(app) == 1
    # A new form is a new token: a second event.
    assert submit(ann, "/events/new", event_fields(submission=form_token(ann, "/events/new"))).status_code == 302
    assert event_count(app) == 2


def test_a_form_shown_again_with_errors_keeps_its_token_and_is_sent_once_corrected(app, ann):
    token = form_token(ann, "/events/new")
    refused = submit(ann, "/events/new", event_fields(title="", submission=token))
    assert refused.status_code == 400 and f'value="{token}"' in refused.get_data(as_text=True)
    assert event_count(app) == 0
    assert submit(ann, "/events/new", event_fields(submission=token)).status_code == 302
    assert event_count(app) == 1


def test_two_posts_at_once_make_one_event(app):
    make_account(app)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        log_in(client)
    token = form_token(clients[0], "/events/new")
    answers, start = [], threading.Barrier(2)

    def post(client):
        fields = event_fields(submission=token)
        start.wait()
        answers.append(submit(client, "/events/new", fields))

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [302, 303]
    assert len({answer.location for answer in answers}) == 1
    assert event_count(app) == 1


def test_another_account_posting_the_token_makes_its_own(app, ann):
    token = form_token(ann, "/events/new")
    assert submit(ann, "/events/new", event_fields(submission=token)).status_code == 302
    make_account(app, "bob@example.org", "bob")
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    assert submit(bob, "/events/new", event_fields(submission=token)).status_code == 302
    assert event_count(app) == 2


def test_the_same_group_form_posted_twice_makes_one_group(app, ann):
    assert_posted_twice_leads_to_the_first(ann, "/groups/new", group_fields())
    with app.app_context():
        assert Actor.select().where(Actor.preferred_username == "club").count() == 1


def test_a_token_whose_first_post_never_finished_is_taken_by_the_next(app, ann):
    token = form_token(ann, "/events/new")
    with app.app_context():  # a first POST whose process ended while it ran, long ago
        FormSubmission.create(account=Account.get().id, token=token, created_at=utcnow() - timedelta(minutes=3))
    assert submit(ann, "/events/new", event_fields(submission=token)).status_code == 302
    assert event_count(app) == 1
    assert submit(ann, "/events/new", event_fields(submission=token)).status_code == 303


def test_the_tokens_of_forms_a_day_old_are_forgotten(app, ann):
    assert_posted_twice_leads_to_the_first(ann, "/events/new", event_fields())
    with app.app_context():
        FormSubmission.update(created_at=utcnow() - timedelta(hours=25)).execute()
        assert submissions.purge_submissions() == 1
        assert not FormSubmission.select().exists()
