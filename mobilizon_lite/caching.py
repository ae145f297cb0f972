"""Things built once and reused while what they show is unchanged: a bounded LRU mapping, and a cache
of built bodies checked against a tag and an expiry, rebuilt by one thread at a time."""
import threading
from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple


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

    def clear(self):
        with self.lock:
            self.entries.clear()


class Built(NamedTuple):
    """One built thing: the tag it was built for, its body, when it was built, and until when it
    holds whatever the tag says (None: for as long as the tag is current)."""
    tag: object
    body: object
    built_at: datetime
    valid_until: datetime | None = None

    def current(self, tag, now):
        return self.tag == tag and (self.valid_until is None or now < self.valid_until)


class BuildCache:
    """Bodies kept by key while their tag is current and they have not expired."""

    def __init__(self, size):
        self.entries = LRU(size)
        self.builds = 0
        self._locks = {}
        self._locks_lock = threading.Lock()

    def _lock_for(self, key):
        with self._locks_lock:
            lock = self._locks.get(key)
            if lock is None:
                # Keys come from requests: the locks must not outgrow the entries they guard.
                if len(self._locks) > 4 * self.entries.size:
                    self._locks = {k: v for k, v in self._locks.items() if v.locked()}
                lock = self._locks[key] = threading.Lock()
            return lock

    def peek(self, key, tag, now):
        """The entry for key when it is current, else None; never builds."""
        entry = self.entries.get(key)
        return entry if entry is not None and entry.current(tag, now) else None

    def get(self, key, tag, now, build):
        """The current entry for key, built when missing or stale.

        build() returns (body, valid_until); one thread builds a stale key while the others wait
        for its result instead of redoing it.
        """
        entry = self.peek(key, tag, now)
        if entry is not None:
            return entry
        with self._lock_for(key):
            entry = self.peek(key, tag, now)
            if entry is not None:
                return entry
            body, valid_until = build()
            entry = Built(tag, body, now.replace(microsecond=0), valid_until)
            self.builds += 1
            self.entries.put(key, entry)
        return entry
