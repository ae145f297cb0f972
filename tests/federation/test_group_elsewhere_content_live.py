"""Taking part in a group of another running instance from this one's pages: ann on A and cal on C join a
group on B; B's discussion shows on the group's page on A, to ann only (amy, also on A, is no member);
ann replies, starts a discussion and adds a link from A: each reaches B and C, and shows on A as waiting
for the group until the group's Announce of it comes back."""
import re

import pytest

from ..helpers import wait_until
from .live import identity_id, one, post_form
from .test_group_private_live import count, signed_fetch
from .test_groups_elsewhere_live import make_group, role_of

pytestmark = pytest.mark.slow


@pytest.fixture
def instances(tmp_path, federating):
    a, b, c = (federating(tmp_path, "127.0.0.2", "alpha", "ann", "amy"),
               federating(tmp_path, "127.0.0.3", "beta", "bob"), federating(tmp_path, "127.0.0.4", "gamma", "cal"))
    with a, b, c:
        yield [a, b, c]


def join_from(instance, username, group_path, group):
    """username of instance joins the open group at group_path (its page there) from that page."""
    session = instance.session(f"{username}@example.org")
    assert session.get(instance.base + "/search", params={"q": group}, timeout=30).status_code == 200
    joined = post_form(instance, session, f"/elsewhere{group_path}/join",
                       {"identity": identity_id(instance, session)}, page=group_path)
    assert joined.status_code == 302, joined.text[-2000:]
    wait_until(lambda: role_of(instance, f"{instance.base}/@{username}", group) == "member", timeout=30)
    return session


def message_held(instance, text):
    return one(instance, "SELECT pending FROM discussion_comment WHERE text LIKE ?", f"%{text}%")


def test_a_member_elsewhere_reads_and_writes_in_the_group(instances):
    a, b, c = instances
    bob = b.session("bob@example.org")
    make_group(b, bob, "club", "open")
    group, server = f"{b.base}/@club", f"{b.host}:{b.port}"
    path = f"/@club@{server}"
    ann = join_from(a, "ann", path, group)
    join_from(c, "cal", path, group)

    # bob opens a discussion on B: its page on A shows it to ann, with bob by his handle.
    opened = post_form(b, bob, "/@club/discussions/new", {"title": "Picnic", "text": "Who brings bread?"},
                       page="/@club/discussions/new")
    assert opened.status_code == 302, opened.text[-2000:]
    wait_until(lambda: message_held(a, "Who brings bread?") is not None, timeout=30)
    page = ann.get(a.base + path, timeout=10).text
    assert "Picnic" in page and "1 message" in page
    thread = path + "/c/" + re.search(re.escape(path) + r"/c/([\w-]+)", page).group(1)
    shown = ann.get(a.base + thread, timeout=10).text
    assert "Who brings bread?" in shown and f"@bob@{server}" in shown

    # amy, on A too, is no member: nothing of it shows to her.
    amy = a.session("amy@example.org")
    assert "Picnic" not in amy.get(a.base + path, timeout=10).text
    assert amy.get(a.base + thread, timeout=10).status_code == 404

    # ann replies on A: B keeps it and passes it on to C, and back to A, where it waits until then.
    replied = post_form(a, ann, f"{thread}/reply", {"text": "I bring bread"}, page=thread)
    assert replied.status_code == 302, replied.text[-2000:]
    for instance in (b, c):
        wait_until(lambda instance=instance: message_held(instance, "I bring bread") is not None, timeout=30)
    wait_until(lambda: message_held(a, "I bring bread")["pending"] == 0, timeout=30)
    assert "Waiting for the group" not in ann.get(a.base + thread, timeout=10).text
    assert f"@ann@{a.host}:{a.port}" in bob.get(b.base + "/@club/c/picnic", timeout=10).text

    # She starts a discussion and adds a link from A: both reach B and C, then are confirmed on A.
    started = post_form(a, ann, f"{path}/discussions/new", {"title": "Autumn ride", "text": "Which Sunday?"},
                        page=f"{path}/discussions/new")
    assert started.status_code == 302, started.text[-2000:]
    added = post_form(a, ann, f"{path}/resources/new?kind=link", {"title": "Route map", "description": "",
                                                                  "url": "https://maps.example/route"},
                      page=f"{path}/resources/new?kind=link")
    assert added.status_code == 302, added.text[-2000:]
    for instance in (b, c):
        wait_until(lambda instance=instance: one(instance, "SELECT id FROM discussion WHERE title = 'Autumn ride'")
                   and one(instance, "SELECT id FROM resource WHERE title = 'Route map'"), timeout=30)
    assert "Autumn ride" in bob.get(b.base + "/@club/discussions", timeout=10).text
    wait_until(lambda: message_held(a, "Which Sunday?")["pending"] == 0
               and one(a, "SELECT pending FROM resource WHERE title = 'Route map'")["pending"] == 0, timeout=30)
    assert "Route map" in ann.get(f"{a.base}{path}/resources", timeout=10).text

    # ann's signed fetches of the group's collections, from A, hold what members see; amy's nothing.
    members = signed_fetch(a, "ann", f"{group}/members?page=1")["orderedItems"]
    assert {f"{instance.base}/@{name}" for instance, name in ((a, "ann"), (b, "bob"), (c, "cal"))} <= {
        item["actor"] for item in members}
    titles = {item["name"] for item in signed_fetch(a, "ann", f"{group}/discussions?page=1")["orderedItems"]}
    assert titles == {"Picnic", "Autumn ride"}
    assert signed_fetch(a, "amy", f"{group}/discussions?page=1")["orderedItems"] == []
    assert count(a, "SELECT id FROM discussion") == 2
