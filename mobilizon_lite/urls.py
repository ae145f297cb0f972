"""Absolute URLs built from BASE_URL, usable with or without a request."""
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint, **values):
    """Absolute URL of endpoint under the configured BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def is_local_path(target):
    """True when target is a path on this site (safe for a post-login redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
