"""Acting on running instances (tests/harness.RunningInstance) as their users do, through their pages,
and reading their databases."""
import re
from datetime import date

import requests

from ..harness import form_token, instant, wait_until  # noqa: F401 - instant is the tests' too
from ..helpers import event_fields

NEXT_YEAR = date.today().year + 1
# Instances that reach each other on loopback, with deliveries drained and retried, and received
# activities handled, within seconds.
FEDERATING = {"MOBILIZON_LITE_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8", "MOBILIZON_LITE_DELIVERY_INTERVAL": "1",
              "MOBILIZON_LITE_DELIVERY_BACKOFF_SCALE": "0.02", "MOBILIZON_LITE_INBOX_INTERVAL": "1"}


def post_form(instance, session, path, data, page="/identities/"):
    """POST data to path as a browser does, with the token of the form on page; not redirected."""
    return session.post(instance.base + path, data={"csrf_token": form_token(session, instance.base + page), **data},
                        timeout=30, allow_redirects=False)


def identity_id(instance, session):
    """The form value of the session's current identity."""
    return re.search(r'<option value="(\d+)" selected>', session.get(instance.base + "/identities/").text).group(1)


def follow(instance, session, handle):
    """The session's identity follows handle (@user@host or a profile URL)."""
    response = post_form(instance, session, "/identities/follow",
                         {"identity": identity_id(instance, session), "handle": handle})
    assert response.status_code == 302, response.text[-2000:]


def create_event(instance, session, **fields):
    """Publish an event through the form; returns its uuid."""
    data = event_fields(identity=identity_id(instance, session), **fields)
    response = post_form(instance, session, "/events/new", data, page="/events/new")
    assert response.status_code == 302, response.text[-3000:]
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def copy_of(instance, title):
    """The uuid of the copy of a remote event on instance, once its home page lists it."""
    found = {}

    def listed():
        match = re.search(r'href="/events/([0-9a-f-]{36})">' + re.escape(title) + "<",
                          requests.get(instance.base + "/", timeout=5).text)
        found["uuid"] = match and match.group(1)
        return bool(match)

    wait_until(listed, timeout=30)
    return found["uuid"]


def join(instance, session, uuid, message=""):
    """The session's identity presses "join" on an event's page: the answer."""
    page = f"/events/{uuid}"
    return post_form(instance, session, f"{page}/join",
                     {"identity": identity_id(instance, session), "message": message}, page=page)


def participant_count(instance, uuid):
    """participantCount of a local event, as the instance tells other servers."""
    return requests.get(f"{instance.base}/events/{uuid}", headers={"Accept": "application/activity+json"},
                        timeout=5).json()["participantCount"]


def one(instance, sql, *params):
    """The first row a query of the instance's database finds, as a dict; None when there is none."""
    rows = instance.query(sql, *params)
    return rows[0] if rows else None


def handled(instance, activity_id, timeout=15):
    """Wait until the instance's job has handled the activity stored under activity_id, if one was stored
    (its inbox answers before handling it)."""
    def done():
        item = one(instance, "SELECT state FROM inbox_item WHERE activity_id = ?", activity_id)
        return item is None or item["state"] != "received"

    wait_until(done, timeout=timeout)
