"""Built feeds kept in memory by content fingerprint, and HTTP conditional answers (304)."""
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import Response

from ..db import utcnow


class Built(NamedTuple):
    tag: str
    body: bytes
    last_modified: object


class LRU:
    """A thread-safe least-recently-used mapping of bounded size."""

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class FeedCache:
    """Built feeds, reused while their fingerprint is unchanged, and the pieces they are made of."""

    def __init__(self, size=128, pieces=5000):
        self.feeds = LRU(size)
        self.pieces = LRU(pieces)
        self.builds = 0
        self._locks = {}
        self._locks_lock = threading.Lock()

    def _lock_for(self, key):
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def _get(self, key, tag, build):
        entry = self.feeds.get(key)
        if entry is not None and entry.tag == tag:
            return entry
        # One thread rebuilds a stale feed; the others wait for its result instead of redoing it.
        with self._lock_for(key):
            entry = self.feeds.get(key)
            if entry is not None and entry.tag == tag:
                return entry
            entry = Built(tag, build(self.pieces), utcnow().replace(microsecond=0))
            self.builds += 1
            self.feeds.put(key, entry)
        return entry

    def respond(self, request, key, tag, build, content_type):
        """304 when the client holds this version (by ETag, else by date), else the body.

        build(pieces) makes the body; pieces is a cache it may use for parts of it.
        """
        if request.if_none_match and request.if_none_match.contains(tag):
            return self._not_modified(tag, self.feeds.get(key))
        entry = self._get(key, tag, build)
        since = request.if_modified_since
        if not request.if_none_match and since is not None and since >= entry.last_modified:
            return self._not_modified(tag, entry)
        response = Response(entry.body, content_type=content_type)
        response.set_etag(tag)
        response.last_modified = entry.last_modified
        return response

    @staticmethod
    def _not_modified(tag, entry):
        response = Response(status=304)
        response.set_etag(tag)
        if entry is not None and entry.tag == tag:
            response.last_modified = entry.last_modified
        return response
