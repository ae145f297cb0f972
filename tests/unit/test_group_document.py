"""A group's actor document has the keys of Mobilizon's own (mobilizon.fr's Framasoft group), and says
only what anyone may know."""
import json

import pytest

from mobilizon_lite.activitypub.convert.actor import GROUP_COLLECTIONS, group_to_ap
from mobilizon_lite.models import Actor
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import groups

from ..federation.captured import FIXTURES
from ..federation.conftest import shared_fixtures  # noqa: F401 - skips, or fails in CI, without the payloads
from ..helpers import make_account, make_group


def framasoft():
    return json.loads((FIXTURES / "external" / "mobilizon.fr-group-framasoft.json").read_text())


@pytest.mark.usefixtures("shared_fixtures")
def test_the_keys_are_mobilizons(app):
    make_account(app)
    group = make_group(app, name="Vélo club", address={"place_name": "Maison du vélo", "locality": "Lyon"})
    with app.app_context():
        Actor.update(avatar="a.png", banner="b.jpg").where(Actor.id == group.id).execute()
        document = group_to_ap(Actor.get_by_id(group.id), 1)
    expected = framasoft()
    assert set(document) == set(expected)
    assert set(document["endpoints"]) == set(expected["endpoints"])
    assert set(document["publicKey"]) == set(expected["publicKey"])
    assert set(document["location"]) == set(expected["location"])
    assert set(document["location"]["address"]) == set(expected["location"]["address"])
    assert document["icon"] == {"type": "Image", "mediaType": "image/png", "url": "http://events.test/uploads/a.png"}
    assert document["image"]["mediaType"] == "image/jpeg"
    assert document["location"]["name"] == "Maison du vélo"
    assert document["location"]["address"]["addressLocality"] == "Lyon"
    for name in GROUP_COLLECTIONS:
        assert document[name] == document["endpoints"][name] == f"http://events.test/@club/{name}"
    assert document["endpoints"]["sharedInbox"] == "http://events.test/inbox"
    assert document["inbox"] == "http://events.test/@club/inbox"
    assert document["publicKey"]["owner"] == document["id"] == "http://events.test/@club"
    assert (document["type"], document["openness"], document["discoverable"]) == ("Group", "moderated", True)


def test_without_pictures_nor_address_those_keys_are_left_out(app):
    make_account(app)
    group = make_group(app, visibility="unlisted", openness="open", manually_approves_followers=True)
    with app.app_context():
        document = group_to_ap(group, 1)
    assert not {"icon", "image", "location"} & set(document)
    assert document["discoverable"] is False and document["manuallyApprovesFollowers"] is True
    assert document["openness"] == "open"


def test_member_count_counts_members_only(app):
    make_account(app)
    group = make_group(app)
    with app.app_context():
        for number, role in enumerate((Role.MODERATOR, Role.MEMBER, Role.INVITED, Role.NOT_APPROVED, Role.REJECTED)):
            person = Actor.create(preferred_username=f"p{number}", domain="remote.example",
                                  ap_id=f"https://remote.example/users/p{number}")
            groups.new_member_row(group, person, role)
        document, status = groups.group_document("club")
    assert status == 200 and document["memberCount"] == 3
