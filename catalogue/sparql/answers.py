"""Answers of the app's named queries, kept per store generation (issue 14, finding 3).

A heavy named query (a national aggregate, thousands of placements) is evaluated once per change
of the store and page of the answer: later requests for the same parameters are served from
memory. Requests that arrive while the answer is being made wait for it instead of starting the
same evaluation again (one flight per key), so eight clients looping on the heaviest query cost one
worker for one evaluation, not eight. The cache is bounded in bytes; the least recently used
answers go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from catalogue.sparql.results import Answer


class AnswerCache:
    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def _cached(self, key: Hashable) -> Answer | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def get(self, key: Hashable, make: Callable[[], Answer]) -> Answer:
        """The answer for ``key``: from memory, from a flight under way, or made now."""
        found = self._cached(key)
        if found is not None:
            return found
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            found = self._cached(key)
            if found is not None:
                return found
            try:
                made = make()
            finally:
                with self._lock:
                    self._flights.pop(key, None)
            self._keep(key, made)
            return made

    def _keep(self, key: Hashable, answer: Answer) -> None:
        size = len(answer.body)
        if size > self._max_bytes // 4:
            return
        with self._lock:
            self._answers[key] = answer
            self._size += size
            while self._size > self._max_bytes:
                _, old = self._answers.popitem(last=False)
                self._size -= len(old.body)

    def __len__(self) -> int:
        return len(self._answers)
