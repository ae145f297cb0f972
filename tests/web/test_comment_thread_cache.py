"""The comment thread rendered once for everyone (page_cache.shared_holed): never stale after a comment
is written, edited or deleted or in another language, and each viewer's buttons and reply forms are
theirs alone."""
import re

import pytest

from mobilizon_lite.models import Comment
from mobilizon_lite.page_cache import _HOLE

from ..helpers import log_in, make_account, make_event, submit


@pytest.fixture
def setup(app):
    for name in ("ann", "bob", "cat"):
        make_account(app, f"{name}@example.org", name)
    event = make_event(app)  # organised by ann
    clients = {}
    for name in ("ann", "bob", "cat"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return event, clients


def post(client, event, text, reply_to=""):
    return submit(client, f"/events/{event.uuid}/comments", {"text": text, "in_reply_to": reply_to},
                  page=f"/events/{event.uuid}")


def page(client, event, **headers):
    return client.get(f"/events/{event.uuid}", headers=headers).get_data(as_text=True)


def comment_ids(app):
    with app.app_context():
        return [comment.id for comment in Comment.select().order_by(Comment.id)]


def test_a_written_edited_or_deleted_comment_shows_at_once(app, setup):
    event, c = setup
    assert "No comments yet." in page(c["cat"], event)
    post(c["bob"], event, "First words")
    assert "First words" in page(c["cat"], event) and "First words" in page(app.test_client(), event)
    (number,) = comment_ids(app)
    submit(c["bob"], f"/events/{event.uuid}/comments/{number}/edit", {"text": "Better words"})
    for reader in (c["cat"], app.test_client()):
        shown = page(reader, event)
        assert "Better words" in shown and "First words" not in shown and "edited" in shown
    submit(c["bob"], f"/events/{event.uuid}/comments/{number}/delete", {}, page=f"/events/{event.uuid}")
    for reader in (c["cat"], app.test_client()):
        shown = page(reader, event)
        assert "Better words" not in shown and "No comments yet." in shown


def test_the_thread_speaks_each_reader_language(app, setup):
    event, c = setup
    post(c["bob"], event, "Question")
    (number,) = comment_ids(app)
    post(c["cat"], event, "Answer", reply_to=str(number))
    submit(c["bob"], f"/events/{event.uuid}/comments/{number}/delete", {}, page=f"/events/{event.uuid}")
    assert "This comment was deleted." in page(c["cat"], event)
    french = page(app.test_client(), event, **{"Accept-Language": "fr"})
    assert "Ce commentaire a été supprimé." in french and "This comment was deleted." not in french
    # The French thread is not handed back to an English reader.
    assert "This comment was deleted." in page(app.test_client(), event, **{"Accept-Language": "en"})
    assert "Ce commentaire a été supprimé." not in page(c["cat"], event)


def controls(html, number):
    """What the page offers on one comment: edit link, delete form, reply form (and as whom)."""
    reply = re.search(rf'name="in_reply_to" value="{number}">\s*<input type="hidden" name="identity" '
                      rf'value="(\d+)">', html)
    return {"edit": f"/comments/{number}/edit" in html, "delete": f"/comments/{number}/delete" in html,
            "reply_as": reply and int(reply.group(1))}


def identity_id(app, username):
    from mobilizon_lite.models import Actor
    with app.app_context():
        return Actor.get(Actor.preferred_username == username).id


def test_each_viewer_gets_only_their_own_controls(app, setup):
    event, c = setup
    post(c["bob"], event, "From bob")
    (number,) = comment_ids(app)
    visitor = app.test_client()
    # Every reader asks once the thread is kept, in an order where a leak would show.
    pages = {name: page(client, event) for name, client in (("bob", c["bob"]), ("cat", c["cat"]),
                                                             ("ann", c["ann"]), ("visitor", visitor))}
    assert controls(pages["bob"], number) == {"edit": True, "delete": True, "reply_as": identity_id(app, "bob")}
    assert controls(pages["cat"], number) == {"edit": False, "delete": False, "reply_as": identity_id(app, "cat")}
    # The organiser may delete any comment of the event, never rewrite it.
    assert controls(pages["ann"], number) == {"edit": False, "delete": True, "reply_as": identity_id(app, "ann")}
    assert controls(pages["visitor"], number) == {"edit": False, "delete": False, "reply_as": None}
    assert "csrf_token" not in pages["visitor"] and "Reply as" not in pages["visitor"]
    assert "Reply as @cat" in pages["cat"] and "@bob" not in pages["cat"].split("From bob", 1)[1]
    # Each page carries its reader's own token, and the holes of the thread are all filled.
    tokens = {name: set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) for name, html in pages.items()}
    assert len(tokens["bob"]) == 1 and tokens["bob"] != tokens["cat"]
    assert all(_HOLE not in html for html in pages.values())


def test_a_comment_cannot_open_a_hole(app, setup):
    event, c = setup
    post(c["bob"], event, "Before")
    (number,) = comment_ids(app)
    # Even knowing this process's mark, a comment's text is only text: one reply form per comment.
    post(c["cat"], event, f"{_HOLE}reply-{number}--> and {_HOLE}actions-{number}-->")
    shown = page(c["cat"], event)
    assert shown.count(f'name="in_reply_to" value="{number}"') == 1 and _HOLE not in shown


def test_two_sessions_of_one_account_each_get_their_own_token(app, setup):
    event, c = setup
    post(c["bob"], event, "From bob")
    (number,) = comment_ids(app)
    again = app.test_client()
    log_in(again, "bob@example.org")
    # The second session reads bob's controls kept for the first one, with its own token in every form.
    pages = [page(client, event) for client in (c["bob"], again)]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) for html in pages]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    assert all(controls(html, number)["delete"] for html in pages)
    delete = re.search(rf'action="[^"]*/comments/{number}/delete"[^>]*><input type="hidden" name="csrf_token" '
                       r'value="([^"]+)"', pages[1])
    response = again.post(f"/events/{event.uuid}/comments/{number}/delete",
                          data={"csrf_token": delete.group(1)}, headers={"Referer": "http://localhost/"})
    assert response.status_code == 302 and "#comments" in response.headers["Location"]
    assert "From bob" not in page(c["bob"], event)


def test_controls_follow_a_new_organiser(app, setup):
    event, c = setup
    post(c["bob"], event, "From bob")
    (number,) = comment_ids(app)
    assert controls(page(c["cat"], event), number)["delete"] is False
    with app.app_context():
        from mobilizon_lite.models import Participation
        Participation.create(event=event.id, actor=identity_id(app, "cat"), role="moderator")
    assert controls(page(c["cat"], event), number)["delete"] is True
