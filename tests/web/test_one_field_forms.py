"""The pages asking for one field (a discussion message's or an event comment's new text, a discussion's or
a todo list's new title) share one template: their heading, the field, and Cancel back where they came from."""
import re

import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import comments, discussions, todos

from ..helpers import errors, make_event, submit
from .group_content_helpers import client_of, club_fixture  # noqa: F401


def _actor(username):
    return Actor.get(Actor.preferred_username == username)


@pytest.fixture
def places(app, club):
    """The edit page of each kind: (path, who opens it, heading, the field's name, where Cancel leads)."""
    with app.app_context():
        thread = discussions.start_discussion(club, _actor("bob"), "Pique-nique", "Qui vient ?")
        [message] = discussions.messages_of(thread)
        todo_list = todos.create_list(club, _actor("bob"), "Courses")
    event = make_event(app, "ann")
    with app.app_context():
        comment = comments.comment_on(Event.get_by_id(event.id), _actor("bob"), "Super")
    thread_path = f"/@club/c/{thread.slug}"
    return [
        (f"{thread_path}/m/{message.uuid}/edit", "bob", "Edit your message", "text",
         f"{thread_path}#message-{message.uuid}"),
        (f"{thread_path}/rename", "mona", "Rename the discussion", "title", thread_path),
        (f"/events/{event.uuid}/comments/{comment.id}/edit", "bob", "Edit your comment", "text",
         f"/events/{event.uuid}#comment-{comment.id}"),
        (f"/@club/todos/{todo_list.uuid}/edit", "bob", "Rename the list", "title", f"/@club/todos/{todo_list.uuid}"),
    ]


def test_each_page_shows_its_heading_field_and_cancel_link(app, places):
    for path, username, heading, field, cancel in places:
        page = client_of(app, username).get(path).get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in page and f"<title>{heading}" in page, path
        assert re.search(rf'<(input|textarea)[^>]*autofocus[^>]*name="{field}"|name="{field}"[^>]*autofocus', page)
        assert f'<a href="{cancel}">Cancel</a>' in page, path


def test_the_todo_list_page_keeps_its_group_head(app, places):
    path = places[-1][0]
    page = client_of(app, "bob").get(path).get_data(as_text=True)
    assert "<title>Rename the list · club" in page and 'aria-label="Group"' in page


def test_an_empty_field_shows_again_with_its_error(app, places):
    for path, username, heading, field, _cancel in places:
        response = submit(client_of(app, username), path, {field: ""})
        assert response.status_code == 400, path
        assert f"<h1>{heading}</h1>" in response.get_data(as_text=True) and errors(response), path
