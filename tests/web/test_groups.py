"""Groups through their pages: creating one, its settings and deletion by administrators only, its page
for visitors and for members, following it, the list of groups, and how other servers find it."""
import io
import uuid
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from mobilizon_lite.models import Account, Actor, Event, Follow, Member, Post
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import groups, identities

from ..federation.nodeinfo_schema import schema
from ..helpers import errors, log_in, make_account, make_event, make_group, page_statements, submit

AS_JSON = {"Accept": "application/activity+json"}


def png():
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(data, "PNG")
    data.seek(0)
    return data


def group_fields(**overrides):
    fields = {"identity": "1", "username": "club", "name": "Vélo club", "summary": "On roule **ensemble**.",
              "place_name": "Maison du vélo", "street": "3 rue Vaubecour", "postal_code": "69002",
              "locality": "Lyon", "region": "", "country": "France", "visibility": "public",
              "openness": "moderated"}
    fields.update(overrides)
    return fields


def uploads(app):
    folder = Path(app.instance_path) / "uploads"
    return list(folder.glob("*")) if folder.exists() else []


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def add_member(app, group, username, role, email=None):
    """A second account whose identity username holds role in group (as the members' pages will make them)."""
    make_account(app, email=email or f"{username}@example.org", username=username)
    with app.app_context():
        groups.new_member_row(group, Actor.get(Actor.preferred_username == username), role)


@pytest.fixture
def ann(app, client):
    make_account(app)
    log_in(client)
    return client


@pytest.mark.parametrize("visibility, openness, manual", [
    ("public", "open", False), ("unlisted", "moderated", True), ("public", "invite_only", False),
])
def test_create_a_group_with_each_setting(app, ann, visibility, openness, manual):
    fields = group_fields(visibility=visibility, openness=openness, avatar=(png(), "a.png"),
                          banner=(png(), "b.png"))
    if manual:
        fields["manually_approves_followers"] = "y"
    response = submit(ann, "/groups/new", fields)
    assert response.status_code == 302 and response.headers["Location"] == "/@club", errors(response)
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
        assert (group.type, group.visibility, group.openness, group.manually_approves_followers) == (
            "Group", visibility, openness, manual)
        assert group.address == {"place_name": "Maison du vélo", "street": "3 rue Vaubecour",
                                 "postal_code": "69002", "locality": "Lyon", "country": "France"}
        assert group.avatar.endswith(".png") and group.banner.endswith(".png")
        assert "<strong>ensemble</strong>" in group.summary
        [admin] = Member.select().where(Member.group == group)
        assert admin.role == Role.ADMINISTRATOR and admin.actor.preferred_username == "ann"
    page = ann.get("/@club").get_data(as_text=True)
    assert "Vélo club" in page and "@club@events.test" in page and "Maison du vélo" in page
    assert "You are an administrator as @ann." in page
    with ann.get(f"/uploads/{group.avatar}") as served:  # closed, so is the file it streams
        assert served.status_code == 200 and served.mimetype == "image/png"


def test_the_creator_chooses_which_identity_becomes_administrator(app, ann):
    with app.app_context():
        second = identities.create_identity(Account.get(), "velo_ann")
    response = submit(ann, "/groups/new", group_fields(identity=str(second.id)))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        assert Member.get().actor_id == second.id
    page = ann.get("/@club").get_data(as_text=True)
    # The members' menu names the identity in the group, never the account's others.
    assert "You are an administrator as @velo_ann." in page and "as @ann." not in page


@pytest.mark.parametrize("overrides, field_error", [
    ({"username": "Vélo Club"}, "Use 1 to 30 lowercase letters"),
    ({"username": "ann"}, "This username is already taken."),
    ({"username": "admin"}, "This username is reserved."),
    ({"username": ""}, "Choose a username."),
    ({"avatar": (io.BytesIO(b"not a picture"), "a.png")}, "This file is not a picture we can read."),
    ({"banner": (io.BytesIO(b"GIF89a broken"), "b.gif")}, "This file is not a picture we can read."),
    ({"visibility": "secret"}, "Not a valid choice"),
    ({"openness": "anyone"}, "Not a valid choice"),
    ({"postal_code": "1" * 21}, "At most 20 characters."),
    ({"identity": "999"}, "Not a valid choice"),
])
def test_refused_settings_are_shown_on_the_form(app, ann, overrides, field_error):
    response = submit(ann, "/groups/new", group_fields(**overrides))
    assert response.status_code == 400
    assert any(message.startswith(field_error) for message in errors(response)), errors(response)
    with app.app_context():
        assert not Actor.select().where(Actor.type == "Group").exists()
    assert uploads(app) == []


def test_creating_a_group_needs_an_account(client):
    assert client.get("/groups/new").status_code == 302


def test_administrators_edit_the_settings(app, ann):
    group = make_group(app, name="Vélo club")
    page = ann.get("/@club/settings")
    assert page.status_code == 200 and "Vélo club" in page.get_data(as_text=True)
    response = submit(ann, "/@club/settings", group_fields(
        name="Club vélo", openness="open", visibility="unlisted", locality="Villeurbanne", street="",
        banner=(png(), "b.png")))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        group = Actor.get_by_id(group.id)
        assert (group.name, group.openness, group.visibility) == ("Club vélo", "open", "unlisted")
        assert group.address["locality"] == "Villeurbanne" and "street" not in group.address
        banner = group.banner
    assert banner
    refused = submit(ann, "/@club/settings", group_fields(avatar=(io.BytesIO(b"nope"), "a.png")))
    assert refused.status_code == 400 and "This file is not a picture we can read." in " ".join(errors(refused))
    response = submit(ann, "/@club/settings", group_fields(remove_banner="y"))
    assert response.status_code == 302
    assert actor(app, "club").banner is None
    assert ann.get(f"/uploads/{banner}").status_code == 404


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.MEMBER, Role.NOT_APPROVED, None])
def test_only_administrators_open_the_settings_and_delete(app, client, role):
    make_account(app)
    group = make_group(app)
    if role is None:
        make_account(app, email="bob@example.org", username="bob")
    else:
        add_member(app, group, "bob", role)
    log_in(client, email="bob@example.org")
    assert client.get("/@club/settings").status_code == 403
    assert submit(client, "/@club/settings", group_fields(name="Pris"), page="/@club").status_code == 403
    assert client.get("/@club/delete").status_code == 403
    assert submit(client, "/@club/delete", {}, page="/@club").status_code == 403
    assert actor(app, "club").name == "" and actor(app, "club").deleted_at is None


def test_a_group_with_events_to_come_is_not_deleted_then_answers_410(app, ann):
    group = make_group(app)
    event = make_event(app, group=group)
    response = submit(ann, "/@club/delete", {})
    assert response.status_code == 400 and "events to come" in response.get_data(as_text=True)
    with app.app_context():
        Event.delete().where(Event.id == event.id).execute()
        Post.create(uuid=str(uuid.uuid4()), ap_id="http://events.test/p/x", slug="x", group=group, title="X")
    response = submit(ann, "/@club/delete", {})
    assert response.status_code == 302
    assert ann.get("/@club").status_code == 410
    document = ann.get("/@club", headers=AS_JSON)
    assert document.status_code == 410 and document.json["type"] == "Tombstone"
    assert document.json["formerType"] == "Group"
    with app.app_context():
        assert not Member.select().exists() and not Post.select().exists()
    # The username stays taken.
    response = submit(ann, "/groups/new", group_fields())
    assert "This username is already taken." in errors(response)


def test_the_page_shows_members_only_things_to_members_only(app, client):
    make_account(app)
    group = make_group(app, name="Vélo club")
    make_event(app, group=group, title="Sortie publique")
    make_event(app, group=group, title="Réunion du bureau", visibility="private")
    add_member(app, group, "bob", Role.MEMBER)
    with app.app_context():
        identities.create_identity(Account.get(Account.email == "bob@example.org"), "bob_other")
    anonymous = client.get("/@club").get_data(as_text=True)
    assert "Sortie publique" in anonymous and "1 member" not in anonymous and "2 members" in anonymous
    assert "Réunion du bureau" not in anonymous and "You are a member" not in anonymous
    assert "/@club/feed/ics" in anonymous and "/@club/feed/atom" in anonymous
    assert "csrf_token" not in anonymous and "Log in to join or follow" in anonymous
    member = app.test_client()
    log_in(member, email="bob@example.org")
    page = member.get("/@club").get_data(as_text=True)
    assert "Réunion du bureau" in page and "You are a member as @bob." in page and "as @bob_other" not in page
    # A member's page is made for them: the visitors' copy stays without members' things.
    again = client.get("/@club").get_data(as_text=True)
    assert "Réunion du bureau" not in again and "You are a member" not in again


def test_a_members_page_is_never_kept_for_visitors(app, client):
    make_account(app)
    group = make_group(app)
    make_event(app, group=group, title="Réunion du bureau", visibility="private")
    member = app.test_client()
    log_in(member)
    assert "Réunion du bureau" in member.get("/@club").get_data(as_text=True)
    visitor = client.get("/@club")
    assert "Réunion du bureau" not in visitor.get_data(as_text=True)
    assert client.get("/@club", headers={"If-None-Match": visitor.headers["ETag"]}).status_code == 304


def test_the_page_lists_public_published_posts_only(app, client):
    make_account(app)
    group = make_group(app)
    with app.app_context():
        from mobilizon_lite.db import utcnow

        for slug, extra in (("public", {}), ("members", {"visibility": "members"}), ("draft", {"draft": True})):
            Post.create(uuid=str(uuid.uuid4()), ap_id=f"http://events.test/p/{slug}", slug=slug, group=group,
                        title=f"Billet {slug}", published_at=None if extra.get("draft") else utcnow(), **extra)
    page = client.get("/@club").get_data(as_text=True)
    assert 'href="/p/public"' in page and "Billet public" in page
    assert "Billet members" not in page and "Billet draft" not in page


def test_follow_a_group_and_stop(app, ann):
    make_group(app)
    make_group(app, username="atelier", manually_approves_followers=True)
    response = submit(ann, "/@club/follow", {"identity": "1"}, page="/@club")
    assert response.status_code == 302
    assert "You follow this group as @ann." in ann.get("/@club").get_data(as_text=True)
    submit(ann, "/@atelier/follow", {"identity": "1"}, page="/@atelier")
    with app.app_context():
        accepted = {row.followed.preferred_username: row.accepted for row in Follow.select()}
    assert accepted == {"club": True, "atelier": False}
    assert submit(ann, "/@club/follow", {"identity": "1"}, page="/@club").status_code == 400
    assert submit(ann, "/@club/follow", {"identity": "77"}, page="/@club").status_code == 400
    assert submit(ann, "/@club/unfollow", {"identity": "1"}, page="/@club").status_code == 302
    with app.app_context():
        assert [row.followed.preferred_username for row in Follow.select()] == ["atelier"]
    followers = ann.get("/@atelier/followers", headers=AS_JSON)
    assert followers.status_code == 200 and followers.json["totalItems"] == 0


def test_groups_lists_public_groups_with_their_next_public_event(app, client):
    make_account(app)
    club = make_group(app, name="Vélo club", summary_source="Un club **vélo** " + "très " * 80)
    make_group(app, username="secret", name="Club discret", visibility="unlisted")
    gone = make_group(app, username="ancien", name="Ancien club")
    make_event(app, group=club, title="Réunion privée", visibility="private", start_date=date(2027, 6, 1))
    make_event(app, group=club, title="Sortie du dimanche")
    with app.app_context():
        groups.delete_group(gone, Actor.get(Actor.preferred_username == "ann"))
    page = client.get("/groups").get_data(as_text=True)
    assert "Vélo club" in page and "Un club vélo très" in page and "…" in page
    assert "Sortie du dimanche" in page and "Réunion privée" not in page
    assert "Club discret" not in page and "Ancien club" not in page and "1 member" in page
    # An unlisted group is reached by its link.
    assert "Club discret" in client.get("/@secret").get_data(as_text=True)
    assert client.get("/@secret", headers=AS_JSON).json["discoverable"] is False


def test_groups_are_paged(app, client):
    make_account(app)
    app.config["EVENTS_PER_PAGE"] = 2
    for name in ("c", "a", "b"):
        make_group(app, username=f"club_{name}", name=f"Club {name.upper()}")
    first = client.get("/groups").get_data(as_text=True)
    assert "Club A" in first and "Club B" in first and "Club C" not in first and "?page=2" in first
    second = client.get("/groups?page=2").get_data(as_text=True)
    assert "Club C" in second and "Club A" not in second


def test_webfinger_finds_a_group_with_its_page(app, client):
    make_account(app)
    make_group(app)
    response = client.get("/.well-known/webfinger?resource=acct:club@events.test")
    assert response.status_code == 200 and response.json["subject"] == "acct:club@events.test"
    assert {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
            "href": "http://events.test/@club"} in response.json["links"]
    assert {"rel": "self", "type": "application/activity+json",
            "href": "http://events.test/@club"} in response.json["links"]


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_counts_public_groups_only(app, client, version):
    make_account(app)
    make_group(app)
    make_group(app, username="discret", visibility="unlisted")
    info = client.get(f"/nodeinfo/{version}").json
    validator = jsonschema.Draft4Validator(schema(version), format_checker=jsonschema.FormatChecker())
    assert [error.message for error in validator.iter_errors(info)] == []
    assert info["metadata"]["localGroups"] == 1


def test_the_group_actor_and_its_collections(app, client):
    make_account(app)
    make_group(app, name="Vélo club", address={"locality": "Lyon"})
    document = client.get("/@club", headers=AS_JSON)
    assert document.status_code == 200 and document.mimetype == "application/activity+json"
    assert document.json["type"] == "Group" and document.json["memberCount"] == 1
    assert document.json["location"]["address"]["addressLocality"] == "Lyon"
    for path in ("/@club/outbox", "/@club/followers", "/@club/following"):
        assert client.get(path).status_code == 200, path
    assert client.get("/@nobody").status_code == 404


def test_moderators_decide_who_follows_a_group_that_approves_its_followers(app, client):
    make_account(app)
    group = make_group(app, manually_approves_followers=True)
    add_member(app, group, "bob", Role.MODERATOR)
    add_member(app, group, "carl", Role.MEMBER)
    make_account(app, email="dan@example.org", username="dan")
    dan = app.test_client()
    log_in(dan, email="dan@example.org")
    submit(dan, "/@club/follow", {"identity": str(actor(app, "dan").id)}, page="/@club")
    assert "Your request to follow this group as @dan is waiting." in dan.get("/@club").get_data(as_text=True)
    with app.app_context():
        follow_id = Follow.get().id
    carl = app.test_client()
    log_in(carl, email="carl@example.org")
    assert "Waiting to follow the group" not in carl.get("/@club").get_data(as_text=True)
    url = f"/@club/followers/{follow_id}/accept"
    assert submit(carl, url, {}, page="/@club").status_code == 403
    log_in(client, email="bob@example.org")
    page = client.get("/@club").get_data(as_text=True)
    assert "Waiting to follow the group" in page and "@dan" in page
    assert submit(client, url, {}, page="/@club").status_code == 302
    with app.app_context():
        assert Follow.get().accepted is True
    assert "You follow this group as @dan." in dan.get("/@club").get_data(as_text=True)


def test_the_list_of_groups_costs_the_same_for_more_groups(app, ann):
    def statements(count):
        for number in range(count):
            group = make_group(app, username=f"club_{count}_{number}")
            make_event(app, group=group, title=f"Sortie {count} {number}")
        return page_statements(ann, "/groups")

    few, _page = statements(1)
    more, page = statements(4)
    assert "Sortie 4 3" in page and more == few


def test_the_group_page_costs_the_same_for_more_events(app, ann):
    group = make_group(app)
    make_event(app, group=group, title="Sortie 0")
    few, _page = page_statements(ann, "/@club")
    for number in range(1, 5):
        make_event(app, group=group, title=f"Sortie {number}")
    more, page = page_statements(ann, "/@club")
    assert "Sortie 4" in page and more == few
