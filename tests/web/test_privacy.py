"""What stays private: pages made for a logged-in person are never cached, a restricted event's
online address reaches only its participants, and comments say which identity posts them."""
import pytest

from ..helpers import errors, log_in, make_account, make_event, submit

PRIVATE_PAGES = ("/my-events", "/settings/", "/settings/password", "/settings/feeds", "/identities/",
                 "/identities/new", "/admin/", "/admin/deliveries", "/events/new", "/")


def test_pages_of_a_logged_in_person_are_never_stored(app, client):
    make_account(app, admin=True)
    event = make_event(app)
    log_in(client)
    for url in PRIVATE_PAGES + (f"/events/{event.uuid}/participants", f"/events/{event.uuid}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_pages_reached_by_a_secret_link_are_never_stored(client):
    response = client.get("/password/reset/some-token")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_for_visitors_may_be_cached(app, client):
    make_account(app)
    event = make_event(app)
    for url in ("/", f"/events/{event.uuid}", "/@ann"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
