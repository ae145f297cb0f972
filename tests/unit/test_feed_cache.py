"""The feed cache stays under its sizes in bytes: built feeds and their pieces are dropped oldest first."""
from datetime import UTC, datetime

from mobilizon_lite.caching import Built
from mobilizon_lite.feeds.cache import ByteBoundLRU, FeedCache

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_oldest_values_go_when_the_bytes_run_over():
    lru = ByteBoundLRU(size=10, max_bytes=100)
    for key in "abc":
        lru.put(key, b"x" * 40)
    assert list(lru.entries) == ["b", "c"] and lru.bytes == 80
    lru.get("b")  # used: now the newest
    lru.put("d", b"x" * 40)
    assert list(lru.entries) == ["b", "d"] and lru.bytes == 80


def test_a_replaced_value_counts_once():
    lru = ByteBoundLRU(size=10, max_bytes=100)
    lru.put("a", b"x" * 60)
    lru.put("a", b"x" * 30)
    lru.put("b", b"x" * 60)
    assert list(lru.entries) == ["a", "b"] and lru.bytes == 90
    lru.clear()
    assert lru.bytes == 0 and not lru.entries


def test_the_count_still_bounds_it_and_one_value_too_big_is_kept_alone():
    lru = ByteBoundLRU(size=2, max_bytes=100)
    for key in "abc":
        lru.put(key, b"x")
    assert list(lru.entries) == ["b", "c"]
    lru.put("big", b"x" * 500)
    assert list(lru.entries) == ["big"] and lru.bytes == 500


def test_built_feeds_are_weighed_by_their_body():
    cache = FeedCache(body_bytes=1000)
    for key in range(3):
        cache.get(key, "tag", NOW, lambda: (b"x" * 400, None))
    assert list(cache.entries.entries) == [1, 2] and cache.entries.bytes == 800
    assert cache.peek(0, "tag", NOW) is None and cache.peek(2, "tag", NOW).body == b"x" * 400
    assert isinstance(cache.peek(2, "tag", NOW), Built)
