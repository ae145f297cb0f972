"""run.py seed-demo: a living instance from one command, refused on an instance already in use."""
import re

import pytest

from mobilizon_lite.cli import demo, demo_groups
from mobilizon_lite.db import utcnow
from mobilizon_lite.models import (
    Account,
    Actor,
    Comment,
    Discussion,
    DiscussionComment,
    Event,
    Member,
    Participation,
    Post,
    Resource,
    Todo,
    TodoList,
)
from mobilizon_lite.models.groups import MEMBER_ROLES
from mobilizon_lite.models.participation import PARTICIPANT

from ..helpers import log_in, open_instance, run_cli

EVENT_LINK_RE = re.compile(r'href="/events/([0-9a-f-]{36})"')
SUMMARY_RE = re.compile(r"Created (\d+) accounts with (\d+) identities, (\d+) events, "
                        r"(\d+) participations and (\d+) comments")
GROUPS_RE = re.compile(r"Created (\d+) groups with (\d+) members, (\d+) group events, (\d+) posts, (\d+) "
                       r"discussions with (\d+) comments, (\d+) resources and (\d+) todos")


def snapshot(app):
    """Row counts and the events' content, to tell whether anything changed."""
    with app.app_context():
        return {
            "counts": [model.select().count() for model in (Account, Actor, Event, Participation, Comment, Post,
                                                            Discussion, DiscussionComment, Resource, Todo)],
            "members": sorted((m.group.preferred_username, m.actor.preferred_username, m.role)
                              for m in Member.select()),
            "events": [(e.title, e.timezone, e.begins_on, e.ends_on, e.status, e.visibility, e.join_mode,
                        e.capacity, e.place_name, e.online_url)
                       for e in Event.select().order_by(Event.id)],
        }


def listed_uuids(client, path):
    """Every event linked from a listing, following its pages."""
    found, page = set(), 1
    while page < 50:
        html = client.get(f"{path}?page={page}").get_data(as_text=True)
        found |= set(EVENT_LINK_RE.findall(html))
        if f"page={page + 1}" not in html:
            return found
        page += 1
    raise AssertionError("the listing does not end")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, instance_env):
    instance_path = tmp_path_factory.mktemp("demo") / "instance"
    result = run_cli(instance_path, "seed-demo", "--events", "30", env=instance_env)
    return instance_path, result


def test_seed_demo_fills_an_empty_instance(seeded):
    instance_path, result = seeded
    assert result.returncode == 0, result.stderr
    summary = SUMMARY_RE.search(result.stdout)
    assert summary, result.stdout
    accounts, identities, event_count, joined, commented = map(int, summary.groups())
    app = open_instance(instance_path)
    with app.app_context():
        assert (accounts, event_count) == (12, 30)
        assert Account.select().count() == accounts
        assert Actor.select().where(Actor.type == "Person").count() == identities > accounts  # some have two
        assert Participation.select().where(Participation.role == PARTICIPANT).count() == joined > 0
        assert Comment.select().count() == commented > 0
        events = list(Event.select().where(Event.attributed_to.is_null()))  # the groups' come on top
        assert len(events) == 30
        assert len({e.timezone for e in events}) >= 4
        assert any(e.is_cancelled for e in events)
        assert any(e.online_url and not e.has_address for e in events)
        assert any(e.has_coordinates and e.locality for e in events)
        assert {e.visibility for e in events} == {"public", "unlisted", "private"}
        assert any(e.begins_on < utcnow() for e in events) and any(e.begins_on > utcnow() for e in events)


def test_seeded_events_follow_the_visibility_rules(seeded):
    instance_path, _result = seeded
    app = open_instance(instance_path)
    with app.app_context():
        by_visibility = {}
        for event in Event.select():
            by_visibility.setdefault(event.visibility, set()).add(event.uuid)
    client = app.test_client()
    listed = listed_uuids(client, "/") | listed_uuids(client, "/past")
    assert listed == by_visibility["public"]
    assert client.get(f"/events/{min(by_visibility['unlisted'])}").status_code == 200
    assert client.get(f"/events/{min(by_visibility['private'])}").status_code == 404


def test_a_second_run_is_refused_and_changes_nothing(seeded):
    instance_path, _result = seeded
    app = open_instance(instance_path)
    before = snapshot(app)
    result = run_cli(instance_path, "seed-demo", "--events", "30")
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: This instance already has accounts") and "--force" in last_line
    assert "Traceback" not in result.stderr
    assert snapshot(app) == before


def test_the_same_seed_gives_the_same_content(seeded, tmp_path, test_settings):
    instance_path, _result = seeded
    again = open_instance(tmp_path / "again", test_settings)
    with again.app_context():
        made = demo.seed_demo(events=30, seed=demo.DEFAULT_SEED)
        demo_groups.seed_groups(made["people"], seed=demo.DEFAULT_SEED)
    assert snapshot(again) == snapshot(open_instance(instance_path))


@pytest.mark.parametrize("value, message", [("-1", "-1 is not between 0 and 100000"),
                                            ("many", "'many' is not a whole number")])
def test_a_bad_event_count_is_a_clear_usage_error(tmp_path, value, message):
    result = run_cli(tmp_path / "instance", "seed-demo", "--events", value)
    assert result.returncode == 2
    assert f"argument --events: {message}" in result.stderr


def test_larger_seeds_with_private_events_succeed(tmp_path, instance_env):
    result = run_cli(tmp_path / "instance", "seed-demo", "--events", "150", env=instance_env)
    assert result.returncode == 0, result.stderr[-2000:]
    app = open_instance(tmp_path / "instance")
    with app.app_context():
        assert Event.select().where(Event.visibility == "private").count() >= 3


def test_seed_demo_prints_the_accounts_it_made(seeded):
    instance_path, result = seeded
    listed = dict(re.findall(r"^  (\S+@\S+) +(@.*)$", result.stdout, re.MULTILINE))
    app = open_instance(instance_path)
    with app.app_context():
        made = {account.email: " ".join(f"@{actor.preferred_username}" for actor in
                                        Actor.select().where(Actor.account == account).order_by(Actor.id))
                for account in Account.select()}
    assert listed == made and len(listed) == 12
    assert "every demo password is 'demo password'" in result.stdout
    email = next(iter(listed))
    client = app.test_client()
    log_in(client, email, demo.DEMO_PASSWORD)


def test_the_benchmark_event_has_the_participants_asked_for_and_a_known_organiser(tmp_path, instance_env):
    instance_path = tmp_path / "instance"
    result = run_cli(instance_path, "seed-demo", "--events", "0", "--benchmark-participants", "40", env=instance_env)
    assert result.returncode == 0, result.stderr[-2000:]
    uuid = re.search(r"^Benchmark event: /events/([0-9a-f-]{36})$", result.stdout, re.MULTILINE).group(1)
    email, username = re.search(r"^Benchmark organiser: (\S+@\S+) @(\S+)$", result.stdout, re.MULTILINE).groups()
    app = open_instance(instance_path)
    with app.app_context():
        event = Event.get(Event.uuid == uuid)
        assert (event.organizer.preferred_username, event.organizer.account.email) == (username, email)
        joined = Participation.select().where((Participation.event == event) & (Participation.role == PARTICIPANT))
        assert joined.count() == 40
        # More than the demo people: a crowd account's identities make up the rest.
        assert Actor.select().where(Actor.preferred_username.startswith("crowd")).exists()
    client = app.test_client()
    log_in(client, email, demo.DEMO_PASSWORD)
    assert client.get(f"/events/{uuid}/participants").status_code == 200


def test_seed_demo_makes_groups_with_every_openness_role_and_kind_of_content(seeded):
    instance_path, result = seeded
    counts = list(map(int, GROUPS_RE.search(result.stdout).groups()))
    listed = re.findall(r"^  @(\S+)  (\w+), (\w+), @(\S+)$", result.stdout, re.MULTILINE)
    app = open_instance(instance_path)
    with app.app_context():
        groups = list(Actor.select().where(Actor.type == "Group"))
        assert {(g.preferred_username, g.openness, g.visibility) for g in groups} == {
            (name, openness, visibility) for name, openness, visibility, _admin in listed}
        assert {g.openness for g in groups} == {"open", "moderated", "invite_only"}
        assert {g.visibility for g in groups} == {"public", "unlisted"}
        for group in groups:
            roles = [m.role for m in Member.select().where(Member.group == group)]
            for role in MEMBER_ROLES:
                assert roles.count(role) >= 2, (group.preferred_username, role)
            # One identity per account in each group: nobody's two identities meet there.
            accounts = [m.actor.account_id for m in Member.select().where(Member.group == group)]
            assert len(accounts) == len(set(accounts))
            events = list(Event.select().where(Event.attributed_to == group))
            assert {e.visibility for e in events} == {"public", "private"}
            assert all(group_roles_allow(group, e.organizer) for e in events)
            assert {p.visibility for p in Post.select().where(Post.group == group)} == {"public", "members"}
            [discussion] = Discussion.select().where(Discussion.group == group)
            assert discussion.comments.count() >= 2
            [folder] = Resource.select().where((Resource.group == group) & Resource.parent.is_null())
            assert folder.type == "folder" and folder.children.count() >= 2
            assert all(link.url.startswith("https://") for link in folder.children)
            [todo_list] = TodoList.select().where(TodoList.group == group)
            assert todo_list.todos.count() >= 2
        assert {m.role for m in Member.select()} >= {"not_approved", "invited"}
        assert counts == [3, Member.select().where(Member.role.in_(MEMBER_ROLES)).count(),
                          Event.select().where(Event.attributed_to.is_null(False)).count(), Post.select().count(),
                          3, DiscussionComment.select().count(), Resource.select().count(), Todo.select().count()]
    # What a group shows outside: its public posts and events only.
    client = app.test_client()
    atom = client.get(f"/@{listed[0][0]}/feed/atom").get_data(as_text=True)
    with app.app_context():
        for post in Post.select().join(Actor, on=(Post.group == Actor.id)).where(
                Actor.preferred_username == listed[0][0]):
            assert (post.title in atom) == (post.visibility == "public")


def group_roles_allow(group, identity):
    from mobilizon_lite.services.group_roles import may

    return may(group, identity, "manage_events")


def test_the_benchmark_group_has_its_members_and_events(tmp_path, test_settings):
    app = open_instance(tmp_path / "bench", test_settings)
    with app.app_context():
        demo.seed_demo(events=0)
        group, member = demo_groups.seed_benchmark_group(members=40, events=12)
        assert Member.select().where(Member.group == group).count() == 40
        assert Event.select().where(Event.attributed_to == group).count() == 12
        admin = Member.get((Member.group == group) & (Member.role == "administrator")).actor
        assert Member.get((Member.group == group) & (Member.actor == member)).role == "member"
        assert member.account_id != admin.account_id and member.account.email.endswith("@example.org")
    log_in(app.test_client(), member.account.email, demo.DEMO_PASSWORD)
