"""Fair shares of the query workers between clients (issue 14, findings 5 and 14.3).

A query waits a short while for a worker instead of being turned away at once, and the workers go
to the waiting clients in a fair order, not first come first served:

- the shared workers serve anybody; the kept ("light") workers serve only clients whose queries
  cost less than ``LIGHT_S`` of worker time each lately, and there a query gets at most
  ``LIGHT_BUDGET_S``: a newcomer's first heavy query cannot hold the kept worker for the whole
  budget (it is moved to the shared workers, ``shared_only``), so however many addresses run heavy
  or crashing queries, the others' small queries still find a worker within ``WAIT_S``;
- among the waiting, the client whose queries cost the least worker time lately goes first (worker
  seconds per query, decaying with a half-life of a minute), so cheap queries of ordinary users
  overtake the queue of a client looping heavy ones, however many users share an address; a
  client not seen lately queues behind the known light ones (``NEWCOMER_S``), so a handful of
  new addresses cannot take the kept worker from them one after the other; a query
  that crashed its worker is charged as if it had run to the budget, so a crash loop is a heavy
  client at once;
- each client has at most ``per_client`` queries evaluating at once while another client waits for
  the same workers (more only when a worker would otherwise idle) and at most ``QUEUE_PER_CLIENT``
  more waiting; beyond that 429. People behind one address (an office, a NAT) are queued, not
  refused, under ordinary load;
- waiting requests hold server threads, so at most ``MAX_WAITING`` wait in all and at most
  ``MAX_WAITING_SHARED`` of them for the shared workers only (heavy clients): a few clients looping
  heavy queries are turned away with 503 at once instead of filling the queue that ordinary users'
  small queries wait in; each waits at most ``WAIT_S``, then 503.
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

QUEUE_PER_CLIENT = 8
MAX_WAITING = 16
MAX_WAITING_SHARED = 2
WAIT_S = 3.0
LIGHT_S = 0.5
NEWCOMER_S = LIGHT_S / 2
LIGHT_BUDGET_S = LIGHT_S
HALF_LIFE_S = 60.0


class Refused(RuntimeError):
    """No worker for this request: ``status`` 429 (this client has enough) or 503 (all busy)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Held:
    client: str
    heavy: bool
    started: float

    def start(self) -> None:
        """The query starts evaluating now: the client is charged from here, not for the wait
        for a worker that was still starting."""
        self.started = time.monotonic()

    @property
    def budget_s(self) -> float | None:
        """The most worker time this query may take here (None: the service's own budget)."""
        return None if self.heavy else LIGHT_BUDGET_S


@dataclass(frozen=True)
class _Ticket:
    client: str
    shared_only: bool


@dataclass
class _Usage:
    """Worker seconds and queries of one client, both decaying with a half-life."""

    seconds: float = 0.0
    queries: float = 0.0
    at: float = 0.0

    def _decay(self, moment: float) -> float:
        return math.pow(0.5, (moment - self.at) / HALF_LIFE_S)

    def mean(self, moment: float) -> float | None:
        """Worker seconds per query lately: what one more query of this client will likely cost
        (None: no queries lately)."""
        queries = self.queries * self._decay(moment)
        return self.seconds * self._decay(moment) / queries if queries > 0.01 else None

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
        self._waiting: dict[int, _Ticket] = {}
        self._usage: dict[str, _Usage] = {}
        self._tickets = itertools.count()

    @property
    def size(self) -> int:
        return self._heavy + self._light

    def _used(self, client: str, moment: float) -> float:
        """Worker seconds per query lately; a client not seen lately is assumed to cost
        ``NEWCOMER_S``: light, but behind the ordinary users the service knows."""
        mean = self._usage[client].mean(moment) if client in self._usage else None
        return NEWCOMER_S if mean is None else mean

    def _free(self, ticket: _Ticket, moment: float) -> str | None:
        """The lane with a free worker this ticket may use: the shared ones first."""
        if self._busy_heavy < self._heavy:
            return "heavy"
        light = not ticket.shared_only and self._used(ticket.client, moment) < LIGHT_S
        return "light" if light and self._busy_light < self._light else None

    def _lane(self, ticket: _Ticket, moment: float) -> str | None:
        """The lane ``ticket`` may take a worker from now, if any. Past its own share a client
        gets a worker only while no other client waits who could have it (no worker idles for
        the sake of a limit, and a heavy client's queue does not hold back a light one)."""
        lane = self._free(ticket, moment)
        if lane is None or self._running[ticket.client] < self._per_client:
            return lane
        others = (t for t in self._waiting.values() if t.client != ticket.client)
        return None if any(self._free(t, moment) == lane for t in others) else lane

    def _first(self, moment: float) -> int | None:
        """The waiting ticket to serve next: the least-used client that can have a worker."""
        ready = [
            (self._used(t.client, moment), number)
            for number, t in self._waiting.items()
            if self._lane(t, moment) is not None
        ]
        return min(ready)[1] if ready else None

    def _admit(self, ticket: _Ticket, moment: float) -> None:
        """Refuse at once what would only wait in vain or crowd others out of the queue."""
        waiting = list(self._waiting.values())
        if sum(1 for t in waiting if t.client == ticket.client) >= QUEUE_PER_CLIENT:
            raise Refused(429, "too many queries from this client at once")
        if self._lane(ticket, moment) is not None:
            return
        if len(waiting) >= MAX_WAITING or (
            self._shared(ticket, moment)
            and sum(1 for t in waiting if self._shared(t, moment)) >= MAX_WAITING_SHARED
        ):
            raise Refused(503, "all query workers are busy")

    def _shared(self, ticket: _Ticket, moment: float) -> bool:
        """True when only the shared workers will take this ticket (a heavy client)."""
        return ticket.shared_only or self._used(ticket.client, moment) >= LIGHT_S

    def acquire(self, client: str, shared_only: bool = False) -> Held:
        """Wait (briefly, fairly) for a worker for ``client``; raises ``Refused``.
        ``shared_only``: not on a kept worker (a query that overran the light budget there)."""
        ticket = _Ticket(client, shared_only)
        with self._cond:
            self._admit(ticket, time.monotonic())
            number = next(self._tickets)
            self._waiting[number] = ticket
            deadline = time.monotonic() + WAIT_S
            try:
                while self._first(time.monotonic()) != number:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        status = 429 if self._running[client] >= self._per_client else 503
                        raise Refused(status, "all query workers are busy")
                    self._cond.wait(left)
            finally:
                del self._waiting[number]
                self._cond.notify_all()
            heavy = self._lane(ticket, time.monotonic()) == "heavy"
            if heavy:
                self._busy_heavy += 1
            else:
                self._busy_light += 1
            self._running[client] += 1
        return Held(client, heavy, time.monotonic())

    def release(self, held: Held, charge_s: float = 0.0) -> None:
        """The worker is free again; the client is charged its time plus ``charge_s`` (a crashed
        worker's restart: the service charges a crash as a query that ran to the budget)."""
        ended = time.monotonic()
        with self._cond:
            if held.heavy:
                self._busy_heavy -= 1
            else:
                self._busy_light -= 1
            self._running[held.client] -= 1
            if not self._running[held.client]:
                del self._running[held.client]
            self._usage.setdefault(held.client, _Usage()).add(
                ended - held.started + charge_s, ended
            )
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
            for client in [c for c, u in self._usage.items() if u.mean(moment) is None]:
                del self._usage[client]

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._busy_heavy >= self._heavy and self._busy_light >= self._light
