"""Built feeds kept in memory by content fingerprint, and HTTP conditional answers (304)."""
from flask import Response

from ..caching import LRU, BuildCache
from ..db import utcnow
from ..memory import return_freed_memory


class FeedCache(BuildCache):
    """Built feeds, reused while their fingerprint is unchanged, and the pieces they are made of."""

    def __init__(self, size=128, pieces=5000):
        super().__init__(size)
        self.pieces = LRU(pieces)

    def respond(self, request, key, tag, build, content_type):
        """304 when the client holds this version (by ETag, else by date), else the body.

        build(pieces) makes the body; pieces is a cache it may use for parts of it.
        """
        now = utcnow()
        if request.if_none_match and request.if_none_match.contains(tag):
            return self._not_modified(tag, self.peek(key, tag, now))
        entry = self.get(key, tag, now, lambda: (self._build(build), None))
        since = request.if_modified_since
        if not request.if_none_match and since is not None and since >= entry.built_at:
            return self._not_modified(tag, entry)
        response = Response(entry.body, content_type=content_type)
        response.set_etag(tag)
        response.last_modified = entry.built_at
        return response

    def _build(self, build):
        body = build(self.pieces)
        return_freed_memory()  # a large feed's build leaves megabytes freed behind it
        return body

    @staticmethod
    def _not_modified(tag, entry):
        response = Response(status=304)
        response.set_etag(tag)
        if entry is not None:
            response.last_modified = entry.built_at
        return response
