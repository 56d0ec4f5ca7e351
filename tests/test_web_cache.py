"""The aggregate cache: rebuilt when the store changes, served stale while refreshing."""

from __future__ import annotations

import threading
import time

from catalogue.browse import cache


class FakeStore:
    generation = 0


def test_built_once_then_reused() -> None:
    store, calls = FakeStore(), []
    assert cache.cached(store, "k", lambda: calls.append(1) or len(calls)) == 1
    assert cache.cached(store, "k", lambda: calls.append(1) or len(calls)) == 1
    assert len(calls) == 1


def test_a_write_to_the_store_rebuilds_at_once() -> None:
    store = FakeStore()
    assert cache.cached(store, "k", lambda: "old") == "old"
    store.generation += 1
    assert cache.cached(store, "k", lambda: "new") == "new"


def test_invalidate_forgets() -> None:
    store = FakeStore()
    cache.cached(store, "k", lambda: "old")
    cache.invalidate(store)
    assert cache.cached(store, "k", lambda: "new") == "new"


def test_expired_entry_is_served_while_a_thread_rebuilds() -> None:
    store, done = FakeStore(), threading.Event()

    def rebuild() -> str:
        done.set()
        return "fresh"

    cache.cached(store, "k", lambda: "stale", ttl=0)
    assert cache.cached(store, "k", rebuild, ttl=0) == "stale"
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while cache.cached(store, "k", lambda: "other", ttl=60) != "fresh":
        assert time.monotonic() < deadline
