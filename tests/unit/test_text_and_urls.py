"""Markdown sanitising, local redirect targets, tokens and URL building."""
import pytest

from mobilizon_lite.text import markdown_to_html
from mobilizon_lite.tokens import hash_token, new_token
from mobilizon_lite.urls import is_local_path, public_url


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="data:text/html,x">x</a>', "data:"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<p style="position:fixed">x</p>', "style="),
])
def test_markdown_output_is_sanitised(source, forbidden):
    assert forbidden not in markdown_to_html(source)


def test_markdown_keeps_safe_formatting():
    html = markdown_to_html("**bold** _it_ [link](https://example.org)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<li>one</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">link</a>' in html


@pytest.mark.parametrize("target, ok", [
    ("/", True), ("/events/x?y=1", True), ("", False), (None, False), ("//evil", False),
    ("/\\evil", False), ("https://evil", False), ("evil", False), ("/\x00x", False),
    ("javascript:alert(1)", False),
])
def test_is_local_path(target, ok):
    assert is_local_path(target) is ok


def test_tokens_are_long_and_stored_hashed():
    token, token_hash = new_token()
    assert len(token) >= 43  # 256 bits in URL-safe base64
    assert token_hash == hash_token(token) != token
    assert new_token()[0] != token


def test_public_url_uses_base_url_without_a_request(app):
    with app.app_context():
        assert public_url("pages.profile", username="ann") == "http://events.test/@ann"


def test_public_url_keeps_a_base_path(tmp_path, app_config):
    from mobilizon_lite import create_app

    app = create_app(dict(app_config, BASE_URL="https://example.org/events/"),
                     instance_path=str(tmp_path / "i"))
    with app.app_context():
        assert public_url("pages.profile", username="ann") == "https://example.org/events/@ann"
