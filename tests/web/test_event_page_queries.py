"""The event page costs the same number of SQL statements whatever the number of comments."""

import pytest

from mobilizon_lite.models import Actor, Event
from mobilizon_lite.services import comments

from ..helpers import log_in, make_account, make_event, page_statements


def statements(client, path, add_comments):
    """How many SQL statements the page at path runs, after add_comments() adds comments."""
    add_comments()
    count, page = page_statements(client, path)
    assert "Comment 0" in page
    return count


@pytest.mark.parametrize("viewer", ["organiser", "commenter", "visitor"])
def test_event_page_statements_do_not_grow_with_comments(app, viewer):
    make_account(app)
    make_account(app, "bob@example.org", "bob")
    event = make_event(app)
    client = app.test_client()
    if viewer != "visitor":
        log_in(client, "ann@example.org" if viewer == "organiser" else "bob@example.org")

    def add(count):
        def add_comments():
            with app.app_context():
                on = Event.get_by_id(event.id)
                parent = None
                for number in range(count):
                    author = Actor.get(Actor.preferred_username == ("ann", "bob")[number % 2])
                    # Every other comment answers the one before: replies are counted too.
                    reply_to = parent.id if parent is not None and number % 2 else None
                    parent = comments.comment_on(on, author, f"Comment {number}", in_reply_to=reply_to)
        return add_comments

    path = f"/events/{event.uuid}"
    with_5 = statements(client, path, add(5))
    with_40 = statements(client, path, add(35))
    assert with_40 == with_5
    assert "Comment 34" in client.get(path).get_data(as_text=True)
