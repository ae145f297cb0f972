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


class FeedCache:
    """A small LRU of built feeds; an entry is reused only while its fingerprint is unchanged."""

    def __init__(self, size=128):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()
        self.builds = 0

    def _get(self, key, tag, build):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and entry.tag == tag:
                self.entries.move_to_end(key)
                return entry
        body = build()
        entry = Built(tag, body, utcnow().replace(microsecond=0))
        with self.lock:
            self.builds += 1
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return entry

    def respond(self, request, key, tag, build, content_type):
        """304 when the client holds this version (by ETag, else by date), else the body."""
        if request.if_none_match and request.if_none_match.contains(tag):
            return self._not_modified(tag, self.entries.get(key))
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
