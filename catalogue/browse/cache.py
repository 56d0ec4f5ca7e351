"""A short-lived per-store cache for national aggregates (counts, the search index).

Aggregates over the whole catalogue cost tens of milliseconds at national scale; pages that need
them reuse a result for ``ttl`` seconds. A write through the store in this process bumps its
``generation``, which invalidates the entry at once; ``invalidate(store)`` does the same for other
writes, and a change made by another process (or a remote store) shows within ``ttl`` seconds.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_TTL_S = 60.0

_entries: weakref.WeakKeyDictionary[Any, dict[Hashable, tuple[float, object, Any]]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def cached(store: Any, key: Hashable, build: Callable[[], T], ttl: float = DEFAULT_TTL_S) -> T:
    """The value cached for ``(store, key)``, built again when older than ``ttl`` seconds."""
    now = time.monotonic()
    generation = getattr(store, "generation", None)
    with _lock:
        hit = _entries.setdefault(store, {}).get(key)
    if hit is not None and now - hit[0] < ttl and hit[1] == generation:
        value: T = hit[2]
        return value
    value = build()
    with _lock:
        _entries.setdefault(store, {})[key] = (time.monotonic(), generation, value)
    return value


def invalidate(store: Any) -> None:
    """Forget everything cached for ``store`` (call after writing to it)."""
    with _lock:
        _entries.pop(store, None)
