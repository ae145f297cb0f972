"""Comments: write, reply one level deep, edit and delete, who may, closed comments, sanitising."""
import pytest

from mobilizon_lite.models import Account, Actor, Comment, EventInvitation
from mobilizon_lite.services.identities import create_identity

from ..helpers import log_in, make_account, make_event, submit


@pytest.fixture
def setup(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    make_account(app, "cat@example.org", "cat")
    event = make_event(app)
    clients = {}
    for name in ("ann", "bob", "cat"):
        clients[name] = app.test_client()
        log_in(clients[name], f"{name}@example.org")
    return event, clients


def post(client, event, text, reply_to=""):
    return submit(client, f"/events/{event.uuid}/comments", {"text": text, "in_reply_to": reply_to},
                  page=f"/events/{event.uuid}")


def comments(app):
    with app.app_context():
        return list(Comment.select().order_by(Comment.id))


def test_comment_reply_and_one_level_threading(app, setup):
    event, c = setup
    assert post(c["bob"], event, "Is there **parking**?").status_code == 302
    first = comments(app)[0]
    post(c["ann"], event, "Yes, behind the hall.", reply_to=str(first.id))
    reply = comments(app)[1]
    post(c["cat"], event, "Thanks!", reply_to=str(reply.id))
    third = comments(app)[2]
    assert reply.in_reply_to_id == first.id
    assert third.in_reply_to_id == first.id  # a reply to a reply joins the thread
    page = c["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "<strong>parking</strong>" in page
    assert page.index("parking") < page.index("behind the hall") < page.index("Thanks!")
    # The comment's own URL leads to it on the event page.
    response = c["cat"].get(f"/events/{event.uuid}/comments/{first.uuid}")
    assert response.headers["Location"].endswith(f"#comment-{first.id}")


def test_edit_own_comment_only(app, setup):
    event, c = setup
    post(c["bob"], event, "Typo hre")
    comment = comments(app)[0]
    url = f"/events/{event.uuid}/comments/{comment.id}/edit"
    assert submit(c["bob"], url, {"text": "Typo here"}).status_code == 302
    assert comments(app)[0].source == "Typo here"
    assert c["cat"].get(url).status_code == 403
    assert submit(c["cat"], url, {"text": "Hijacked"}, page="/").status_code == 403
    # Even the organiser cannot rewrite someone else's words.
    assert submit(c["ann"], url, {"text": "Hijacked"}, page="/").status_code == 403
    assert comments(app)[0].source == "Typo here"


def test_delete_own_or_as_organiser(app, setup):
    event, c = setup
    post(c["bob"], event, "From bob")
    post(c["cat"], event, "From cat")
    bob_comment, cat_comment = comments(app)
    base = f"/events/{event.uuid}/comments"
    page = f"/events/{event.uuid}"
    assert submit(c["cat"], f"{base}/{bob_comment.id}/delete", {}, page=page).status_code == 403
    assert submit(c["bob"], f"{base}/{bob_comment.id}/delete", {}, page=page).status_code == 302
    assert submit(c["ann"], f"{base}/{cat_comment.id}/delete", {}, page=page).status_code == 302
    assert comments(app) == []


def test_deleted_comment_with_replies_stays_as_a_placeholder(app, setup):
    event, c = setup
    post(c["bob"], event, "Question")
    question = comments(app)[0]
    post(c["cat"], event, "Answer", reply_to=str(question.id))
    submit(c["bob"], f"/events/{event.uuid}/comments/{question.id}/delete", {}, page=f"/events/{event.uuid}")
    page = c["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "This comment was deleted." in page and "Answer" in page and "Question" not in page


def test_closed_comments(app, setup):
    make_account(app, "dan@example.org", "dan")
    event, c = setup
    closed = make_event(app, "dan", comment_mode="closed")
    response = post(c["bob"], closed, "Hello?")
    assert response.status_code == 403
    assert "Comments are closed on this event." in response.get_data(as_text=True)
    assert comments(app) == []
    assert "Comments are closed." in c["bob"].get(f"/events/{closed.uuid}").get_data(as_text=True)


@pytest.mark.parametrize("text, status", [("", 400), ("x" * 5001, 400)])
def test_bad_comments_are_refused(app, setup, text, status):
    event, c = setup
    assert post(c["bob"], event, text).status_code == status
    assert comments(app) == []


def test_comment_html_is_sanitised(app, setup):
    event, c = setup
    post(c["bob"], event, '<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">x</a>')
    page = c["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:alert" not in page and 'onclick="x()"' not in page


def test_visitors_read_but_must_log_in_to_comment(app, setup):
    event, c = setup
    post(c["bob"], event, "Public remark")
    visitor = app.test_client()
    page = visitor.get(f"/events/{event.uuid}").get_data(as_text=True)
    assert "Public remark" in page and "Log in to comment" in page
    response = submit(visitor, f"/events/{event.uuid}/comments", {"text": "Anonymous remark"}, page="/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert len(comments(app)) == 1


def test_a_new_comment_is_not_marked_edited(app, setup):
    event, c = setup
    post(c["bob"], event, "Fresh")
    assert "edited" not in c["cat"].get(f"/events/{event.uuid}").get_data(as_text=True)


def test_an_identity_that_may_comment_is_offered_when_the_current_one_may_not(app, setup):
    """A private event the account sees only through its second identity: the form posts as that one."""
    event, c = setup
    private = make_event(app, visibility="private", join_mode="invite")
    with app.app_context():
        second = create_identity(Account.get(Account.email == "cat@example.org"), "cat2")
        EventInvitation.create(event=private.id, actor=second, invited_by=Actor.get(Actor.preferred_username == "ann"))
    page = c["cat"].get(f"/events/{private.uuid}").get_data(as_text=True)
    assert 'class="comment-form"' in page and "Comment as @cat2" in page
    assert f'name="identity" value="{second.id}"' in page
    response = submit(c["cat"], f"/events/{private.uuid}/comments", {"text": "Count me in", "identity": second.id},
                      page=f"/events/{private.uuid}")
    assert response.status_code == 302
    assert [(comment.actor_id, comment.source) for comment in comments(app)] == [(second.id, "Count me in")]
