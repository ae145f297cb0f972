"""Domain blocks: /admin/instances, what suspending a server removes, what silencing one hides, and the
inbox and deliveries of a suspended one."""
import pytest

from mobilizon_lite.activitypub.convert.activities import change_to_ap
from mobilizon_lite.activitypub.keys import generate_key_pair
from mobilizon_lite.activitypub.publish import new_activity_id, publish
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import (
    Actor,
    Comment,
    Delivery,
    DomainBlock,
    DomainHealth,
    Event,
    Follow,
    InboxItem,
    ModerationLog,
    Participation,
)
from mobilizon_lite.services import actors, domain_blocks
from mobilizon_lite.services.remote_events import store

from ..federation.remote import ACTOR, EVENT_ID, follow, post, remote_event
from ..helpers import errors, make_event, staff_clients, submit

OTHER = "https://other.example/users/olga"


@pytest.fixture
def staff(app):
    """Clients logged in as a user (ann), a moderator and an administrator."""
    return staff_clients(app)


@pytest.fixture
def alice_key(app, staff):
    """alice of remote.example (known, with her key) and olga of other.example; alice's private key."""
    private, public = generate_key_pair()
    with app.app_context():
        Actor.create(preferred_username="alice", domain="remote.example", ap_id=ACTOR, public_key_pem=public,
                     inbox=f"{ACTOR}/inbox", shared_inbox="https://remote.example/inbox")
        Actor.create(preferred_username="olga", domain="other.example", ap_id=OTHER, inbox=f"{OTHER}/inbox")
    return private


def remote_content(app):
    """alice's event, her comment and participation on ann's event, her follow of ann (accepted)."""
    ann_event = make_event(app, title="Jardinage")
    with app.app_context():
        alice = Actor.get(Actor.ap_id == ACTOR)
        ann = Actor.get(Actor.preferred_username == "ann")
        store(remote_event(), alice)
        Comment.create(uuid="c1", ap_id="https://remote.example/c/1", event=ann_event.id, actor=alice,
                       text="<p>hi</p>", source="hi")
        Participation.create(event=ann_event.id, actor=alice, role="participant",
                             ap_id="https://remote.example/join/1")
        Follow.create(follower=alice, followed=ann, ap_id="https://remote.example/follow/1", accepted=True)
        DomainHealth.create(domain="remote.example", software="mobilizon", software_version="5.1.0")
    return ann_event


@pytest.mark.parametrize("path", ["/admin/instances/", "/admin/deliveries"])
def test_users_are_refused_the_instances_page_and_staff_reach_it(staff, path):
    assert staff["user"].get(path).status_code == 403
    for name in ("moderator", "admin"):
        response = staff[name].get(path, follow_redirects=True)
        assert response.status_code == 200 and "Block a server" in response.get_data(as_text=True)


def test_known_servers_are_listed_with_software_and_follows(app, staff, alice_key):
    remote_content(app)
    page = staff["moderator"].get("/admin/instances/").get_data(as_text=True)
    assert "remote.example" in page and "mobilizon 5.1.0" in page and "other.example" in page
    row = page[page.index("<td>remote.example"):]
    row = row[:row.index("</tr>")]
    assert "<td>1</td><td>1</td><td>0</td>" in row  # one actor known, following one of ours, none followed


def test_a_moderator_suspends_a_server_and_its_content_goes(app, staff, alice_key):
    ann_event = remote_content(app)
    response = submit(staff["moderator"], "/admin/instances/blocks",
                      {"domain": "Remote.Example:443", "severity": "suspend", "reason": "spam wave"},
                      page="/admin/instances/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "remote.example is blocked: 1 events, 1 comments, 1 participations, 0 memberships, 1 follows" in page
    with app.app_context():
        block = DomainBlock.get()
        assert (block.domain, block.severity, block.reason) == ("remote.example", "suspend", "spam wave")
        assert block.moderator.email == "mod@example.org"
        assert not Event.select().where(Event.ap_id == EVENT_ID).exists()
        assert Event.get_by_id(ann_event.id).title == "Jardinage"  # ours stays
        assert not Comment.select().exists() and not Participation.select().where(
            Participation.actor == Actor.get(Actor.ap_id == ACTOR)).exists()
        assert not Follow.select().exists()
        line = ModerationLog.get()
        assert (line.action, line.target_type, line.target_id, line.reason) == (
            "block_domain", "domain", "remote.example", "spam wave")
        assert line.moderator.email == "mod@example.org" and "1 events" in line.target_label
    log = staff["admin"].get("/admin/log").get_data(as_text=True)
    assert "Server blocked" in log and "mod@example.org" in log

    submit(staff["moderator"], "/admin/instances/blocks/remote.example/delete", {}, page="/admin/instances/")
    with app.app_context():
        assert not DomainBlock.select().exists()
        assert ModerationLog.select().order_by(ModerationLog.id.desc()).get().action == "unblock_domain"


@pytest.mark.parametrize("domain, message", [
    ("not a domain", "is not a domain name"),
    ("bad_name.example", "is not a domain name"),
    ("events.test", "This instance cannot block itself."),
    ("", "This field is required."),
])
def test_bad_domains_are_refused_on_the_form_and_nothing_is_written(app, staff, domain, message):
    response = submit(staff["admin"], "/admin/instances/blocks", {"domain": domain, "severity": "suspend"},
                      page="/admin/instances/")
    assert response.status_code == 400
    assert any(message in error for error in errors(response))
    with app.app_context():
        assert not DomainBlock.select().exists() and not ModerationLog.select().exists()


def test_an_unknown_severity_is_refused(app, staff):
    response = submit(staff["admin"], "/admin/instances/blocks", {"domain": "x.example", "severity": "nuke"},
                      page="/admin/instances/")
    assert response.status_code == 400
    with app.app_context():
        assert not DomainBlock.select().exists()


def test_only_administrators_reset_a_dead_server(app, staff):
    with app.app_context():
        DomainHealth.create(domain="dead.example", unavailable=True)
    assert submit(staff["moderator"], "/admin/instances/dead.example/available", {},
                  page="/admin/instances/").status_code == 403


def test_a_suspended_server_is_refused_at_the_inbox_and_nothing_is_stored(app, alice_key):
    with app.app_context():
        domain_blocks.block("remote.example", "suspend")
    response = post(app, follow(), key=alice_key)
    assert response.status_code == 403 and response.json["status"] == "this server is blocked here"
    # A subdomain's actor, and a key of the blocked server signing for an actor elsewhere, alike.
    sub = follow(actor="https://eu.remote.example/users/zed")
    sub["id"] = "https://eu.remote.example/activities/1"
    assert post(app, sub, key=alice_key, key_id="https://eu.remote.example/users/zed#key").status_code == 403
    assert post(app, follow(actor=OTHER), key=alice_key, key_id=f"{ACTOR}#main-key").status_code == 403
    with app.app_context():
        assert not InboxItem.select().exists()
        domain_blocks.unblock("remote.example")
    assert post(app, follow(), key=alice_key).status_code == 202


def test_nothing_is_queued_for_a_suspended_server_and_what_waited_is_dropped(app, alice_key):
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        recipients = [Actor.get(Actor.ap_id == ACTOR), Actor.get(Actor.ap_id == OTHER)]
        note = {"type": "Note", "content": "hello"}
        publish(ann, change_to_ap(new_activity_id(), "Create", ann, note, [], []), recipients)
        assert Delivery.select().count() == 2
        _block, removed = domain_blocks.block("remote.example", "suspend")
        assert removed.deliveries == 1
        publish(ann, change_to_ap(new_activity_id(), "Create", ann, note, [], []), recipients)
        assert [row.domain for row in Delivery.select()] == ["other.example", "other.example"]


def test_silenced_servers_stay_off_listings_but_keep_their_page(app, staff, alice_key):
    remote_content(app)
    with app.app_context():
        olga = Actor.get(Actor.ap_id == OTHER)
        store(remote_event(id="https://other.example/events/2", name="Fête de Olga", actor=OTHER,
                           attributedTo=OTHER), olga)
        uuid = Event.get(Event.ap_id == EVENT_ID).uuid
    visitor = app.test_client()
    assert "Fête de quartier" in visitor.get("/").get_data(as_text=True)
    submit(staff["admin"], "/admin/instances/blocks", {"domain": "remote.example", "severity": "silence",
                                                       "reject_media": "y"}, page="/admin/instances/")
    with app.app_context():
        assert domain_blocks.is_silenced("eu.remote.example:8443") and not domain_blocks.is_suspended(
            "remote.example")
        assert domain_blocks.rejects_media("remote.example")
        assert Event.select().where(Event.ap_id == EVENT_ID).exists()  # silencing removes nothing
    home = visitor.get("/").get_data(as_text=True)
    assert "Fête de quartier" not in home and "Fête de Olga" in home
    found = staff["user"].get("/search?q=F%C3%AAte").get_data(as_text=True)
    assert "Fête de quartier" not in found and "Fête de Olga" in found
    assert "Fête de quartier" in visitor.get(f"/events/{uuid}").get_data(as_text=True)
    submit(staff["admin"], "/admin/instances/blocks/remote.example/delete", {}, page="/admin/instances/")
    assert "Fête de quartier" in visitor.get("/").get_data(as_text=True)


def test_rejected_media_are_no_longer_shown_nor_taken_from_documents(app, alice_key):
    picture = {"type": "Image", "url": "https://remote.example/media/alice.png"}
    document = {"id": ACTOR, "type": "Person", "preferredUsername": "alice", "inbox": f"{ACTOR}/inbox",
                "icon": picture, "image": picture}
    with app.app_context():
        assert actors.actor_from_ap(document).avatar_url == picture["url"]
        domain_blocks.block("remote.example", "silence", reject_media=True)
        assert Actor.get(Actor.ap_id == ACTOR).avatar_url is None
        refreshed = actors.actor_from_ap(document)
    assert (refreshed.avatar_url, refreshed.banner_url) == (None, None)


@pytest.mark.parametrize("host", ["evil.example.", "EU.Evil.Example.:8443", "évil.example", "sub.évil.example"])
def test_a_blocked_server_is_recognised_however_its_name_is_spelt(app, host):
    with app.app_context():
        domain_blocks.block("evil.example", "suspend")
        domain_blocks.block("évil.example", "suspend")
        assert domain_blocks.is_suspended(host)
        assert not domain_blocks.is_suspended("notevil.example")


def test_blocking_again_changes_the_block(app, staff):
    with app.app_context():
        domain_blocks.block("x.example", "silence", reason="first")
        block, _removed = domain_blocks.block("X.example", "suspend", reject_media=True, reason="worse")
        assert (block.severity, block.reject_media, block.reason) == ("suspend", True, "worse")
        assert DomainBlock.select().count() == 1 and ModerationLog.select().count() == 2
        assert domain_blocks.is_suspended("a.b.x.example") and not domain_blocks.is_suspended("ax.example")
        assert domain_blocks.unblock("x.example") and not domain_blocks.unblock("x.example")
        assert utcnow() >= block.created_at
