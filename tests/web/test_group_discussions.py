"""Group discussions: members talk, moderators tidy up, and to anyone outside the group nothing of them
exists (pages, documents, collection)."""
import re

import pytest

from mobilizon_lite.models import Actor, Discussion, DiscussionComment
from mobilizon_lite.services import discussions

from ..helpers import errors, submit
from .group_content_helpers import AS_JSON, PEOPLE, client_of, club_fixture, signed_get  # noqa: F401

MEMBERS = {"ann", "mona", "bob"}
MODERATORS = {"ann", "mona"}


def start(app, title="Pique-nique de juin", author="bob", text="Qui apporte quoi ?"):
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
        return discussions.start_discussion(group, Actor.get(Actor.preferred_username == author), title, text)


def answer(app, discussion, author, text):
    with app.app_context():
        return discussions.reply(Discussion.get_by_id(discussion.id), Actor.get(Actor.preferred_username == author),
                                 text)


def messages(app, discussion):
    with app.app_context():
        return [(row.source, row.deleted_at is not None) for row in
                DiscussionComment.select().where(DiscussionComment.discussion == discussion.id)
                .order_by(DiscussionComment.id)]


def test_a_member_starts_a_discussion_and_others_reply(app, club):
    bob = client_of(app, "bob")
    response = submit(bob, "/@club/discussions/new", {"title": "Pique-nique de juin",
                                                      "text": "Qui apporte *quoi* ? <script>x</script>"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/@club/c/pique-nique-de-juin")
    page = bob.get("/@club/c/pique-nique-de-juin").get_data(as_text=True)
    assert "Pique-nique de juin" in page and "<em>quoi</em>" in page and "<script>" not in page
    mona = client_of(app, "mona")
    replied = submit(mona, "/@club/c/pique-nique-de-juin/reply", {"text": "Des cerises"},
                     page="/@club/c/pique-nique-de-juin")
    assert replied.status_code == 302 and "#message-" in replied.headers["Location"]
    assert "Des cerises" in bob.get("/@club/c/pique-nique-de-juin").get_data(as_text=True)
    # The same title again gets its own address.
    again = submit(bob, "/@club/discussions/new", {"title": "Pique-nique de juin", "text": "Bis"})
    assert again.headers["Location"].endswith("/@club/c/pique-nique-de-juin-2")


def test_the_liveliest_discussion_comes_first(app, club):
    older = start(app, "Ancienne")
    start(app, "Récente")
    listing = client_of(app, "bob").get("/@club/discussions").get_data(as_text=True)
    assert listing.index("Récente") < listing.index("Ancienne")
    answer(app, older, "mona", "Je relance")
    listing = client_of(app, "bob").get("/@club/discussions").get_data(as_text=True)
    assert listing.index("Ancienne") < listing.index("Récente")
    assert "2 messages" in listing


@pytest.mark.parametrize("fields, message", [
    ({"title": "t" * 201, "text": "x"}, "Field cannot be longer than 200 characters."),
    ({"title": "", "text": "x"}, "Give the discussion a title."),
    ({"title": "Titre", "text": ""}, "Write something first."),
    ({"title": "Titre", "text": "x" * 5001}, "Field cannot be longer than 5000 characters."),
])
def test_sizes_are_bounded_with_clear_errors(app, club, fields, message):
    response = submit(client_of(app, "bob"), "/@club/discussions/new", fields)
    assert response.status_code == 400 and message in errors(response)
    with app.app_context():
        assert Discussion.select().count() == 0


def test_a_reply_too_long_once_formatted_is_refused_like_an_event_comment(app, club):
    discussion = start(app)
    text = "[a]: http://example.org/" + "x" * 200 + "\n\n" + "[a] " * 1200
    response = submit(client_of(app, "bob"), f"/@club/c/{discussion.slug}/reply", {"text": text[:5000]},
                      page=f"/@club/c/{discussion.slug}")
    assert response.status_code == 400
    assert "too long once formatted" in response.get_data(as_text=True)


def test_members_edit_and_delete_their_own_messages_only(app, club):
    discussion = start(app)
    mine = answer(app, discussion, "bob", "Premier jet")
    theirs = answer(app, discussion, "mona", "Message de Mona")
    bob = client_of(app, "bob")
    path = f"/@club/c/{discussion.slug}/m"
    assert submit(bob, f"{path}/{mine.uuid}/edit", {"text": "Corrigé"}).status_code == 302
    assert bob.get(f"{path}/{theirs.uuid}/edit").status_code == 403
    assert submit(bob, f"{path}/{theirs.uuid}/delete", {}, page=f"/@club/c/{discussion.slug}").status_code == 403
    assert submit(bob, f"{path}/{mine.uuid}/delete", {}, page=f"/@club/c/{discussion.slug}").status_code == 302
    assert messages(app, discussion) == [("Qui apporte quoi ?", False), ("", True), ("Message de Mona", False)]
    page = bob.get(f"/@club/c/{discussion.slug}").get_data(as_text=True)
    assert "This message was deleted." in page and "Corrigé" not in page


def test_moderators_delete_any_message_rename_and_delete_a_discussion(app, club):
    discussion = start(app)
    mona = client_of(app, "mona")
    first = messages(app, discussion)
    with app.app_context():
        first_uuid = DiscussionComment.get(DiscussionComment.discussion == discussion.id).uuid
    thread = f"/@club/c/{discussion.slug}"
    assert submit(mona, f"{thread}/m/{first_uuid}/delete", {}, page=thread).status_code == 302
    assert messages(app, discussion) != first
    assert submit(mona, f"{thread}/rename", {"title": "Pique-nique de juillet"}).status_code == 302
    assert "Pique-nique de juillet" in mona.get(thread).get_data(as_text=True)  # same address
    assert submit(client_of(app, "bob"), f"{thread}/rename", {"title": "Non"}).status_code == 403
    assert submit(mona, f"{thread}/delete", {}).status_code == 302
    with app.app_context():
        assert not Discussion.select().exists() and not DiscussionComment.select().exists()


OUTSIDERS = [None, "olga", "ivan", "nina", "rita"]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_find_nothing_at_all(app, club, outsider):
    discussion = start(app, "Affaire interne", text="Confidentiel")
    message = answer(app, discussion, "bob", "Toujours confidentiel")
    client = client_of(app, outsider)
    thread = f"/@club/c/{discussion.slug}"
    for path in ("/@club/discussions", thread, f"{thread}/m/{message.uuid}", "/@club/c/no-such-thing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Affaire interne" not in response.get_data(as_text=True)
        if path != "/@club/discussions":
            assert client.get(path, headers=AS_JSON).status_code == 404, path
    if outsider is not None:
        for path, data in ((f"{thread}/reply", {"text": "Coucou"}), ("/@club/discussions/new",
                                                                      {"title": "Moi aussi", "text": "x"})):
            assert submit(client, path, data, page="/").status_code == 404, path
        assert client.get("/@club/discussions/new").status_code == 404
    # The group's collection answers, but empty and without a count.
    document = client.get("/@club/discussions?page=1", headers=AS_JSON).json
    assert document["totalItems"] == 0 and document["orderedItems"] == []
    if outsider is not None:
        signed = signed_get(app, "/@club/discussions?page=1", outsider)
        assert signed.json["totalItems"] == 0
        assert signed_get(app, thread, outsider).status_code == 404
    assert messages(app, discussion)[-1] == ("Toujours confidentiel", False)


def test_a_members_signed_fetch_gets_the_notes_with_name_and_context(app, club):
    discussion = start(app, "Affaire interne", text="Confidentiel")
    message = answer(app, discussion, "mona", "Réponse")
    thread = f"/@club/c/{discussion.slug}"
    note = signed_get(app, thread, "bob")
    assert note.status_code == 200 and note.headers["Cache-Control"] == "no-store"
    assert note.json["type"] == "Note" and note.json["name"] == "Affaire interne"
    assert note.json["context"] == f"http://events.test{thread}" and note.json["content"] == "<p>Confidentiel</p>"
    assert note.json["to"] == ["http://events.test/@club/members"]
    reply = signed_get(app, f"{thread}/m/{message.uuid}", "bob").json
    assert reply["context"] == note.json["id"] and reply["attributedTo"] == "http://events.test/@mona"
    listing = signed_get(app, "/@club/discussions?page=1", "mona").json
    assert listing["totalItems"] == 1 and listing["orderedItems"][0]["name"] == "Affaire interne"


# Role x action -> allowed (a redirect), 403 for members whose role falls short, 404 for the others.
def do(app, username, action):
    discussion = start(app, author="mona")
    with app.app_context():
        monas = DiscussionComment.get(DiscussionComment.discussion == discussion.id).uuid
    client, thread = client_of(app, username), f"/@club/c/{discussion.slug}"
    if action == "start":
        return client.get("/@club/discussions/new").status_code, submit(
            client, "/@club/discussions/new", {"title": "Nouvelle", "text": "x"}).status_code
    if action == "read":
        return client.get(thread).status_code, client.get("/@club/discussions").status_code
    token_page = "/"  # any page of a logged-in person holds their form token
    if action == "reply":
        return submit(client, f"{thread}/reply", {"text": "x"}, page=token_page).status_code, None
    if action == "delete_others_message":
        return submit(client, f"{thread}/m/{monas}/delete", {}, page=token_page).status_code, None
    return submit(client, f"{thread}/rename", {"title": "Autre"}, page=token_page).status_code, None


EXPECTED = {
    "start": lambda user: (200, 302) if user in MEMBERS else (404, 404),
    "read": lambda user: (200, 200) if user in MEMBERS else (404, 404),
    "reply": lambda user: (302 if user in MEMBERS else 404, None),
    "delete_others_message": lambda user: (302 if user in MODERATORS else 403 if user in MEMBERS else 404, None),
    "rename": lambda user: (302 if user in MODERATORS else 403 if user in MEMBERS else 404, None),
}


@pytest.mark.parametrize("username", [name for name in PEOPLE if name != "mona"])
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_role_may_do_what_its_rank_allows(app, club, username, action):
    assert do(app, username, action) == EXPECTED[action](username)


def test_the_group_page_menu_links_to_posts_and_discussions(app, club):
    with app.test_request_context():
        from flask import render_template_string

        with app.app_context():
            group = Actor.get(Actor.preferred_username == "club")
            links = render_template_string('{% include "groups/_nav.html" %}', group=group, is_member=True,
                                           acting=group, membership=None, may=lambda action: False)
    assert {"/@club/posts", "/@club/discussions"} <= set(re.findall(r'href="([^"]+)"', links))
