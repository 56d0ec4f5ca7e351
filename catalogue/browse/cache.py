"""A per-store cache for national aggregates (counts, the search index, near misses).

Aggregates over the whole catalogue cost from tens of milliseconds to seconds at national scale,
so pages reuse them. An entry stays valid while the store's ``generation`` is unchanged: the
embedded store counts the writes of its one process; a SPARQL server shared by several catalogue
processes keeps the count in the server (every write records a change there, and each process
reads it at most once a second), so a write through any process invalidates every process's
entries within about a second. A store without a counter keeps an entry for ``ttl`` seconds.
An entry that is no longer valid is still served while one background thread rebuilds it
(stale-while-revalidate), so after the first build no request waits for an aggregate.
``invalidate(store)`` forgets everything at once. An aggregate a writer must see at once (the
decisions on the planning view) asks for ``fresh``: it is rebuilt on the first request after a
change, while the request waits.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from catalogue.store import Store

T = TypeVar("T")

DEFAULT_TTL_S = 60.0


@dataclass
class _Entry(Generic[T]):
    built: float
    generation: object
    value: T
    refreshing: bool = False


_entries: weakref.WeakKeyDictionary[Any, dict[Hashable, _Entry[Any]]] = weakref.WeakKeyDictionary()
_starting: weakref.WeakKeyDictionary[Any, set[Hashable]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _store_entry(store: Any, key: Hashable, generation: object, value: object) -> None:
    with _lock:
        _entries.setdefault(store, {})[key] = _Entry(time.monotonic(), generation, value)


def _refresh(store: Any, key: Hashable, generation: object, build: Callable[[], Any]) -> None:
    try:
        _store_entry(store, key, generation, build())
    finally:
        with _lock:
            entry = _entries.get(store, {}).get(key)
            if entry is not None:
                entry.refreshing = False


def _valid(entry: _Entry[Any], generation: object, ttl: float) -> bool:
    if generation is not None:
        return bool(entry.generation == generation)
    return time.monotonic() - entry.built < ttl


def cached(
    store: Store,
    key: Hashable,
    build: Callable[[], T],
    ttl: float = DEFAULT_TTL_S,
    *,
    fresh: bool = False,
) -> T:
    """The value for ``(store, key)``: built now the first time; afterwards served at once and
    rebuilt in the background when the store has changed (or, without a generation, when older
    than ``ttl`` seconds). ``fresh``: keyed by the store's state, so after a change the value is
    rebuilt now and never served stale (a store without a generation: rebuilt after ``ttl``)."""
    generation = store.generation
    with _lock:
        entry = _entries.setdefault(store, {}).get(key)
        if fresh and entry is not None and not _valid(entry, generation, ttl):
            entry = None
        refresh = entry is not None and not entry.refreshing and not _valid(entry, generation, ttl)
        if refresh:
            entry.refreshing = True  # type: ignore[union-attr]
    if entry is None:
        value = build()
        _store_entry(store, key, generation, value)
        return value
    if refresh:
        threading.Thread(target=_refresh, args=(store, key, generation, build), daemon=True).start()
    served: T = entry.value
    return served


def in_background(
    store: Store, key: Hashable, build: Callable[[], T], ttl: float = DEFAULT_TTL_S
) -> T | None:
    """Like ``cached``, but the caller never waits for a build: None while the first build runs
    in a background thread (for aggregates that cost about a full check)."""
    with _lock:
        first = key not in _entries.get(store, {})
        if first:
            starting = _starting.setdefault(store, set())
            if key in starting:
                return None
            starting.add(key)
    if not first:
        return cached(store, key, build, ttl)

    def run() -> None:
        try:
            cached(store, key, build, ttl)
        finally:
            with _lock:
                _starting.get(store, set()).discard(key)

    threading.Thread(target=run, daemon=True).start()
    return None


def invalidate(store: Any) -> None:
    """Forget everything cached for ``store``: the next request builds afresh."""
    with _lock:
        _entries.pop(store, None)
