"""Identities: create, edit, switch, delete, and that nothing links two of one account."""
import re

from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from mobilizon_lite.models import Actor

from ..helpers import errors, log_in, make_account, submit


def add_identity(client, username, name="", summary=""):
    return submit(client, "/identities/new", {"username": username, "name": name, "summary": summary})


def acting_as(client):
    page = client.get("/identities/").get_data(as_text=True)
    return re.search(r'<option value="\d+" selected>[^<]*\(@(\w+)\)', page).group(1)


def test_each_identity_has_its_own_rsa_2048_key_pair(app, client):
    make_account(app)
    log_in(client)
    assert add_identity(client, "club", "Running club").status_code == 302
    with app.app_context():
        ann, club = Actor.select().order_by(Actor.id)
    assert ann.public_key_pem != club.public_key_pem
    for actor in (ann, club):
        private = load_pem_private_key(actor.private_key_pem.encode(), password=None)
        assert private.key_size == 2048
        public = load_pem_public_key(actor.public_key_pem.encode())
        assert public.public_numbers() == private.public_key().public_numbers()


def test_create_switch_edit_and_delete(app, client):
    make_account(app)
    log_in(client)
    assert acting_as(client) == "ann"
    add_identity(client, "strike_committee", "Strike committee")
    assert acting_as(client) == "strike_committee"
    header = client.get("/").get_data(as_text=True)
    assert "Strike committee (@strike_committee)" in header

    with app.app_context():
        ann_id = Actor.get(Actor.preferred_username == "ann").id
    submit(client, "/identities/switch", {"identity": ann_id}, page="/")
    assert acting_as(client) == "ann"

    response = submit(client, "/identities/strike_committee/edit",
                      {"name": "Comité de grève", "summary": "We **meet** on Mondays"})
    assert response.status_code == 302
    profile = client.get("/@strike_committee").get_data(as_text=True)
    assert "Comité de grève" in profile and "<strong>meet</strong>" in profile

    page = client.get("/identities/strike_committee/delete")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    assert submit(client, "/identities/strike_committee/delete", {}).status_code == 302
    assert client.get("/@strike_committee").status_code == 410
    assert "@strike_committee" not in client.get("/identities/").get_data(as_text=True)


def test_the_last_identity_cannot_be_deleted(app, client):
    make_account(app)
    log_in(client)
    response = submit(client, "/identities/ann/delete", {})
    assert response.status_code == 400
    assert "You cannot delete your only identity." in errors(response)
    assert client.get("/@ann").status_code == 200


def test_deleted_usernames_are_never_reused(app, client):
    make_account(app)
    log_in(client)
    add_identity(client, "old_name")
    submit(client, "/identities/old_name/delete", {})
    response = add_identity(client, "old_name")
    assert response.status_code == 400
    assert "This username is already taken." in errors(response)
    other = app.test_client()
    response = submit(other, "/signup", {"email": "z@example.org", "password": "p" * 10, "confirm": "p" * 10,
                                         "username": "old_name", "accept": "y"})
    assert response.status_code == 400


def test_bio_is_sanitised(app, client):
    make_account(app)
    log_in(client)
    bio = ('<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) '
           '<a href="https://ok.example" onclick="alert(4)">ok</a>')
    add_identity(client, "club", "<b onmouseover=alert(5)>Club</b>", bio)
    page = client.get("/@club").get_data(as_text=True)
    # The page's own picture (the share box's QR code) aside, the bio's image is gone.
    for needle in ("<script", "onerror", "javascript:", "onclick", "<b onmouseover", "<img src=x", "src=\"x\""):
        assert needle not in page
    assert "&lt;b onmouseover=alert(5)&gt;Club&lt;/b&gt;" in page
    assert 'href="https://ok.example"' in page


def test_forged_identity_of_another_account_is_refused(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "bob@example.org", "bob")
    with app.app_context():
        bob_id = Actor.get(Actor.preferred_username == "bob").id
    client = app.test_client()
    log_in(client, "ann@example.org")
    response = submit(client, "/identities/switch", {"identity": bob_id}, page="/")
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    assert acting_as(client) == "ann"
    assert client.get("/identities/bob/edit").status_code == 404
    response = submit(client, "/identities/bob/edit", {"name": "hacked"}, page="/")
    assert response.status_code == 404
    assert submit(client, "/identities/bob/delete", {}, page="/").status_code == 404
    with app.app_context():
        bob = Actor.get_by_id(bob_id)
        assert bob.name == "" and bob.deleted_at is None


def test_nothing_public_links_two_identities_of_one_account(app, client):
    make_account(app)
    log_in(client)
    add_identity(client, "secret_club", "Secret club")
    visitor = app.test_client()
    for url in ("/@ann", "/"):
        assert "secret_club" not in visitor.get(url).get_data(as_text=True)
    assert "@ann" not in visitor.get("/@secret_club").get_data(as_text=True)
    # Even the owner's view of one profile names no other identity outside the switcher.
    profile = client.get("/@secret_club").get_data(as_text=True)
    article = profile.split("<article", 1)[1].split("</article>", 1)[0]
    assert "ann" not in article
    # The email never appears on public pages.
    assert "ann@example.org" not in visitor.get("/@ann").get_data(as_text=True)


def test_unknown_profile_is_a_404_page(client):
    response = client.get("/@nobody")
    assert response.status_code == 404
    assert "There is no one called @nobody here." in response.get_data(as_text=True)
