"""The public SPARQL query service: guarded, bounded in time and size, read-only.

``QueryService.check()`` runs the lexical guard (no parser involved); ``QueryService.run()``
evaluates in a killable worker process on a read-only snapshot (embedded store) or on the remote
server with timeouts and full-body parsing (remote store). Every failure is a ``SparqlError``
with an HTTP status and a message that is safe to show.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue.config import Settings
from catalogue.namespaces import PRIVATE_GRAPHS, is_private
from catalogue.queries import NamedQuery
from catalogue.service import Catalogue
from catalogue.sparql.answers import AnswerCache
from catalogue.sparql.fairness import FairGate, Held, Refused
from catalogue.sparql.guard import CheckedQuery, Limits, QueryRefused, check, check_dataset
from catalogue.sparql.pool import PoolBusy, QueryTimeout, WorkerFailed, WorkerPool
from catalogue.sparql.remote import RemoteQueries, UpstreamError, UpstreamTimeout
from catalogue.sparql.results import (
    Answer,
    Caps,
    boolean_answer,
    columns,
    solutions_answer,
    triples_answer,
)
from catalogue.sparql.snapshot import Snapshots
from catalogue.store import Bindings, StoreError

__all__ = ["Answer", "CheckedQuery", "QueryService", "SparqlError"]

log = logging.getLogger(__name__)

ANSWER_CACHE_BYTES = 64 * 1024 * 1024


class _Overran(Exception):
    """A query overran a kept worker's short budget (its worker was replaced)."""


class SparqlError(Exception):
    """An HTTP status and a message safe to show: ``message`` in English, ``key`` and ``params``
    naming the same message for translation (``sparql.refused.<key>`` in the web app)."""

    def __init__(self, status: int, message: str, key: str, **params: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.key = key
        self.params = params

    @classmethod
    def refused(cls, exc: QueryRefused) -> SparqlError:
        return cls(400, str(exc), exc.key, **exc.params)


@dataclass(frozen=True)
class Dataset:
    """The protocol's ``default-graph-uri`` and ``named-graph-uri`` values."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @classmethod
    def of(cls, default: Sequence[str], named: Sequence[str]) -> Dataset:
        for iri in (*default, *named):
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise SparqlError(
                    400, f"not a valid graph IRI: {iri!r}", "bad_graph", iri=repr(iri)
                ) from None
        try:
            check_dataset([*default, *named])
        except QueryRefused as exc:
            raise SparqlError.refused(exc) from None
        return cls(tuple(default), tuple(named))


def _refuse_private(query: NamedQuery, bindings: Bindings) -> None:
    """A remote store answers from its whole dataset, private graphs included (the snapshot
    without them is an embedded-store feature): there a named query that reads a private graph,
    or a parameter naming a private graph or resource (an editor, an audit record), is refused."""
    reads_private = any(graph in query.text for graph in PRIVATE_GRAPHS)
    names_private = any(
        isinstance(term, ox.NamedNode) and is_private(term.value) for term in bindings.values()
    )
    if reads_private or names_private:
        raise SparqlError(403, "this query reads data that is not public", "private")


def _shutdown(pool: WorkerPool | None, snapshots: Snapshots | None, remote: object) -> None:
    if pool is not None:
        pool.close()
    if snapshots is not None:
        snapshots.close()
    if isinstance(remote, RemoteQueries):
        remote.close()


class QueryService:
    def __init__(self, catalogue: Catalogue) -> None:
        settings: Settings = catalogue.settings
        self.settings = settings
        self.limits = Limits(settings.sparql_max_query_bytes, settings.sparql_max_depth)
        self.caps = Caps(settings.sparql_max_rows, settings.sparql_max_result_mb * 1024 * 1024)
        self._pool: WorkerPool | None = None
        self._snapshots: Snapshots | None = None
        self._remote: RemoteQueries | None = None
        # SPARQL_WORKERS for anybody, plus one kept for clients with little recent use
        self._fair = FairGate(settings.sparql_workers, 1, settings.sparql_workers_per_client)
        store = catalogue.store
        if store.can_snapshot:
            self._snapshots = Snapshots(store)
            self._pool = WorkerPool(
                self._fair.size,
                self._snapshots.current,
                timeout_s=settings.sparql_timeout_s,
                memory_mb=settings.sparql_worker_memory_mb,
            )
        else:
            self._remote = RemoteQueries(
                settings.query_endpoint, settings.sparql_timeout_s, 2 * self.caps.max_bytes
            )
        self._store = store
        self._answers = AnswerCache(ANSWER_CACHE_BYTES)
        self._finalizer = weakref.finalize(
            self, _shutdown, self._pool, self._snapshots, self._remote
        )

    def check(self, text: str) -> CheckedQuery:
        try:
            return check(text, self.limits)
        except QueryRefused as exc:
            raise SparqlError.refused(exc) from None

    def run(
        self, query: CheckedQuery, fmt: str, dataset: Dataset | None = None, client: str = ""
    ) -> Answer:
        """Evaluate within the budgets; ``client`` (its address) holds one of its own slots."""
        return self._fairly(client, lambda held: self._run(query, fmt, dataset or Dataset(), held))

    def _fairly(self, client: str, evaluate: Callable[[Held], Answer]) -> Answer:
        """``evaluate(held)`` on a worker for ``client`` (its address), in a fair order; 429
        or 503 when none. A query that overruns a kept worker's short budget runs again on a
        shared worker; one that crashed its worker is charged as if it had run to the budget."""
        shared_only = False
        while True:
            held = self._acquire(client, shared_only)
            charge_s = 0.0
            try:
                return evaluate(held)
            except _Overran:
                shared_only = True
            except SparqlError as exc:
                if exc.key == "worker_failed":
                    charge_s = self.settings.sparql_timeout_s
                raise
            finally:
                self._fair.release(held, charge_s)

    def _acquire(self, client: str, shared_only: bool) -> Held:
        try:
            return self._fair.acquire(client, shared_only)
        except Refused as exc:
            if exc.status == 429:
                raise SparqlError(
                    429,
                    f"{exc}; please wait for your queries to finish",
                    "client_busy",
                    limit=self.settings.sparql_workers_per_client,
                ) from None
            raise SparqlError(503, f"{exc}; please try again in a moment", "busy") from None

    def run_named(
        self,
        query: NamedQuery,
        bindings: Bindings,
        fmt: str,
        client: str = "",
        *,
        offset: int = 0,
        rows: int | None = None,
    ) -> Answer:
        """One of the app's own queries with a visitor's (validated) parameter values, the same
        way as a public query: in a worker, on the snapshot without private graphs, within the
        budgets and the client's slots; one page of ``rows`` from ``offset``; answers kept per
        store generation, so repeated requests cost nothing."""
        if self._remote is not None:
            _refuse_private(query, bindings)
        caps = Caps(min(rows or self.caps.max_rows, self.caps.max_rows), self.caps.max_bytes)
        terms = tuple(sorted((name, str(term)) for name, term in bindings.items()))
        key = (query.name, terms, fmt, offset, caps.max_rows, self._generation())

        def evaluate(held: Held) -> Answer:
            if self._remote is not None:
                return self._run_named_remote(query, bindings, fmt, offset, caps)
            request = {
                "query": query.text,
                "format": fmt,
                "substitutions": dict(terms),
                "offset": offset,
                "max_rows": caps.max_rows,
                "max_bytes": caps.max_bytes,
            }
            return self._evaluate(request, held)

        def make() -> Answer:
            return self._fairly(client, evaluate)

        if self._snapshots is None:  # a remote store: no write count to key answers on
            return make()
        return self._answers.get(key, make)

    def _generation(self) -> int | None:
        return self._snapshots.generation if self._snapshots is not None else None

    def _run_named_remote(
        self, query: NamedQuery, bindings: Bindings, fmt: str, offset: int, caps: Caps
    ) -> Answer:
        try:
            if query.form == "ASK":
                return boolean_answer(self._store.ask(query.text, bindings), fmt)
            if query.form == "SELECT":
                found = self._store.select(query.text, bindings)
                names = columns(query.text, bindings)
                return solutions_answer(names, found[offset:], fmt, caps)
            triples = self._store.construct(query.text, bindings)[offset:]
            return triples_answer(triples, fmt, caps)
        except StoreError as exc:
            raise SparqlError(502, str(exc), "upstream", detail=str(exc)) from None

    def _run(self, query: CheckedQuery, fmt: str, dataset: Dataset, held: Held) -> Answer:
        if self._remote is not None:
            return self._run_remote(query, fmt, dataset)
        request = {
            "query": query.text,
            "format": fmt,
            "default_graphs": list(dataset.default_graphs),
            "named_graphs": list(dataset.named_graphs),
            "query_dataset": query.names_dataset,
            "max_rows": self.caps.max_rows,
            "max_bytes": self.caps.max_bytes,
        }
        return self._evaluate(request, held)

    def _evaluate(self, request: dict[str, object], held: Held) -> Answer:
        assert self._pool is not None and self._snapshots is not None
        if self._snapshots.stale:
            self._pool.refresh(self._snapshots.current())
        fmt = str(request["format"])
        try:
            header, body = self._pool.run(request, held.budget_s, held.start)
        except PoolBusy as exc:
            raise SparqlError(503, f"{exc}; please try again in a moment", "busy") from None
        except QueryTimeout as exc:
            if held.budget_s is not None and held.budget_s < self.settings.sparql_timeout_s:
                raise _Overran from None
            raise SparqlError(
                504, str(exc), "timeout", seconds=f"{self.settings.sparql_timeout_s:g}"
            ) from None
        except WorkerFailed:
            raise SparqlError(
                400,
                "the query could not be evaluated (its worker failed, e.g. out of memory)",
                "worker_failed",
            ) from None
        if not header.get("ok"):
            error = header.get("error")
            if error == "syntax":
                detail = header.get("message")
                raise SparqlError(400, f"SPARQL syntax error: {detail}", "syntax", detail=detail)
            log.warning("query failed in worker: %s", header.get("message"))
            if error == "memory":
                raise SparqlError(400, "the query needs more memory than allowed", "memory")
            raise SparqlError(400, "the query could not be evaluated", "failed")
        return Answer(body, fmt, int(header["rows"]), bool(header["truncated"]))

    def _run_remote(self, query: CheckedQuery, fmt: str, dataset: Dataset) -> Answer:
        assert self._remote is not None
        try:
            return self._remote.run(
                query, fmt, self.caps, list(dataset.default_graphs), list(dataset.named_graphs)
            )
        except UpstreamTimeout as exc:
            raise SparqlError(504, str(exc), "upstream_timeout") from None
        except UpstreamError as exc:
            raise SparqlError(502, str(exc), "upstream", detail=str(exc)) from None

    def prepare(self) -> None:
        """Take the snapshot and start the workers now, not in the first visitor's request."""
        if self._pool is not None:
            self._pool.prepare()

    @property
    def busy(self) -> bool:
        """True when a new query would be turned away (503)."""
        return self._fair.busy

    def worker_pids(self) -> list[int]:
        """PIDs of the idle workers (for tests and health checks)."""
        return self._pool.worker_pids() if self._pool is not None else []

    def close(self) -> None:
        self._finalizer()
