"""Demo groups: members in every role, group events, posts, a discussion, resources and a todo list.

Everything goes through the services the pages use, so the demo holds what people would have made.
"""
import random
from datetime import timedelta

from ..db import database, utcnow
from ..models import Post, Resource
from ..models.events import CommentMode, JoinMode, Status, Visibility
from ..models.groups import Openness, PostVisibility, Role
from ..services import discussions, posts, resources, todos
from ..services.groups import create_group, new_member_row
from .demo import DEFAULT_SEED, _benchmark_crowd, _create_event, _event_data, _free_username, log
from .demo_data import ACTIVITIES, GROUPS

# Besides its creator: (role, how many) of each demo group's members; requests and invitations
# only where the group's openness has them.
ROLES = ((Role.ADMINISTRATOR, 1), (Role.MODERATOR, 2), (Role.MEMBER, 3))
WAITING = {Openness.MODERATED: Role.NOT_APPROVED, Openness.INVITE_ONLY: Role.INVITED}
WAITING_COUNT = 2
BENCHMARK_MEMBERS, BENCHMARK_GROUP_EVENTS = 1000, 200
BENCHMARK_MODERATORS, BENCHMARK_POSTS, BENCHMARK_PRIVATE_SHARE = 10, 10, 0.1


def _group_event(rng, creator, group, spec_city, title, visibility, today):
    activity = next(a for a in ACTIVITIES if title in (a.title_fr, a.title_en))
    data = _event_data(rng, activity, spec_city, False, today)
    data.update(status=Status.CONFIRMED, visibility=visibility, join_mode=JoinMode.FREE,
                comment_mode=CommentMode.ALLOW_ALL, anonymous_participation=False)
    return _create_event(creator, data, group)


def _add_post(group, author, title, source, visibility, published_at):
    post = posts.create_post(group, author, {"title": title, "body": source, "visibility": visibility})
    # Demo posts look written over the past weeks rather than all at once.
    Post.update(published_at=published_at, created_at=published_at, updated_at=published_at) \
        .where(Post.id == post.id).execute()
    return post


def _add_discussion(group, members, title, messages):
    discussion = discussions.start_discussion(group, members[0], title, messages[0])
    for number, text in enumerate(messages[1:], start=1):
        discussions.reply(discussion, members[number % len(members)], text)
    return len(messages)


def _add_resources(group, creator, folder_title, links):
    folder = resources.add_resource(group, creator, Resource.FOLDER, None, folder_title)
    for title, url, description in links:
        resources.add_resource(group, creator, Resource.LINK, folder, title, url, description)
    return 1 + len(links)


def _add_todos(group, members, title, tasks, today):
    todo_list = todos.create_list(group, members[0], title)
    for position, task in enumerate(tasks):
        todo = todos.add_todo(group, todo_list, members[0], task, assignee_id=members[position % len(members)].id,
                              due_on=today + timedelta(days=7 * (position + 1)))
        if position == 0:
            todos.set_done(group, todo, members[0], True)
    return len(tasks)


def _members(rng, spec, people):
    """(creator, {role: [identities]}) of a demo group: one person's identity per account, its creator
    from the group's city when someone lives there."""
    persons = [p for p in people if not p.group]
    rng.shuffle(persons)
    persons.sort(key=lambda p: p.city != spec.city)  # stable: the shuffle orders the rest
    creator, *others = [p.identity for p in persons]
    roles, start = {}, 0
    for role, count in (*ROLES, (WAITING.get(spec.openness), WAITING_COUNT)):
        if role is not None:
            roles[role], start = others[start:start + count], start + count
    return creator, roles


def seed_groups(people, seed=DEFAULT_SEED):
    """Create the demo groups (one per openness) among people (demo.Person); returns counts of what was
    made, and its "list" of (group, openness, visibility, first administrator) usernames."""
    rng = random.Random(seed)
    now = utcnow()
    made = dict.fromkeys(("groups", "members", "events", "posts", "discussions", "comments", "resources",
                          "todos"), 0)
    made["list"] = []
    for spec in GROUPS:
        creator, roles = _members(rng, spec, people)
        with database.atomic():
            group = create_group(creator, _free_username(spec.username), spec.name, spec.summary,
                                 visibility=spec.visibility, openness=spec.openness)
            for role, identities in roles.items():
                for identity in identities:
                    new_member_row(group, identity, role, invited_by=creator if role == Role.INVITED else None,
                                   message="Bonjour, je voudrais rejoindre le groupe !"
                                   if role == Role.NOT_APPROVED else "")
            members = [creator, *roles[Role.ADMINISTRATOR], *roles[Role.MODERATOR], *roles[Role.MEMBER]]
            runners = members[:1 + len(roles[Role.ADMINISTRATOR]) + len(roles[Role.MODERATOR])]
            for number, title in enumerate(spec.activities * 2):
                # The last one is for members only.
                visibility = Visibility.PRIVATE if number == len(spec.activities) * 2 - 1 else Visibility.PUBLIC
                _group_event(rng, runners[number % len(runners)], group, spec.city, title, visibility, now.date())
            for days, (title, body, visibility) in enumerate(spec.posts):
                _add_post(group, rng.choice(runners), title, body, PostVisibility(visibility),
                          now - timedelta(days=3 * days + 1))
            made["comments"] += _add_discussion(group, members, *spec.discussion)
            made["resources"] += _add_resources(group, rng.choice(members), *spec.resources)
            made["todos"] += _add_todos(group, members, *spec.todos, now.date())
        made["groups"] += 1
        made["list"].append((group.preferred_username, spec.openness, spec.visibility, creator.preferred_username))
        made["members"] += len(members)
        made["events"] += len(spec.activities) * 2
        made["posts"] += len(spec.posts)
        made["discussions"] += 1
        log.info("demo data: group @%s (%s, %s) with %d members", group.preferred_username, spec.openness,
                 spec.visibility, len(members))
    return made


def seed_benchmark_group(members=BENCHMARK_MEMBERS, events=BENCHMARK_GROUP_EVENTS):
    """A public open group with that many members (its administrator included) and events; returns
    (group, a member of another account than the administrator's, to log in as)."""
    rng = random.Random(members * 1_000 + events)
    creator, *crowd = _benchmark_crowd(members)
    group = create_group(creator, _free_username("benchmark_group"), "Benchmark group",
                         "A group with many members and events, for measuring its pages.",
                         visibility="public", openness=Openness.OPEN)
    with database.atomic():
        for number, identity in enumerate(crowd):
            new_member_row(group, identity, Role.MODERATOR if number < BENCHMARK_MODERATORS else Role.MEMBER)
    today = utcnow().date()
    for start in range(0, events, 50):
        with database.atomic():
            for _number in range(start, min(start + 50, events)):
                visibility = Visibility.PRIVATE if rng.random() < BENCHMARK_PRIVATE_SHARE else Visibility.PUBLIC
                _group_event(rng, creator, group, "paris", rng.choice(ACTIVITIES).title_fr, visibility, today)
        log.info("benchmark group: %d of %d events created", min(start + 50, events), events)
    with database.atomic():
        for number in range(BENCHMARK_POSTS):
            _add_post(group, creator, f"News #{number + 1}", "Our **monthly** news.", PostVisibility.PUBLIC,
                      utcnow() - timedelta(days=number))
    member = next(identity for identity in crowd[BENCHMARK_MODERATORS:] if identity.account_id != creator.account_id)
    log.info("benchmark group: %d members and %d events", members, events)
    return group, member
