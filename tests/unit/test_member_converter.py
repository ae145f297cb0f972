"""Member objects have the shape of the members Mobilizon serves (fixture mobilizon-members-collection.json)."""
import json
from types import SimpleNamespace

import pytest

from mobilizon_lite.activitypub.convert.member import member_document, member_to_ap

from ..federation.captured import FIXTURES

FIXTURE = FIXTURES / "mobilizon-members-collection.json"


@pytest.mark.skipif(not FIXTURE.is_file(), reason="the captured payloads are not beside the project")
def test_a_member_has_the_keys_and_values_mobilizon_gives_it():
    mobilizon = json.loads(FIXTURE.read_text())["first"]["orderedItems"][0]
    group = SimpleNamespace(ap_id=mobilizon["object"])
    member = SimpleNamespace(ap_id=mobilizon["id"], actor=SimpleNamespace(ap_id=mobilizon["actor"]),
                             role=mobilizon["role"])
    assert member_to_ap(member, group) == mobilizon
    document = member_document(member, group)
    assert document.pop("@context") and document == mobilizon
