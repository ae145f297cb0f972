"""Posts as Articles and discussions as Notes, in Mobilizon's shape, and the slugs made from titles."""
from datetime import UTC, datetime

import pytest

from mobilizon_lite.activitypub.convert.discussion import discussion_to_ap, message_to_ap
from mobilizon_lite.activitypub.convert.post import post_to_ap
from mobilizon_lite.models import Actor, Discussion, DiscussionComment, Post
from mobilizon_lite.services.slugs import free_slug, slugify

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
WHEN = datetime(2026, 6, 1, 18, 30, tzinfo=UTC)
GROUP = Actor(type="Group", preferred_username="club", ap_id="http://events.test/@club")
ANN = Actor(preferred_username="ann", ap_id="http://events.test/@ann")


def post(**fields):
    values = dict(uuid="u-1", ap_id="http://events.test/p/assemblee", slug="assemblee", title="Assemblée",
                  body="<p>Ordre du jour</p>", visibility="public", created_at=WHEN, updated_at=WHEN,
                  published_at=WHEN)
    return Post(**{**values, **fields})


def test_a_public_post_is_an_article_for_everyone(app):
    with app.app_context():
        article = post_to_ap(post(picture="abc.png"), GROUP, ANN)
    assert article["type"] == "Article" and article["id"] == article["url"] == "http://events.test/p/assemblee"
    assert (article["name"], article["content"], article["mediaType"]) == ("Assemblée", "<p>Ordre du jour</p>",
                                                                           "text/html")
    assert article["actor"] == ANN.ap_id and article["attributedTo"] == GROUP.ap_id
    assert article["to"] == [PUBLIC] and article["cc"] == [] and article["published"] == "2026-06-01T18:30:00Z"
    assert article["attachment"] == [{"type": "Document", "mediaType": "image/png", "name": "Banner",
                                      "url": "http://events.test/uploads/abc.png"}]
    assert article["@context"][0] == "https://www.w3.org/ns/activitystreams"


def test_a_members_only_post_is_addressed_to_the_members_and_the_group_speaks_for_a_gone_author(app):
    with app.app_context():
        article = post_to_ap(post(visibility="members"), GROUP, None)
    assert article["to"] == ["http://events.test/@club/members"] and PUBLIC not in str(article)
    assert article["actor"] == GROUP.ap_id and article["attachment"] == []


def test_discussion_notes_carry_their_title_and_address_and_go_to_members_only():
    discussion = Discussion(uuid="d-1", ap_id="http://events.test/@club/c/pique-nique", slug="pique-nique",
                            title="Pique-nique", created_at=WHEN, last_activity_at=WHEN)
    message = DiscussionComment(uuid="m-1", ap_id="http://events.test/@club/c/pique-nique/m/m-1", text="<p>Oui</p>",
                                created_at=WHEN, updated_at=WHEN)
    note = message_to_ap(message, discussion, GROUP, ANN)
    assert note["type"] == "Note" and note["name"] == "Pique-nique" and note["context"] == discussion.ap_id
    assert note["to"] == ["http://events.test/@club/members"] and note["cc"] == []
    assert note["attributedTo"] == ANN.ap_id and note["content"] == "<p>Oui</p>"
    whole = discussion_to_ap(discussion, GROUP, ANN, message)
    assert whole["id"] == whole["context"] == discussion.ap_id and whole["attributedTo"] == GROUP.ap_id
    assert whole["content"] == "<p>Oui</p>" and whole["to"] == note["to"]
    assert discussion_to_ap(discussion, GROUP, None, None)["content"] == ""


@pytest.mark.parametrize("title, slug", [
    ("Assemblée générale 2026", "assemblee-generale-2026"),
    ("Été à l’Œuvre !", "ete-a-l-oeuvre"),
    ("  --Straße & Ærø--  ", "strasse-aero"),
    ("Встреча", "post"),
    ("", "post"),
    ("a" * 300, "a" * 100),
])
def test_slugs_are_ascii_words_of_the_title(title, slug):
    assert slugify(title) == slug


def test_a_taken_slug_gets_the_first_free_number():
    assert free_slug("fete", set()) == "fete"
    assert free_slug("fete", {"fete", "fete-2", "fete-3", "fete-de-la-musique"}) == "fete-4"
