"""URLs that answer HTML or ActivityStreams JSON by Accept tell caches so, whatever the answer."""
import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import comments

from ..helpers import make_event
from .remote import EVENT_ID, remote_event, send

AP = {"Accept": "application/activity+json"}
HTML = {"Accept": "text/html"}


def varies_with_accept(response):
    return "accept" in {value.lower() for value in response.vary}


@pytest.fixture
def urls(fed):
    event = make_event(fed)
    with fed.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        comment = comments.comment_on(event, ann, "See you there")
    return {"profile": "/@ann", "event": f"/events/{event.uuid}",
            "comment": f"/events/{event.uuid}/comments/{comment.uuid}"}


@pytest.mark.parametrize("name", ["profile", "event", "comment"])
@pytest.mark.parametrize("accept", [HTML, AP, {}], ids=["html", "activity-json", "none"])
def test_negotiated_answers_vary_with_accept(fed, urls, name, accept):
    response = fed.test_client().get(urls[name], headers=accept)
    # The comment's page is a redirect to its place on the event page; a redirect is cached too.
    assert response.status_code in (200, 302)
    assert varies_with_accept(response), response.headers


@pytest.mark.parametrize("url", ["/@nobody", "/events/00000000-0000-0000-0000-000000000000"])
@pytest.mark.parametrize("accept", [HTML, AP], ids=["html", "activity-json"])
def test_errors_of_negotiated_urls_vary_with_accept(client, url, accept):
    response = client.get(url, headers=accept)
    assert response.status_code == 404
    assert response.mimetype == ("application/json" if accept is AP else "text/html")
    assert varies_with_accept(response)


def test_an_event_of_another_server_varies_too(fed, remote_keys):
    (private, _public), _other = remote_keys
    assert send(fed, private, "Create", remote_event(), 1).status_code == 202
    with fed.app_context():
        url = f"/events/{Event.get().uuid}"
    document = fed.test_client().get(url, headers=AP)  # its own server gives its document
    assert document.status_code == 302 and document.headers["Location"] == EVENT_ID
    page = fed.test_client().get(url, headers=HTML)
    assert page.status_code == 200
    assert varies_with_accept(document) and varies_with_accept(page)


def test_the_session_cookie_still_counts(fed, urls):
    client = fed.test_client()
    client.get("/login")  # a visitor with a session
    response = client.get(urls["event"], headers=HTML)
    assert {"accept", "cookie"} <= {value.lower() for value in response.vary}
