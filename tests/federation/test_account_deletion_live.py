"""Deleting an account on a running instance: another instance following it and taking part in its event
receives the Delete of the identity and of the event, and forgets both."""
import pytest
import requests

from ..helpers import PASSWORD, wait_until
from .live import copy_of, create_event, follow, join, one, post_form
from .peer import AP

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair(tmp_path_factory, federating):
    folder = tmp_path_factory.mktemp("account-deletion")
    ours, theirs = (federating(folder, "127.0.0.11", "ours", "ann"),
                    federating(folder, "127.0.0.12", "theirs", "bob"))
    with ours, theirs:
        yield ours, theirs


def test_the_other_instance_receives_the_deletes(pair):
    ours, theirs = pair
    ann, bob = ours.session("ann@example.org"), theirs.session("bob@example.org")
    ann_id = f"{ours.base}/@ann"
    follow(theirs, bob, ann_id)
    wait_until(lambda: one(ours, "SELECT id FROM follow WHERE accepted") is not None, timeout=30)
    create_event(ours, ann, title="Riverside picnic")
    copy = copy_of(theirs, "Riverside picnic")
    assert join(theirs, bob, copy).status_code == 302
    wait_until(lambda: one(ours, "SELECT COUNT(*) AS n FROM participation")["n"] == 2, timeout=30)

    page = "/settings/delete"
    assert post_form(ours, ann, page, {"password": PASSWORD, "all_events": ""}, page=page).status_code == 302

    wait_until(lambda: (one(theirs, "SELECT deleted_at FROM actor WHERE ap_id = ?", ann_id) or {}).get("deleted_at"),
               timeout=30)
    wait_until(lambda: one(theirs, "SELECT id FROM event WHERE uuid = ?", copy) is None, timeout=30)
    gone = requests.get(ann_id, headers={"Accept": AP}, timeout=10)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"
