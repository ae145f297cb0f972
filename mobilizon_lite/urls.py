"""Absolute URLs built from BASE_URL (pages, and the inbox, outbox and collections of local actors),
usable with or without a request."""
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


def host_of(url):
    """The lower-cased host[:port] of an http(s) URL, default ports dropped; None for anything else."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    return host if port in (None, default) else f"{host}:{port}"


def is_ours(url):
    """True when url is on this instance's host."""
    return host_of(url) is not None and host_of(url) == host_of(current_app.config["BASE_URL"])


def whole_number(text, digits=11):
    """text as a non-negative int when it is only ASCII digits (at most `digits` of them), else None."""
    if isinstance(text, str) and text.isascii() and text.isdecimal() and 0 < len(text) <= digits:
        return int(text)
    return None


def page_number(text):
    """The page a query string asks for: a whole number from 1, else 1."""
    return max(whole_number(text, digits=6) or 1, 1)


def actor_urls(actor):
    """The inbox, outbox and collection URLs of a local actor."""
    if actor.type == "Application":
        return {"inbox": public_url("inbox.shared"), "outbox": public_url("actors.instance_outbox"),
                "followers": public_url("actors.instance_followers"),
                "following": public_url("actors.instance_following")}
    name = actor.preferred_username
    return {
        "inbox": public_url("inbox.personal", username=name),
        "outbox": public_url("actors.outbox", username=name),
        "followers": public_url("actors.followers", username=name),
        "following": public_url("actors.following", username=name),
    }
