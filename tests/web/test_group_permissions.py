"""Every role in a group against every membership action, through the pages: allowed (2xx/3xx) or
refused (403, or 404 where even the membership must not be confirmed)."""
import pytest

from mobilizon_lite.models import Actor, Member
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services.groups import new_member_row

from ..helpers import log_in, make_account, make_group, submit

ROLES = ("none", "invited", "not_approved", "rejected", "member", "moderator", "administrator")
ACTIONS = ("see members page", "approve request", "invite", "remove member", "remove moderator",
           "change role", "leave", "withdraw request")
OK, NO = "allowed", "refused"
# Written out rather than read from group_roles.ACTIONS: this table is what the issue asks for.
EXPECTED = {
    "none": dict.fromkeys(ACTIONS, NO),
    "invited": dict.fromkeys(ACTIONS, NO),
    # Only a pending request can be withdrawn, by the person who sent it.
    "not_approved": {**dict.fromkeys(ACTIONS, NO), "withdraw request": OK},
    "rejected": dict.fromkeys(ACTIONS, NO),
    "member": {**dict.fromkeys(ACTIONS, NO), "see members page": OK, "leave": OK},
    "moderator": {**dict.fromkeys(ACTIONS, OK), "remove moderator": NO, "change role": NO, "withdraw request": NO},
    "administrator": {**dict.fromkeys(ACTIONS, OK), "withdraw request": NO},
}


@pytest.fixture
def club(app):
    """The group "club": ann founded it (administrator); tim is a member and tom a moderator for others
    to act on, rex waits for approval; "who" has the role under test."""
    for name in ("ann", "tim", "tom", "rex", "who", "newbie"):
        make_account(app, f"{name}@example.org", name)
    group = make_group(app, openness="moderated")
    rows = {}
    with app.app_context():
        actor = {name: Actor.get(Actor.preferred_username == name) for name in ("tim", "tom", "rex")}
        rows["tim"] = new_member_row(group, actor["tim"], Role.MEMBER).uuid
        rows["tom"] = new_member_row(group, actor["tom"], Role.MODERATOR).uuid
        rows["rex"] = new_member_row(group, actor["rex"], Role.NOT_APPROVED).uuid
    return group, rows


def give_role(app, group, role):
    with app.app_context():
        who = Actor.get(Actor.preferred_username == "who")
        if role != "none":
            new_member_row(group, who, role)
        return who.id


def attempt(client, action, rows, who_id):
    """The status of one action tried through the pages."""
    page, base = "/invitations", "/@club/members"
    if action == "see members page":
        return client.get(base).status_code
    posts = {
        "approve request": (f"{base}/{rows['rex']}/approve", {}),
        "invite": (f"{base}/invite", {"username": "newbie"}),
        "remove member": (f"{base}/{rows['tim']}/remove", {}),
        "remove moderator": (f"{base}/{rows['tom']}/remove", {}),
        "change role": (f"{base}/{rows['tim']}/role", {f"{rows['tim']}-role": "moderator"}),
        "leave": ("/@club/leave", {"identity": who_id}),
        "withdraw request": ("/@club/withdraw", {"identity": who_id}),
    }
    url, data = posts[action]
    return submit(client, url, data, page=page).status_code


def snapshot(app):
    with app.app_context():
        return {(row.actor_id, row.role) for row in Member.select()}


def effect(app, action, rows):
    """True when the database shows the action done (None for a page that changes nothing)."""
    with app.app_context():
        role = {row.uuid: row.role for row in Member.select()}
        names = {actor.preferred_username for actor in Actor.select().join(Member, on=(Member.actor == Actor.id))}
    return {
        "approve request": role[rows["rex"]] == Role.MEMBER,
        "invite": "newbie" in names,
        "remove member": role[rows["tim"]] == Role.REJECTED,
        "remove moderator": role[rows["tom"]] == Role.REJECTED,
        "change role": role[rows["tim"]] == Role.MODERATOR,
        "leave": "who" not in names,
        "withdraw request": "who" not in names,
    }.get(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_role_and_action(app, club, role, action):
    group, rows = club
    # ann stays administrator: an administrator under test is never the last one.
    who_id = give_role(app, group, role)
    client = app.test_client()
    log_in(client, "who@example.org")
    before = snapshot(app)
    status = attempt(client, action, rows, who_id)
    if EXPECTED[role][action] == OK:
        assert status in (200, 302), (role, action, status)
        assert effect(app, action, rows) in (True, None)
    else:
        # Non-members cannot tell a members page from no page at all.
        assert status == (404 if action == "see members page" else 403), (role, action, status)
        assert snapshot(app) == before


def test_an_empty_invitation_from_a_member_is_refused_not_corrected(app, club):
    group, _rows = club
    give_role(app, group, "member")
    client = app.test_client()
    log_in(client, "who@example.org")
    assert submit(client, "/@club/members/invite", {"username": ""}, page="/invitations").status_code == 403


def test_visitors_get_404_for_the_members_page_and_the_login_page_for_the_rest(app, club):
    client = app.test_client()
    assert client.get("/@club/members").status_code == 404
    for path in ("/@club/join", "/invitations"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
