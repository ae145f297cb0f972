"""Group posts: moderators write them, members-only ones and drafts stay with those allowed, their
Article and the group's collection say no more than the reader may know."""
import io

import pytest

from mobilizon_lite.models import Actor, Post
from mobilizon_lite.services import posts

from ..helpers import errors, submit
from .group_content_helpers import AS_JSON, PEOPLE, client_of, club_fixture, signed_get  # noqa: F401


def make_post(app, title="Assemblée générale", author="ann", **fields):
    with app.app_context():
        group = Actor.get(Actor.preferred_username == "club")
        writer = Actor.get(Actor.preferred_username == author)
        return posts.create_post(group, writer, {"title": title, "body": fields.pop("body", "Ordre du jour"),
                                                 **fields})


def post_row(app, slug):
    """The post at slug, with its author read."""
    with app.app_context():
        post = Post.get(Post.slug == slug)
        post.author  # noqa: B018 (read while the database is at hand)
        return post


def test_a_moderator_writes_a_post_and_its_slug_comes_from_the_title(app, club):
    mona = client_of(app, "mona")
    response = submit(mona, "/@club/posts/new", {"title": "Été à l'Œuvre !", "body": "**Bienvenue** <script>x</script>",
                                                  "visibility": "public"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/p/ete-a-l-oeuvre")
    again = submit(mona, "/@club/posts/new", {"title": "Été à l’œuvre", "body": "", "visibility": "public"})
    assert again.headers["Location"].endswith("/p/ete-a-l-oeuvre-2")
    page = app.test_client().get("/p/ete-a-l-oeuvre").get_data(as_text=True)
    assert "<strong>Bienvenue</strong>" in page and "<script>" not in page
    row = post_row(app, "ete-a-l-oeuvre")
    assert row.author.preferred_username == "mona" and row.published_at is not None and not row.draft


def test_a_post_keeps_its_address_when_its_title_changes(app, club):
    post = make_post(app)
    response = submit(client_of(app, "ann"), f"/p/{post.slug}/edit", {"title": "Autre titre", "body": "x",
                                                                       "visibility": "public"})
    assert response.headers["Location"].endswith(f"/p/{post.slug}")
    assert post_row(app, post.slug).title == "Autre titre"


@pytest.mark.parametrize("fields, field_error", [
    ({"title": "", "body": "x"}, "Give the post a title."),
    ({"title": "t" * 201, "body": "x"}, "Field cannot be longer than 200 characters."),
    ({"title": "Titre", "body": "b" * 20_001}, "Field cannot be longer than 20000 characters."),
])
def test_bad_input_is_shown_beside_its_field(app, club, fields, field_error):
    response = submit(client_of(app, "ann"), "/@club/posts/new", {"visibility": "public", **fields})
    assert response.status_code == 400
    assert field_error in errors(response)


def test_a_post_may_carry_a_picture(app, club):
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    image.seek(0)
    response = submit(client_of(app, "ann"), "/@club/posts/new",
                      {"title": "Photo", "body": "", "visibility": "public", "picture": (image, "photo.png")},
                      content_type="multipart/form-data")
    assert response.status_code == 302
    picture = post_row(app, "photo").picture
    assert picture and f"/uploads/{picture}" in app.test_client().get("/p/photo").get_data(as_text=True)
    article = app.test_client().get("/p/photo", headers=AS_JSON).json
    assert article["attachment"][0]["name"] == "Banner" and article["attachment"][0]["url"].endswith(picture)


# Who reads what: visitors, people of each role, and the HTML, the Article and the collection alike.
READERS = [None, *PEOPLE]
MAY_READ_MEMBERS_ONLY = {"ann", "mona", "bob"}
MAY_READ_DRAFTS = {"ann", "mona"}


@pytest.mark.parametrize("reader", READERS)
def test_members_only_posts_and_drafts_are_read_by_those_allowed_only(app, club, reader):
    public = make_post(app, "Public")
    members = make_post(app, "Entre nous", visibility="members")
    draft = make_post(app, "Brouillon", draft=True)
    client = client_of(app, reader)
    assert client.get(f"/p/{public.slug}").status_code == 200
    assert client.get(f"/p/{members.slug}").status_code == (200 if reader in MAY_READ_MEMBERS_ONLY else 404)
    assert client.get(f"/p/{draft.slug}").status_code == (200 if reader in MAY_READ_DRAFTS else 404)
    listing = client.get("/@club/posts").get_data(as_text=True)
    assert "Public" in listing
    assert ("Entre nous" in listing) == (reader in MAY_READ_MEMBERS_ONLY)
    assert ("Brouillon" in listing) == (reader in MAY_READ_DRAFTS)


def test_the_article_is_mobilizons_and_members_only_ones_need_a_members_signature(app, club):
    public = make_post(app, "Public")
    members = make_post(app, "Entre nous", visibility="members")
    draft = make_post(app, "Brouillon", draft=True)
    client = app.test_client()
    article = client.get(f"/p/{public.slug}", headers=AS_JSON).json
    assert article["type"] == "Article" and article["name"] == "Public"
    assert article["attributedTo"] == "http://events.test/@club" and article["actor"] == "http://events.test/@ann"
    assert article["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert client.get(f"/p/{members.slug}", headers=AS_JSON).status_code == 404
    assert signed_get(app, f"/p/{members.slug}", "olga").status_code == 404
    assert signed_get(app, f"/p/{members.slug}", "ivan").status_code == 404
    signed = signed_get(app, f"/p/{members.slug}", "bob")
    assert signed.status_code == 200 and signed.json["to"] == ["http://events.test/@club/members"]
    assert signed.headers["Cache-Control"] == "no-store"
    # Drafts are nobody's document, not even a moderator's.
    assert signed_get(app, f"/p/{draft.slug}", "mona").status_code == 404


def collection_names(response):
    assert response.status_code == 200
    return response.json["totalItems"], [item["name"] for item in response.json["orderedItems"]]


def test_the_collection_holds_members_only_posts_for_a_members_signed_fetch_only(app, club):
    make_post(app, "Public")
    make_post(app, "Entre nous", visibility="members")
    make_post(app, "Brouillon", draft=True)
    client = app.test_client()
    document = client.get("/@club/posts", headers=AS_JSON).json
    assert document["type"] == "OrderedCollection" and document["totalItems"] == 1
    assert collection_names(signed_get(app, "/@club/posts?page=1", "bob")) == (2, ["Entre nous", "Public"])
    # The member's answer is not kept for the next unsigned fetch, nor is anyone else's signature enough.
    assert collection_names(client.get("/@club/posts?page=1", headers=AS_JSON)) == (1, ["Public"])
    assert collection_names(signed_get(app, "/@club/posts?page=1", "ivan")) == (1, ["Public"])
    assert collection_names(signed_get(app, "/@club/posts?page=1", "mona")) == (2, ["Entre nous", "Public"])


def test_visitors_pages_are_kept_but_never_with_members_only_content(app, club):
    post = make_post(app, "Bientôt privé")
    members = make_post(app, "Entre nous", visibility="members")
    visitor = app.test_client()
    first = visitor.get(f"/p/{post.slug}")
    assert first.status_code == 200 and first.headers.get("ETag")
    assert visitor.get(f"/p/{post.slug}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # A member's visit is made for them and kept for nobody.
    assert "Entre nous" in client_of(app, "bob").get("/@club/posts").get_data(as_text=True)
    assert "Entre nous" not in visitor.get("/@club/posts").get_data(as_text=True)
    assert visitor.get(f"/p/{members.slug}").status_code == 404
    # Made members-only, the kept public page is gone at once.
    submit(client_of(app, "ann"), f"/p/{post.slug}/edit", {"title": "Bientôt privé", "body": "x",
                                                            "visibility": "members"})
    assert visitor.get(f"/p/{post.slug}").status_code == 404
    assert "Bientôt privé" not in visitor.get("/@club/posts").get_data(as_text=True)


def test_a_published_draft_gets_its_date_when_it_leaves_the_drafts(app, club):
    draft = make_post(app, "Brouillon", draft=True)
    assert post_row(app, draft.slug).published_at is None
    submit(client_of(app, "mona"), f"/p/{draft.slug}/edit", {"title": "Brouillon", "body": "", "visibility": "public"})
    assert post_row(app, draft.slug).published_at is not None
    assert app.test_client().get(f"/p/{draft.slug}").status_code == 200


# Role x action -> the answer: allowed (a page or a redirect), 403, or 404 where the post is hidden.
WRITERS = {"ann", "mona"}
ACTIONS = ["write", "edit", "delete", "read_members_only"]


def act(app, username, action, slug):
    client = client_of(app, username)
    if action == "write":
        return submit(client, "/@club/posts/new", {"title": "Nouveau", "body": "", "visibility": "public"}).status_code
    if action == "edit":
        return submit(client, f"/p/{slug}/edit", {"title": "Changé", "body": "", "visibility": "public"}).status_code
    if action == "delete":
        return submit(client, f"/p/{slug}/delete", {}).status_code
    return client.get(f"/p/{slug}").status_code


def expected(username, action):
    if action == "read_members_only":
        return 200 if username in MAY_READ_MEMBERS_ONLY else 404
    return 302 if username in WRITERS else 403


@pytest.mark.parametrize("username", list(PEOPLE))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_do_what_its_rank_allows(app, club, username, action):
    post = make_post(app, "Cible", visibility="members" if action == "read_members_only" else "public")
    assert act(app, username, action, post.slug) == expected(username, action)
    with app.app_context():
        still_there = Post.select().where(Post.slug == post.slug).exists()
    assert still_there == (action != "delete" or username not in WRITERS)


def test_a_members_only_post_is_not_even_found_by_an_outsider_trying_to_edit_it(app, club):
    post = make_post(app, "Entre nous", visibility="members")
    assert client_of(app, "olga").get(f"/p/{post.slug}/edit").status_code == 404
    assert client_of(app, "bob").get(f"/p/{post.slug}/edit").status_code == 403


def test_posts_of_an_identity_or_an_unknown_group_are_not_found(app, club):
    assert app.test_client().get("/@ann/posts").status_code == 404
    assert app.test_client().get("/@nobody/posts").status_code == 404
    assert app.test_client().get("/p/nothing-here").status_code == 404
