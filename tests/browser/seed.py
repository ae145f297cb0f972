"""Content with long unbroken words and addresses everywhere a person may write, made through the
services the pages use, in the database of a running instance: pages are then visited, not filled in."""
from datetime import date, time, timedelta

from mobilizon_lite.models import Actor, Resource
from mobilizon_lite.models.groups import Openness, PostVisibility
from mobilizon_lite.services import (
    accounts,
    comments,
    discussions,
    events,
    groups,
    participation,
    posts,
    reportables,
    reports,
    resources,
    subscriptions,
    todos,
)

from ..harness import PASSWORD
from ..helpers import open_instance

WORD = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
URL = "https://example.org/" + "a-very-long-address-without-any-place-to-break-it-on-a-phone-" * 2
TEXT = f"{WORD} {URL} {WORD}"
USERNAME = "ann_" + "x" * 26  # the longest a username may be


def long_event(organizer, title, day, group=None, **fields):
    """An event whose every text is long and unbroken, on day from 14:00 to 18:00 in Paris."""
    data = {
        "title": title, "description": TEXT, "timezone": "Europe/Paris", "start_date": day,
        "start_time": time(14, 0), "end_date": None, "end_time": time(18, 0), "status": "confirmed",
        "visibility": "public", "join_mode": "free", "capacity": 30, "show_remaining_seats": True,
        "comment_mode": "allow_all", "place_name": WORD, "street": WORD, "locality": "Lyon",
        "country": "France", "online_url": URL, "tags": f"{WORD[:40]}, long", "category": "CRAFTS",
        "language": "fr", "links": [{"type": "visio", "url": URL, "label": WORD}],
    }
    data.update(fields)
    return events.create_event(organizer, data, group=group)


def app_of(instance_path, settings):
    """An app on the instance at instance_path (settings: the test settings its server runs with)."""
    return open_instance(instance_path, settings)


def reported_event(instance_path, settings, name):
    """Accounts seller_<name>, reporter_<name> and the administrator moderator_<name> (@example.org),
    and the seller's event: its path and title."""
    with app_of(instance_path, settings).app_context():
        for role in ("seller", "reporter", "moderator"):
            accounts.register(f"{role}_{name}@example.org", PASSWORD, f"{role}_{name}", admin=role == "moderator",
                              by_admin=True)
        title = f"Cheap watches, today only ({name})"
        event = long_event(Actor.get(Actor.preferred_username == f"seller_{name}"), title,
                           date.today() + timedelta(days=3))
        return f"/events/{event.uuid}", title


def seed(instance_path, settings):
    """Fill the instance at instance_path (settings: the test settings its server runs with): an
    administrator boss@example.org and a person ann@example.org, each with an identity; a group with a
    post, a discussion, a link and a task; ann's events, joined and commented by boss; a report on one.
    Returns the addresses (paths) of the pages made."""
    with app_of(instance_path, settings).app_context():
        boss = accounts.register("boss@example.org", PASSWORD, "boss", name=WORD, admin=True, by_admin=True)
        ann_account = accounts.register("ann@example.org", PASSWORD, USERNAME, name=WORD, by_admin=True)
        ann = Actor.get(Actor.preferred_username == USERNAME)
        boss_identity = Actor.get((Actor.preferred_username == "boss") & (Actor.account == boss.id))
        subscriptions.issue_token(ann_account, None)
        group = groups.create_group(ann, "longwords", name=WORD, summary_source=TEXT, openness=Openness.OPEN)
        day = date.today() + timedelta(days=10)
        event = long_event(ann, f"{WORD} {WORD}", day, group=group)
        for number in range(3):
            long_event(ann, f"{WORD}{number} {URL[:100]}", day + timedelta(days=number + 1))
        participation.join(event, boss_identity, TEXT)
        comment = comments.comment_on(event, boss_identity, TEXT)
        comments.comment_on(event, ann, TEXT, in_reply_to=comment)
        post = posts.create_post(group, ann, {"title": f"{WORD} {WORD}", "body": TEXT,
                                              "visibility": PostVisibility.PUBLIC})
        discussion = discussions.start_discussion(group, ann, f"{WORD} {WORD}", TEXT)
        discussions.reply(discussion, ann, TEXT)
        folder = resources.add_resource(group, ann, Resource.FOLDER, None, WORD)
        resources.add_resource(group, ann, Resource.LINK, folder, WORD, URL, TEXT)
        todo_list = todos.create_list(group, ann, WORD)
        todos.add_todo(group, todo_list, ann, f"{WORD} {URL[:100]}", assignee_id=ann.id, due_on=day)
        report = reports.report_as(boss_identity, reportables.reportable(event.ap_id, [boss_identity.id]),
                                   "spam", TEXT)
        return {
            "event": f"/events/{event.uuid}", "group": f"/@{group.preferred_username}",
            "identity": f"/@{USERNAME}", "identity_edit": f"/identities/{USERNAME}/edit", "post": f"/p/{post.slug}",
            "discussion": f"/@{group.preferred_username}/c/{discussion.slug}",
            "folder": f"/@{group.preferred_username}/resources/{folder.uuid}",
            "todos": f"/@{group.preferred_username}/todos/{todo_list.uuid}",
            "report": f"/admin/reports/{report.id}", "user": f"/admin/users/{boss.id}",
        }
