"""Built feeds kept in memory by content fingerprint, and HTTP conditional answers (304)."""
from flask import Response

from ..caching import LRU, BuildCache
from ..db import utcnow
from ..memory import return_freed_memory

# What a small server keeps of its feeds: about nine instance calendars of 1,000 events, and the
# VEVENTs of some 4,000 events (a VEVENT is about 1 KB), whatever the number of feeds asked for.
BODY_BYTES = 8 * 2**20
PIECE_BYTES = 4 * 2**20


class ByteBoundLRU(LRU):
    """An LRU whose values (bytes, or built feeds) also stay under a total size in bytes."""

    def __init__(self, size, max_bytes):
        super().__init__(size)
        self.max_bytes, self.bytes = max_bytes, 0

    @staticmethod
    def weight(value):
        return len(getattr(value, "body", value))

    def put(self, key, value):
        with self.lock:
            replaced = self.entries.pop(key, None)
            self.bytes += self.weight(value) - (self.weight(replaced) if replaced is not None else 0)
            self.entries[key] = value
            while len(self.entries) > self.size or (self.bytes > self.max_bytes and len(self.entries) > 1):
                self.bytes -= self.weight(self.entries.popitem(last=False)[1])

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.bytes = 0


class FeedCache(BuildCache):
    """Built feeds, reused while their fingerprint is unchanged, and the pieces they are made of;
    each kept under a size in bytes as well as a count."""

    def __init__(self, size=128, pieces=5000, body_bytes=BODY_BYTES, piece_bytes=PIECE_BYTES):
        super().__init__(size)
        self.entries = ByteBoundLRU(size, body_bytes)
        self.pieces = ByteBoundLRU(pieces, piece_bytes)

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
