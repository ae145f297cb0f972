"""How pages are kept for visitors: built once per content version and language, answered 304 to the
holder of the same copy, and never kept for a signed request or a page made for one person."""
from flask import render_template_string

from mobilizon_lite.page_cache import shared

from ..helpers import log_in, make_account, make_event


def builds(app):
    return app.extensions["page_cache"].builds


def test_a_visitor_page_is_built_once_per_version_and_language(app):
    make_account(app)
    event = make_event(app)
    visitor = app.test_client()
    first = visitor.get(f"/events/{event.uuid}")
    built = builds(app)
    again = visitor.get(f"/events/{event.uuid}")
    assert builds(app) == built and again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    french = visitor.get(f"/events/{event.uuid}", headers={"Accept-Language": "fr"})
    # The page, and its comment thread (a part logged-in readers' pages take too).
    assert builds(app) == built + 2 and french.data != first.data
    assert {"Accept-Language", "Cookie"} <= set(first.headers["Vary"].replace(" ", "").split(","))


def test_the_holder_of_the_same_copy_gets_a_304(app):
    make_account(app)
    visitor = app.test_client()
    etag = visitor.get("/").headers["ETag"]
    same = visitor.get("/", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
    make_event(app, title="Something new")
    changed = visitor.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Something new" in changed.get_data(as_text=True)


def test_logged_in_pages_are_neither_kept_nor_taken_from_the_kept_ones(app):
    make_account(app)
    visitor, ann = app.test_client(), app.test_client()
    etag = visitor.get("/").headers["ETag"]
    log_in(ann)
    built = builds(app)
    mine = ann.get("/", headers={"If-None-Match": etag})
    assert mine.status_code == 200 and "ETag" not in mine.headers and mine.headers["Cache-Control"] == "no-store"
    assert "My events" in mine.get_data(as_text=True) and builds(app) == built


def test_a_signed_request_for_an_event_document_is_answered_for_its_signer(app):
    make_account(app)
    event = make_event(app)
    client = app.test_client()
    asked = {"Accept": "application/activity+json"}
    client.get(f"/events/{event.uuid}", headers=asked)
    built = builds(app)
    # Whoever signed may be a participant: the answer is made for them, never kept.
    signed = client.get(f"/events/{event.uuid}", headers=dict(asked, Signature='keyId="x",signature="y"'))
    assert builds(app) == built and "ETag" not in signed.headers


def test_logged_in_people_share_the_kept_list_of_events_and_see_it_change(app):
    make_account(app)
    make_event(app, title="First gathering")
    ann = app.test_client()
    log_in(ann)
    assert "First gathering" in ann.get("/").get_data(as_text=True)
    built = builds(app)
    assert "First gathering" in ann.get("/").get_data(as_text=True) and builds(app) == built
    make_event(app, title="Second gathering")
    page = ann.get("/").get_data(as_text=True)
    assert "Second gathering" in page and "My events" in page


def test_a_page_holding_a_visitors_token_or_message_is_kept_for_no_one(app):
    @app.route("/with-token")
    @shared
    def with_token():
        return render_template_string("<p>{{ csrf_token() }}</p>")

    first, second = app.test_client(), app.test_client()
    assert first.get("/login").status_code == 200  # the session now holds a token
    mine = first.get("/with-token").get_data(as_text=True)
    theirs = second.get("/with-token").get_data(as_text=True)
    assert mine != theirs and "ETag" not in second.get("/with-token").headers
