"""The roles of a group's members: the first administrator, the table of what each role allows, and
which of an account's identities acts in a group."""
import pytest

from mobilizon_lite.models import Actor, Member
from mobilizon_lite.models.groups import Role
from mobilizon_lite.services import group_roles, identities
from mobilizon_lite.services.errors import Invalid, PermissionDenied

from ..helpers import make_account, make_group


def test_the_creator_is_the_first_administrator(app):
    make_account(app)
    group = make_group(app, name="Vélo club", openness="open")
    with app.app_context():
        ann = Actor.get(Actor.preferred_username == "ann")
        assert group.is_group and group.openness == "open" and group.account_id is None
        assert group_roles.role_of(group, ann) == Role.ADMINISTRATOR
        assert Member.get().ap_id.startswith("http://events.test/member/")


def test_a_group_takes_a_username_from_the_identities_space(app):
    make_account(app)
    with pytest.raises(Invalid):
        make_group(app, username="ann")
    with pytest.raises(Invalid):
        make_group(app, username="admin")
    with pytest.raises(Invalid):
        make_group(app, visibility="secret")


@pytest.mark.parametrize("role, action, allowed", [
    (None, "see_members_only", False), (Role.INVITED, "see_members_only", False),
    (Role.NOT_APPROVED, "discuss", False), (Role.REJECTED, "discuss", False),
    (Role.MEMBER, "discuss", True), (Role.MEMBER, "manage_events", False),
    (Role.MODERATOR, "manage_events", True), (Role.MODERATOR, "change_roles", False),
    (Role.ADMINISTRATOR, "delete_group", True),
])
def test_what_each_role_allows(role, action, allowed):
    assert group_roles.allows(role, action) is allowed


def test_the_acting_identity_is_the_one_in_the_group(app):
    account = make_account(app)
    group = make_group(app)
    with app.app_context():
        other = identities.create_identity(account, "ann_sport")
        ann = Actor.get(Actor.preferred_username == "ann")
        assert group_roles.acting_member(group, [other, ann], preferred=other)[0] == ann
        assert group_roles.acting_member(group, [other]) == (None, None)
        with pytest.raises(PermissionDenied):
            group_roles.require(group, other, "see_members_only")


def test_only_a_moderator_creates_an_event_as_the_group(app):
    from ..helpers import make_event

    account = make_account(app)
    group = make_group(app)
    with app.app_context():
        identities.create_identity(account, "ann_sport")
    assert make_event(app, group=group).attributed_to_id == group.id
    with pytest.raises(PermissionDenied):
        make_event(app, organizer_username="ann_sport", group=group)
