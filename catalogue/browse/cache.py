"""A short-lived per-store cache for national aggregates (counts, the search index).

Aggregates over the whole catalogue cost tens to hundreds of milliseconds at national scale; pages
that need them reuse a result. A write through the store in this process bumps its
``generation``, which makes the next request rebuild the entry; ``invalidate(store)`` does the
same for other writes. Changes made by another process (or in a remote store) show within ``ttl``
seconds: an entry older than that is still served once while a background thread rebuilds it, so
no request waits for the rebuild (stale-while-revalidate).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DEFAULT_TTL_S = 60.0


@dataclass
class _Entry(Generic[T]):
    built: float
    generation: object
    value: T
    refreshing: bool = False


_entries: weakref.WeakKeyDictionary[Any, dict[Hashable, _Entry[Any]]] = weakref.WeakKeyDictionary()
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


def cached(store: Any, key: Hashable, build: Callable[[], T], ttl: float = DEFAULT_TTL_S) -> T:
    """The value for ``(store, key)``: built now when missing or the store has changed since,
    served and rebuilt in the background when older than ``ttl`` seconds."""
    generation = getattr(store, "generation", None)
    with _lock:
        entry = _entries.setdefault(store, {}).get(key)
        stale = entry is not None and time.monotonic() - entry.built >= ttl
        refresh = (
            entry is not None and entry.generation == generation and stale and not entry.refreshing
        )
        if refresh:
            entry.refreshing = True  # type: ignore[union-attr]
    if entry is not None and entry.generation == generation:
        if refresh:
            threading.Thread(
                target=_refresh, args=(store, key, generation, build), daemon=True
            ).start()
        value: T = entry.value
        return value
    value = build()
    _store_entry(store, key, generation, value)
    return value


def invalidate(store: Any) -> None:
    """Forget everything cached for ``store`` (call after writing to it behind its back)."""
    with _lock:
        _entries.pop(store, None)
