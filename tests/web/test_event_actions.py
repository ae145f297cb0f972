"""The event pages offer an action exactly when doing it succeeds: a sweep over who looks at which event.

For each situation, every action either appears on the page (its form or link) and its request
succeeds, or does not appear and its request is refused. The database is put back after each
request, so that every action is tried on the same situation.
"""
import re
from datetime import date

import pytest

from mobilizon_lite.models import Actor, Comment, Participation
from mobilizon_lite.services import comments, decisions, participation
from mobilizon_lite.services.errors import refusal

from ..databases import restore, snapshot
from ..helpers import event_fields, log_in, make_account, make_event, submit

PEOPLE = ("ann", "bob", "cat", "dan")


@pytest.fixture
def world(app):
    """ann, bob, cat and dan, each with an account and a logged-in client; and a visitor's client."""
    clients = {}
    for name in PEOPLE:
        make_account(app, f"{name}@example.org", name)
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    clients[None] = app.test_client()
    return clients


def actor(app, username):
    with app.app_context():
        return Actor.get(Actor.preferred_username == username)


def take_part(app, event, username, role):
    """Give username a participation with this role, as the services would have left it."""
    with app.app_context():
        Participation.create(event=event.id, actor=actor(app, username).id, role=role)


def add_comment(app, event, username):
    with app.app_context():
        return comments.comment_on(event, actor(app, username), f"A word from {username}").id


# Each situation: (event overrides, {username: role of their participation}, commenters, viewer).
SITUATIONS = {
    "visitor, free event": ({}, {}, ["bob"], None),
    "visitor, event over": ({"start_date": date(2020, 7, 1)}, {}, [], None),
    "visitor, full event": ({"capacity": 1}, {"cat": "participant"}, [], None),
    "visitor, anonymous participation": ({"anonymous_participation": True}, {}, [], None),
    "visitor, anonymous participation, event over": (
        {"anonymous_participation": True, "start_date": date(2020, 7, 1)}, {}, [], None),
    "sole organiser": ({}, {}, ["bob"], "ann"),
    "organiser among two": ({}, {"cat": "moderator"}, ["bob", "cat"], "ann"),
    "co-organiser": ({}, {"cat": "moderator"}, ["bob"], "cat"),
    "newcomer, free event": ({}, {}, ["cat"], "bob"),
    "participant": ({}, {"bob": "participant"}, ["bob", "cat"], "bob"),
    "waiting for approval": ({"join_mode": "restricted"}, {"bob": "not_approved"}, [], "bob"),
    "declined": ({"join_mode": "restricted"}, {"bob": "rejected"}, [], "bob"),
    "newcomer, restricted and full": ({"join_mode": "restricted", "capacity": 1}, {"cat": "participant"}, [], "bob"),
    "newcomer, full event": ({"capacity": 1}, {"cat": "participant"}, [], "bob"),
    "newcomer, full event with a waiting list": ({"capacity": 1, "waiting_list": True}, {"cat": "participant"},
                                                 [], "bob"),
    "in line": ({"capacity": 1, "waiting_list": True}, {"cat": "participant", "bob": "waitlisted"}, [], "bob"),
    "newcomer, event over": ({"start_date": date(2020, 7, 1)}, {}, ["cat"], "bob"),
    "newcomer, cancelled event": ({"status": "cancelled"}, {}, [], "bob"),
    "participant, cancelled event": ({"status": "cancelled"}, {"bob": "participant"}, [], "bob"),
    "newcomer, invite-only": ({"join_mode": "invite"}, {}, [], "bob"),
    "organiser, invite-only": ({"join_mode": "invite"}, {"bob": "participant"}, [], "ann"),
    "participant, private event": ({"visibility": "private"}, {"bob": "participant"}, ["bob"], "bob"),
    "organiser, private event": ({"visibility": "private"}, {"bob": "participant"}, ["bob"], "ann"),
    "comments closed": ({"comment_mode": "closed"}, {"bob": "participant"}, [], "bob"),
    "external registration": ({"join_mode": "external",
                               "external_participation_url": "https://tickets.example.org/1"}, {}, [], "bob"),
}


def page_targets(html):
    """Every address the page posts a form to or links to, and the comments it offers to answer."""
    posts = set(re.findall(r'<form method="post" action="([^"]+)"', html)) | set(re.findall(
        r'<button type="submit"[^>]* formaction="([^"]+)"', html))
    links = set(re.findall(r'href="([^"]+)"', html))
    replies = set(re.findall(r'name="in_reply_to" value="(\d+)"', html))
    return posts, links, replies


def attempts(event, viewer_id, comment_ids):
    """(name, method, url, form data, how it appears on the page) for every action on the event."""
    base = f"/events/{event.uuid}"
    tries = [
        ("join", "POST", f"{base}/join", {"identity": viewer_id, "message": ""}, ("post", f"{base}/join")),
        ("leave", "POST", f"{base}/leave", {"identity": viewer_id}, ("post", f"{base}/leave")),
        ("anonymous join", "POST", f"{base}/anonymous", {"email": "eve@example.org", "message": ""},
         ("post", f"{base}/anonymous")),
        ("comment", "POST", f"{base}/comments", {"identity": viewer_id, "text": "Hello"},
         ("post", f"{base}/comments")),
        ("edit event", "POST", f"{base}/edit", event_fields(title="Changed"), ("link", f"{base}/edit")),
        ("delete event", "POST", f"{base}/delete", {}, ("link", f"{base}/delete")),
        ("participants", "GET", f"{base}/participants", {}, ("link", f"{base}/participants")),
    ]
    for comment_id in comment_ids:
        tries += [
            (f"reply to {comment_id}", "POST", f"{base}/comments",
             {"identity": viewer_id, "text": "Hi", "in_reply_to": comment_id}, ("reply", str(comment_id))),
            (f"edit comment {comment_id}", "POST", f"{base}/comments/{comment_id}/edit", {"text": "Edited"},
             ("link", f"{base}/comments/{comment_id}/edit")),
            (f"delete comment {comment_id}", "POST", f"{base}/comments/{comment_id}/delete", {},
             ("post", f"{base}/comments/{comment_id}/delete")),
        ]
    return tries


def succeeded(response, client):
    """True for a done action: a page, or a redirect anywhere but to the log-in page that carries no
    error message (a refusal said on the page it leads to, such as a full event). The messages waiting
    in client's session are cleared for the next attempt."""
    with client.session_transaction() as session:
        refused = any(category == "error" for category, _message in session.pop("_flashes", []))
    if response.status_code == 302:
        return "/login" not in response.headers["Location"] and not refused
    return response.status_code == 200


@pytest.mark.parametrize("situation", SITUATIONS)
def test_an_action_is_offered_exactly_when_it_succeeds(app, world, situation):
    overrides, roles, commenters, viewer = SITUATIONS[situation]
    event = make_event(app, **overrides)
    for username, role in roles.items():
        take_part(app, event, username, role)
    comment_ids = [add_comment(app, event, username) for username in commenters]
    client = world[viewer]
    viewer_id = actor(app, viewer).id if viewer else ""
    page = client.get(f"/events/{event.uuid}")
    assert page.status_code == 200
    posts, links, replies = page_targets(page.get_data(as_text=True))
    saved = snapshot(app)
    offered_and_done = []
    for name, method, url, data, (kind, target) in attempts(event, viewer_id, comment_ids):
        offered = target in {"post": posts, "link": links, "reply": replies}[kind]
        if method == "GET":
            response = client.get(url)
        else:
            response = submit(client, url, data, page=f"/events/{event.uuid}")
        restore(app, saved)
        done = succeeded(response, client)
        assert offered == done, (
            f"{situation}: {name} is {'offered' if offered else 'not offered'} but answers "
            f"{response.status_code} {response.headers.get('Location', '')}")
        if offered:
            offered_and_done.append(name)
    # Each situation offers what a person there expects (the sweep would also pass on an empty page).
    assert offered_and_done or viewer is None or situation.endswith("cancelled event"), situation


def test_actions_for_names_what_each_identity_may_do(app, world):
    free = make_event(app)
    full = make_event(app, capacity=1)
    take_part(app, full, "cat", "participant")
    invite_only = make_event(app, join_mode="invite")
    with app.app_context():
        bob, ann = actor(app, "bob"), actor(app, "ann")
        assert participation.actions_for(free, bob) == {"join", "comment"}
        assert participation.actions_for(free, ann) == {"comment", "manage"}
        assert "join" not in participation.actions_for(full, bob)
        assert refusal(participation.check_join, full, bob) == "This event is full."
        assert participation.actions_for(invite_only, ann) >= {"invite", "manage"}
        assert "join" not in participation.actions_for(invite_only, bob)


# Participants page: each row offers the decisions the organiser's request would carry out.
ROW_SITUATIONS = {
    "open event": ({}, {"bob": "participant", "cat": "not_approved", "dan": "rejected"}),
    "full event": ({"capacity": 1, "join_mode": "restricted"},
                   {"bob": "participant", "cat": "not_approved", "dan": "rejected"}),
    "co-organiser": ({}, {"bob": "moderator", "cat": "participant"}),
    "waiting list": ({"capacity": 1, "waiting_list": True}, {"bob": "participant", "cat": "waitlisted"}),
}


@pytest.mark.parametrize("situation", ROW_SITUATIONS)
def test_each_participant_row_offers_exactly_what_succeeds(app, world, situation):
    overrides, roles = ROW_SITUATIONS[situation]
    event = make_event(app, **overrides)
    for username, role in roles.items():
        take_part(app, event, username, role)
    with app.app_context():
        anonymous_row = Participation.create(event=event.id, email="eve@example.org", role="not_confirmed")
        rows = [row.id for row in Participation.select().where(Participation.event == event.id)]
    assert anonymous_row.id in rows
    client = world["ann"]
    page_path = f"/events/{event.uuid}/participants"
    posts, _links, _replies = page_targets(client.get(page_path).get_data(as_text=True))
    saved = snapshot(app)
    for row in rows:
        for decision in decisions.DECISIONS:
            url = f"/events/{event.uuid}/participants/{row}/{decision}"
            response = submit(client, url, {}, page=page_path)
            restore(app, saved)
            assert (url in posts) == succeeded(response, client), (
                f"{situation}: {decision} on row {row} answers {response.status_code}")
    invite = submit(client, f"/events/{event.uuid}/invite", {"username": "dan"}, page=page_path)
    assert (f"/events/{event.uuid}/invite" in posts) == succeeded(invite, client)


def test_comments_are_edited_by_their_author_and_deleted_by_the_organisers_too(app, world):
    event = make_event(app)
    comment_id = add_comment(app, event, "bob")
    with app.app_context():
        comment = Comment.get_by_id(comment_id)
        bob, ann, cat = actor(app, "bob"), actor(app, "ann"), actor(app, "cat")
        assert comments.can_edit(comment, bob) and comments.can_delete(comment, bob)
        assert not comments.can_edit(comment, ann) and comments.can_delete(comment, ann)
        assert not comments.can_edit(comment, cat) and not comments.can_delete(comment, cat)
        assert not comments.can_edit(comment, None) and not comments.can_delete(comment, None)
