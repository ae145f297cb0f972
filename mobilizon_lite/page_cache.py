"""Pages and documents kept whole for whoever is not logged in (and parts of pages the same for everyone,
or made for one viewer alone), rebuilt when the content version or the time they depend on moves on,
answered 304 to a client holding the same copy."""
import functools
import hashlib
import secrets
from datetime import datetime, time, timedelta

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .caching import BuildCache
from .dates import home_zone
from .db import utcnow
from .models.changes import content_version, next_event_moment

EXTENSION_KEY = "page_cache"
# Headers a kept answer carries again; the others (date, length, cookies) are the server's to set.
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary", "Access-Control-Allow-Origin")


def init_app(app):
    """Give app its cache of pages and documents."""
    app.extensions[EXTENSION_KEY] = BuildCache(app.config["PAGE_CACHE_SIZE"])


def shared_request():
    """True when the answer cannot depend on who asks: nobody logged in and no message waiting for them."""
    if not request.cookies:
        return True  # the common case of visitors and servers: no session to open
    return not current_user.is_authenticated and "_flashes" not in session


def _valid_until(now):
    """Until when a page built now holds without any write: the next moment an event begins or ends,
    or midnight where the instance is (dates that read "today"), whichever comes first."""
    zone = home_zone()
    midnight = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), tzinfo=zone)
    moment = next_event_moment(now)
    return midnight if moment is None else min(moment, midnight)


class Kept:
    """A kept answer: its status, body and headers (with the ETag of the body), and the headers of a 304."""
    __slots__ = ("status", "body", "etag", "headers", "not_modified_headers")

    def __init__(self, response):
        self.status = response.status_code
        self.body = response.get_data()
        self.etag = hashlib.blake2b(self.body, digest_size=12).hexdigest()
        etag = ("ETag", f'"{self.etag}"')
        kept = [(name, value) for name, value in response.headers.items() if name in KEPT_HEADERS]
        self.headers = [*kept, etag]
        self.not_modified_headers = [*(h for h in kept if h[0] in ("Cache-Control", "Vary")), etag]

    def respond(self):
        # Everything but the body is ready: answering costs little more than the body's copy.
        if request.if_none_match.contains(self.etag):
            return current_app.response_class(status=304, headers=self.not_modified_headers)
        return current_app.response_class(self.body, status=self.status, headers=self.headers)


def _keepable(response):
    # A cookie, a CSRF token written in the page, a message taken from the session or a private mark
    # means the view made something for this visitor alone (the session's cookie is set later, by Flask).
    return (response.status_code == 200 and not response.direct_passthrough and "Set-Cookie" not in response.headers
            and not g.get("private_page") and "csrf_token" not in g and not session.modified)


class Rendered:
    """HTML our templates wrote, each value in it already cleaned by their finalize (formatting.shown):
    not a string, so that the page writing it does not scan its kilobytes again."""

    __slots__ = ("html",)

    def __init__(self, html):
        self.html = html

    def __html__(self):
        return self.html


def _part(kind, make):
    cache = current_app.extensions[EXTENSION_KEY]
    key = (kind, request.path, request.query_string, str(get_locale()))
    now = utcnow()
    return cache.get(key, content_version(), now, lambda: (make(), _valid_until(now))).body


def shared_part(build):
    """The part of a page that build() renders, the same for everyone asking this path in this language
    (a list of public events, say): kept like whole pages, and given to logged-in people's pages too."""
    return _part("part", lambda: Rendered(build()))


# Where a part kept for a viewer holds their CSRF token (in its forms): unguessable, as no text people
# write may hold it; each request has its own token written in.
TOKEN = secrets.token_hex(16)


def viewer_part(viewer, build):
    """The part of a page that build() renders for one viewer alone (their own events, say), kept like
    shared parts by path and language and by viewer: a key (their account's, their identities' ids) only
    their requests give. build() writes TOKEN where the viewer's CSRF token goes."""
    return with_token(_part(("viewer", viewer), build))


def with_token(html):
    """html (holding TOKEN where forms take the CSRF token) with this request's token written in."""
    return Rendered(html.replace(TOKEN, generate_csrf()) if TOKEN in html else html)


# Unguessable, so that no text written by people (a comment) can open a hole: a new one per process.
_HOLE = f"<!--{secrets.token_hex(12)}:"


def hole(name):
    """Where a Holed part takes what each viewer is given under name (written by its build)."""
    return Markup(f"{_HOLE}{name}-->")


class Holed:
    """A part the same for everyone but for its holes, which each viewer fills with their own HTML (their
    buttons on the comments of a thread, say), and what its build gave to be kept with it (data)."""

    __slots__ = ("head", "pieces", "data")

    def __init__(self, text, data=None):
        self.head, *rest = text.split(_HOLE)
        self.pieces = [tuple(piece.split("-->", 1)) for piece in rest]  # (hole's name, text up to the next)
        self.data = data

    def fill(self, given):
        """The part with given[name] (HTML) in each hole of that name, and nothing in the others."""
        out = [self.head]
        for name, text in self.pieces:
            out.append(given.get(name, ""))
            out.append(text)
        return Markup("".join(out))


def shared_holed(build):
    """A part like shared_part's, with holes: build() returns (its text, written with hole(), and the data
    to keep with it); returns the Holed part, for each viewer to fill."""
    return _part("holed", lambda: Holed(*build()))


def shared(view=None, *, unless=None, by_language=True):
    """Keep the view's answers to shared requests, by path, query, language and asked media type.

    unless(): a further reason not to share this request's answer (a signed request, say);
    by_language=False for documents written in no language (WebFinger, NodeInfo).
    """
    if view is None:
        return functools.partial(shared, unless=unless, by_language=by_language)

    @functools.wraps(view)
    def answer(*args, **kwargs):
        if not shared_request() or (unless is not None and unless()):
            return view(*args, **kwargs)
        cache = current_app.extensions[EXTENSION_KEY]
        key = (request.path, request.query_string, str(get_locale()) if by_language else "",
               request.headers.get("Accept", ""))
        now = utcnow()
        built = []

        def build():
            response = make_response(view(*args, **kwargs))
            built.append(response)
            if not _keepable(response):
                return None, now  # kept for no one: already stale
            response.vary.update(("Accept-Language", "Cookie"))
            return Kept(response), _valid_until(now)

        entry = cache.get(key, content_version(), now, build)
        if built and entry.body is None:
            return built[0]
        if entry.body is None:  # another thread built something not to keep: build our own
            return view(*args, **kwargs)
        return entry.body.respond()

    return answer
