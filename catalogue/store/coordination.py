"""What catalogue processes sharing one SPARQL server keep in it: a change counter and leases.

- **Change counter.** Every write a process sends carries ``queries/store/record_change.ru`` in its
  update request (the same transaction): a count and the server's time in the graph
  ``<urn:specialekatalog:state>``. Each process reads it (at most every ``CHANGES_POLL_S``) to tell
  whether its caches are stale, whoever wrote. Read through the query endpoint it says how current
  the data queried is (a read replica: as of its last refresh); read through the Graph Store
  Protocol it is the writer's.
- **Leases.** A named lock held in the server (``<urn:specialekatalog:leases>``), so that
  processes take turns (the editing commit). A process adds a claim, then reads every claim on the
  lease from the writer: it holds the lease when its claim is the only one, else it withdraws and
  tries again after a short random pause. Each step is one request the server applies atomically,
  so two processes never both see themselves alone. A claim expires after ``LEASE_S``: a process
  that dies holding one blocks the others only that long.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from catalogue.config import knowledge_paths
from catalogue.store.protocol import Bindings, Row, StoreError

STATE_GRAPH = ox.NamedNode("urn:specialekatalog:state")
LEASE_GRAPH = ox.NamedNode("urn:specialekatalog:leases")
OWN_GRAPHS = frozenset({STATE_GRAPH, LEASE_GRAPH})  # the store's own: not catalogue data
SCRATCH_PREFIX = "urn:specialekatalog:probe:"  # graphs written and dropped by the store probe:
# writes to them are no change to the catalogue's data (no cache rebuilds, no stale replicas)
CHANGES_POLL_S = 1.0  # a process looks at the shared change counter at most this often
LEASE_S = 120.0  # a claim lasts this long (longer than any commit)
_LEASE = "urn:specialekatalog:lease#"
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


class Busy(StoreError):
    """Another process held the lease for longer than the caller would wait."""


@cache
def store_query(name: str) -> str:
    """The text of ``queries/store/<name>`` (``.rq`` query or ``.ru`` update)."""
    return (knowledge_paths()["queries"] / "store" / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Changes:
    """The change counter as one endpoint sees it (``count`` 0: no catalogue wrote yet)."""

    count: int
    stamp: str  # the server's time of the last write (two after two writes at the same moment)
    changed_at: dt.datetime | None

    @property
    def generation(self) -> int:
        """A number that differs after every recorded write."""
        digest = hashlib.sha256(f"{self.count} {self.stamp}".encode()).hexdigest()
        return int(digest[:15], 16)

    @classmethod
    def of(cls, values: dict[str, list[str]]) -> Changes:
        """From the lexical values of ``changes`` and ``changedAt``."""
        if not values.get("changedAt"):
            return cls(0, "", None)
        times = sorted(set(values["changedAt"]))
        count = max(int(v) for v in values["changes"])
        return cls(count, " ".join(times), dt.datetime.fromisoformat(times[-1]))

    @classmethod
    def of_rows(cls, rows: list[Row]) -> Changes:
        """From the answer of ``changes.rq``."""
        values: dict[str, list[str]] = {}
        for row in rows:
            for key, term in row.items():
                values.setdefault(key, []).append(term.value)
        return cls.of(values)

    @classmethod
    def of_quads(cls, quads: Iterator[ox.Quad]) -> Changes:
        """From the state graph's triples (a Graph Store Protocol read of the writer)."""
        values: dict[str, list[str]] = {}
        for quad in quads:
            if isinstance(quad.object, ox.Literal):
                key = quad.predicate.value.rsplit("#", 1)[-1]
                values.setdefault(key, []).append(quad.object.value)
        return cls.of(values)


class ChangeCounter:
    """The shared change counter read through a query function, at most every ``poll_s``."""

    def __init__(self, select: Callable[[str], list[Row]], poll_s: float = CHANGES_POLL_S) -> None:
        self._select = select
        self._poll_s = poll_s
        self._read_at = float("-inf")
        self._last = Changes(0, "", None)

    def current(self) -> Changes:
        now = time.monotonic()
        if now - self._read_at >= self._poll_s:
            self._last = Changes.of_rows(self._select(store_query("changes.rq")))
            self._read_at = now
        return self._last

    def forget(self) -> None:
        """This process just wrote: read the counter afresh next time."""
        self._read_at = float("-inf")


def _stamp(moment: dt.datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(), datatype=_XSD_DATETIME)


@contextmanager
def lease(
    name: str,
    update: Callable[[str, Bindings], None],
    claims: Callable[[], Iterator[ox.Quad]],
    wait_s: float,
) -> Iterator[None]:
    """Hold the lease ``name`` while the body runs; ``Busy`` after ``wait_s`` seconds of trying.

    ``update`` sends an update with bindings to the writer; ``claims`` reads the lease graph from
    the writer (never a replica: a stale read would let two processes in)."""
    claim = ox.NamedNode(f"{_LEASE}claim/{uuid.uuid4()}")
    deadline = time.monotonic() + wait_s
    while True:
        now = dt.datetime.now(dt.UTC)
        update(store_query("lease_expire.ru"), {"now": _stamp(now)})
        until = _stamp(now + dt.timedelta(seconds=LEASE_S))
        update(
            store_query("lease_claim.ru"),
            {"claim": claim, "lease": ox.Literal(name), "until": until},
        )
        holders = {
            q.subject
            for q in claims()
            if q.predicate.value == _LEASE + "lease" and q.object == ox.Literal(name)
        }
        if holders == {claim}:
            break
        update(store_query("lease_release.ru"), {"claim": claim})
        if time.monotonic() > deadline:
            raise Busy("another catalogue process is writing")
        time.sleep(random.uniform(0.05, 0.2))
    try:
        yield
    finally:
        update(store_query("lease_release.ru"), {"claim": claim})
