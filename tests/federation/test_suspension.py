"""Suspending an account from the command line of a running instance: the Delete of each of its
identities reaches the servers that know them (as Mobilizon suspends a local actor), and its actor
answers 410 until the suspension is lifted."""
import pytest
import requests

from ..helpers import wait_until
from .peer import AP

pytestmark = pytest.mark.slow


def test_a_suspension_sends_the_identity_s_delete_to_its_followers(instance, peer):
    ann = f"{instance.base}/@ann"
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/activities/1",
              "type": "Follow", "actor": peer.actor_id, "object": ann}
    assert peer.post(f"{ann}/inbox", follow)[0] == 202
    wait_until(lambda: any(activity.get("type") == "Accept" for activity, _owner in peer.inbox), timeout=15)

    done = instance.run("users", "suspend", "ann@example.org", "--reason", "spam")
    assert "Suspended ann@example.org" in done.stdout

    delete = wait_until(lambda: next((activity for activity, _owner in peer.inbox
                                      if activity.get("type") == "Delete"), None), timeout=15)
    assert delete["actor"] == delete["object"] == ann
    gone = requests.get(ann, headers={"Accept": AP}, timeout=10)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"

    instance.run("users", "unsuspend", "ann@example.org")
    back = requests.get(ann, headers={"Accept": AP}, timeout=10)
    assert back.status_code == 200 and back.json()["id"] == ann
