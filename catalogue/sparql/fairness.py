"""Fair shares of the query workers between clients (issue 14, finding 5).

A query waits a short while for a worker instead of being turned away at once, and the workers go
to the waiting clients in a fair order, not first come first served:

- each client (its address) has at most ``per_client`` queries evaluating at once while others
  wait (more only when a worker would otherwise idle) and at most ``QUEUE_PER_CLIENT`` more
  waiting; beyond that it gets 429. People behind one address (an office, a NAT) are queued, not
  refused, under ordinary load;
- among the waiting, the client whose queries cost the least worker time lately goes first (worker
  seconds per query, decaying with a half-life of a minute), so cheap queries of ordinary users
  overtake the queue of a client looping heavy ones, however many users share an address;
- one worker is kept for light clients (queries of less than ``LIGHT_S`` of worker time each,
  lately): however many addresses run heavy queries, the others' small queries still find a worker;
- at most ``MAX_WAITING`` requests wait in all, each at most ``WAIT_S`` (a waiting request holds a
  server thread); then 503.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

QUEUE_PER_CLIENT = 4
MAX_WAITING = 4
WAIT_S = 3.0
LIGHT_S = 0.5
HALF_LIFE_S = 60.0


class Refused(RuntimeError):
    """No worker for this request: ``status`` 429 (this client has enough) or 503 (all busy)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Held:
    client: str
    heavy: bool
    started: float


@dataclass
class _Usage:
    """Worker seconds and queries of one client, both decaying with a half-life."""

    seconds: float = 0.0
    queries: float = 0.0
    at: float = 0.0

    def _decay(self, moment: float) -> float:
        return math.pow(0.5, (moment - self.at) / HALF_LIFE_S)

    def mean(self, moment: float) -> float:
        """Worker seconds per query lately: what one more query of this client will likely cost."""
        queries = self.queries * self._decay(moment)
        return self.seconds * self._decay(moment) / queries if queries > 0.01 else 0.0

    def add(self, seconds: float, moment: float) -> None:
        decay = self._decay(moment)
        self.seconds, self.queries = self.seconds * decay + seconds, self.queries * decay + 1
        self.at = moment


class FairGate:
    """``heavy`` workers for anybody plus ``light`` workers only for light clients."""

    def __init__(self, heavy: int, light: int, per_client: int) -> None:
        self._heavy, self._light = max(1, heavy), max(0, light)
        self._per_client = max(1, per_client)
        self._cond = threading.Condition()
        self._running: Counter[str] = Counter()
        self._busy_heavy = self._busy_light = 0
        self._waiting: dict[int, str] = {}
        self._usage: dict[str, _Usage] = {}
        self._tickets = itertools.count()

    @property
    def size(self) -> int:
        return self._heavy + self._light

    def _used(self, client: str, moment: float) -> float:
        usage = self._usage.get(client)
        return usage.mean(moment) if usage else 0.0

    def _lane(self, client: str, moment: float) -> str | None:
        """The lane this client may take a worker from now, if any. Past its own share a client
        gets a worker only while nobody else waits (no worker idles for the sake of a limit)."""
        if self._running[client] >= self._per_client and any(
            c != client for c in self._waiting.values()
        ):
            return None
        if self._busy_heavy < self._heavy:
            return "heavy"
        if self._busy_light < self._light and self._used(client, moment) < LIGHT_S:
            return "light"
        return None

    def _first(self, moment: float) -> int | None:
        """The waiting ticket to serve next: the least-used client that can have a worker."""
        ready = [
            (self._used(client, moment), ticket)
            for ticket, client in self._waiting.items()
            if self._lane(client, moment) is not None
        ]
        return min(ready)[1] if ready else None

    def acquire(self, client: str) -> Held:
        """Wait (briefly, fairly) for a worker for ``client``; raises ``Refused``."""
        with self._cond:
            mine = sum(1 for c in self._waiting.values() if c == client)
            if mine >= QUEUE_PER_CLIENT:
                raise Refused(429, "too many queries from this client at once")
            if len(self._waiting) >= MAX_WAITING and self._lane(client, time.monotonic()) is None:
                raise Refused(503, "all query workers are busy")
            ticket = next(self._tickets)
            self._waiting[ticket] = client
            deadline = time.monotonic() + WAIT_S
            try:
                while self._first(time.monotonic()) != ticket:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        status = 429 if self._running[client] >= self._per_client else 503
                        raise Refused(status, "all query workers are busy")
                    self._cond.wait(left)
            finally:
                del self._waiting[ticket]
                self._cond.notify_all()
            heavy = self._lane(client, time.monotonic()) == "heavy"
            if heavy:
                self._busy_heavy += 1
            else:
                self._busy_light += 1
            self._running[client] += 1
        return Held(client, heavy, time.monotonic())

    def release(self, held: Held) -> None:
        ended = time.monotonic()
        with self._cond:
            if held.heavy:
                self._busy_heavy -= 1
            else:
                self._busy_light -= 1
            self._running[held.client] -= 1
            if not self._running[held.client]:
                del self._running[held.client]
            self._usage.setdefault(held.client, _Usage()).add(ended - held.started, ended)
            self._forget(ended)
            self._cond.notify_all()

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        held = self.acquire(client)
        try:
            yield
        finally:
            self.release(held)

    def _forget(self, moment: float) -> None:
        """Drop clients whose usage has decayed to nothing (the table stays small)."""
        if len(self._usage) > 10_000:
            for client in [c for c, u in self._usage.items() if u.mean(moment) == 0.0]:
                del self._usage[client]

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._busy_heavy >= self._heavy and self._busy_light >= self._light
