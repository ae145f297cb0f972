"""The documents other servers ask for (WebFinger, actors, events, NodeInfo) follow every change at once,
and a page and a document on one URL never stand in for each other. A cache of these documents must keep
every test here passing."""
from datetime import timedelta

import pytest

from mobilizon_lite.models import Account
from mobilizon_lite.services.identities import create_identity

from ..helpers import EVENT_DAY, event_fields, make_account, make_event, submit
from .test_page_cache import conditional, edit, page_of, visit

AS_JSON = {"Accept": "application/activity+json"}


def document(app, url, status=200):
    """The ActivityStreams document a server gets at url, unsigned."""
    response = visit(app, url, **AS_JSON)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "application/activity+json", url
    return response.json


def webfinger(app, username):
    return app.test_client().get(f"/.well-known/webfinger?resource=acct:{username}@events.test")


def usage(app, version):
    return app.test_client().get(f"/nodeinfo/{version}").json["usage"]


def test_the_actor_document_follows_a_rename(app, ann):
    before = document(app, "/@ann")
    assert before["name"] == "ann" and before["preferredUsername"] == "ann"
    response = submit(ann, "/identities/ann/edit", {"name": "Ann Lovelace", "summary": "I **fix** things."})
    assert response.status_code == 302
    after = document(app, "/@ann")
    assert after["name"] == "Ann Lovelace" and "<strong>fix</strong>" in after["summary"]
    assert after["publicKey"] == before["publicKey"]


def test_an_identity_is_found_once_made_and_gone_once_deleted(app, ann):
    assert webfinger(app, "club").status_code == 404
    assert visit(app, "/@club", **AS_JSON).status_code == 404
    with app.app_context():
        create_identity(Account.get(), "club", "Running club")
    found = webfinger(app, "club")
    assert found.status_code == 200 and found.json["subject"] == "acct:club@events.test"
    assert document(app, "/@club")["name"] == "Running club"
    response = submit(ann, "/identities/club/delete", {}, page="/identities/club/delete")
    assert response.status_code == 302
    gone = webfinger(app, "club")
    assert gone.status_code == 404 and "subject" not in gone.json
    assert document(app, "/@club", status=410)["type"] == "Tombstone"
    assert visit(app, "/@club").status_code == 410
    # ann herself is untouched.
    assert webfinger(app, "ann").status_code == 200


def test_the_event_document_follows_edits(app, ann):
    event = make_event(app)
    before = document(app, page_of(event))
    assert before["name"] == "Repair café" and before["startTime"].startswith(f"{EVENT_DAY}T14:00:00")
    assert before["ical:status"] == "CONFIRMED"
    next_day = EVENT_DAY + timedelta(days=1)
    edit(ann, event, title="Bike kitchen", start_date=next_day.isoformat())
    submit(ann, f"/events/{event.uuid}/cancel", {}, page=f"/events/{event.uuid}/cancel")
    after = document(app, page_of(event))
    assert after["name"] == "Bike kitchen" and after["startTime"].startswith(f"{next_day}T14:00:00")
    assert after["ical:status"] == "CANCELLED"
    edit(ann, event, title="Bike kitchen", visibility="private")
    hidden = visit(app, page_of(event), **AS_JSON)
    assert hidden.status_code == 404 and "Bike kitchen" not in hidden.get_data(as_text=True)


def test_a_deleted_event_has_no_document(app, ann):
    event = make_event(app)
    assert document(app, page_of(event))["name"] == "Repair café"
    response = submit(ann, f"{page_of(event)}/delete", {}, page=f"{page_of(event)}/delete")
    assert response.status_code == 302
    gone = visit(app, page_of(event), **AS_JSON)
    assert gone.status_code in (404, 410) and "Repair café" not in gone.get_data(as_text=True)


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_counts_follow_accounts_and_public_events(app, ann, version):
    assert usage(app, version) == {"users": {"total": 1}, "localPosts": 0}
    make_account(app, "bob@example.org", "bob")
    assert usage(app, version)["users"]["total"] == 2
    event = make_event(app)
    assert usage(app, version)["localPosts"] == 1
    make_event(app, title="Board meeting", visibility="private")
    assert usage(app, version)["localPosts"] == 1
    edit(ann, event, visibility="unlisted")
    assert usage(app, version)["localPosts"] == 0
    assert submit(ann, "/events/new", event_fields(title="Open day")).status_code == 302
    assert usage(app, version) == {"users": {"total": 2}, "localPosts": 1}


def test_a_page_and_a_document_on_one_url_never_stand_in_for_each_other(app, ann):
    event = make_event(app)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for _round in range(2):
        for url in (page_of(event), "/@ann"):
            for headers in (browser, AS_JSON, {}, AS_JSON):
                response = visit(app, url, **headers)
                assert response.status_code == 200, (url, headers)
                wanted = "application/activity+json" if headers is AS_JSON else "text/html"
                assert response.mimetype == wanted, (url, headers)
                assert "Accept" in response.vary, (url, headers)
    # A logged-in person asking for the document gets it too, and the page after it.
    assert ann.get(page_of(event), headers=AS_JSON).mimetype == "application/activity+json"
    assert ann.get(page_of(event)).mimetype == "text/html"


def test_the_etag_of_a_page_does_not_answer_for_the_document(app, ann):
    event = make_event(app)
    for url in (page_of(event), "/@ann"):
        etag = visit(app, url).headers.get("ETag")
        assert etag, url
        response = conditional(app, url, etag, **AS_JSON)
        assert response.status_code == 200 and response.mimetype == "application/activity+json", url
