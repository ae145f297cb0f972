"""Error pages (HTML or JSON), languages, locale-formatted dates and security headers."""
import logging
import re

import pytest

from mobilizon_lite import create_app

from ..helpers import log_in, make_account, submit


def test_error_pages_in_html_and_json(client):
    html = client.get("/no/such/page")
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert "Error 404" in html.get_data(as_text=True)
    json = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert json.status_code == 404 and json.json["status"] == 404 and json.json["error"]
    method = client.put("/login", headers={"Accept": "application/activity+json"})
    assert method.status_code == 405 and method.json["status"] == 405
    assert "POST" in method.headers["Allow"]


def test_too_large_body_is_a_413(tmp_path, app_config, caplog):
    app = create_app(dict(app_config, MAX_CONTENT_LENGTH=1024), instance_path=str(tmp_path / "i"))
    response = app.test_client().post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "too big" in response.get_data(as_text=True)
    # The styled page, translated, and nothing in the log: the footer's form does not read the body.
    french = app.test_client().post("/events/new", data={"title": "x" * 5000}, headers={"Accept-Language": "fr"})
    page = french.get_data(as_text=True)
    assert french.status_code == 413 and french.mimetype == "text/html"
    assert "<h1>Erreur 413</h1>" in page and "Ce que vous avez envoyé est trop volumineux." in page
    assert 'id="footer-locale"' in page
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_unhandled_error_is_a_clean_500(app, client):
    @app.route("/explode")
    def explode():
        raise RuntimeError("boom")

    app.testing = False  # let the error handler answer instead of re-raising
    response = client.get("/explode")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
    assert client.get("/explode", headers={"Accept": "application/json"}).json["status"] == 500


def test_locale_follows_accept_language(client):
    french = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Mot de passe oublié ?" in french.get_data(as_text=True)
    assert '<html lang="fr">' in french.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "de, en;q=0.5"})
    assert "Forgot your password?" in english.get_data(as_text=True)


def test_account_language_wins_over_the_browser(app, client):
    make_account(app)
    log_in(client)
    response = submit(client, "/settings/", {"locale": "fr"})
    assert response.status_code == 302
    page = client.get("/@ann", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ici depuis le" in page
    # Dates are written the French way.
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
    assert any(month in page for month in months)


def test_visitor_language_choice(client):
    response = submit(client, "/language", {"locale": "fr", "next": "/login"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Se connecter" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_language_form_needs_a_token_only_from_someone_logged_in(app, client):
    # A visitor's page is kept for every visitor: its picker holds no token, and needs none.
    page = client.get("/").get_data(as_text=True)
    assert 'id="footer-locale"' in page and "csrf_token" not in page
    assert client.post("/language", data={"locale": "fr", "next": "/"}).status_code == 302
    make_account(app)
    log_in(client)
    assert "csrf_token" in client.get("/").get_data(as_text=True)
    refused = client.post("/language", data={"locale": "en", "next": "/"})
    assert refused.status_code == 400
    with app.app_context():
        from mobilizon_lite.models import Account
        assert Account.get().locale != "en"


def test_french_error_message_for_bad_input(client):
    response = submit(client, "/signup", {"email": "nope", "password": "x", "confirm": "x", "username": "A"},
                      headers={"Accept-Language": "fr"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce n’est pas une adresse e-mail valide." in text


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url, logged_in", [
    ("/", False), ("/login", False), ("/signup", False), ("/password/forgot", False), ("/", True),
    ("/events/new", True), ("/settings/", True), ("/settings/password", True), ("/identities/new", True),
    ("/admin/", True), ("/search?q=repair", False),
])
def test_every_input_has_a_label(app, url, logged_in):
    make_account(app, admin=True)
    client = app.test_client()
    if logged_in:
        log_in(client)
    page = client.get(url).get_data(as_text=True)
    fields = re.findall(r'(<label class="check">)?<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"',
                        page)
    assert fields
    for wrapped, element_id in fields:
        # Either a <label for=…> names it, or the checkbox sits inside its own <label>.
        assert wrapped or f'for="{element_id}"' in page, f"{url}: #{element_id} has no label"


def test_admin_pages_are_for_admins_only(app):
    make_account(app, "ann@example.org", "ann")
    make_account(app, "root@example.org", "boss", admin=True)
    user = app.test_client()
    log_in(user, "ann@example.org")
    assert user.get("/admin/").status_code == 403
    admin = app.test_client()
    log_in(admin, "root@example.org")
    assert admin.get("/admin/").status_code == 200
    assert submit(admin, "/admin/", {"mode": "closed"}).status_code == 302
    assert app.test_client().get("/signup").status_code == 403
    assert submit(admin, "/admin/", {"mode": "everyone"}).status_code == 400
    invite = submit(admin, "/admin/invites", {}, page="/admin/")
    assert "/signup?invite=" in invite.get_data(as_text=True)


def test_two_apps_live_in_one_interpreter(tmp_path, app_config, new_database):
    first = create_app(dict(app_config, DATABASE=str(tmp_path / "a.db")), instance_path=str(tmp_path / "a"))
    second = create_app(dict(app_config, DATABASE=str(tmp_path / "b.db"), **new_database()),
                        instance_path=str(tmp_path / "b"))
    make_account(first)
    assert first.test_client().get("/@ann").status_code == 200
    assert second.test_client().get("/@ann").status_code == 404
    with first.app_context():
        with second.app_context():
            assert second.test_client().get("/@ann").status_code == 404
        assert first.test_client().get("/@ann").status_code == 200
