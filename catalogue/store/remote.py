"""The remote backend: any SPARQL 1.1 server (Query, Update, Graph Store Protocol) over HTTP with
explicit timeouts.

Queries see the union of all named graphs as their default graph (Oxigraph server: start it with
``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``). Values are written into the
query text as the embedded store's substitutions would bind them (``binding.py``), their terms
serialised by pyoxigraph's own writer.

Several catalogue processes may share one server (``coordination.py``): every write also records a
change in the server, which is what ``generation`` reads, and ``exclusive`` is a lease held in the
server. Queries are sent form-encoded (every engine takes that; Virtuoso 7.2 hangs on a
``application/sparql-query`` body); an answer the server cut at its row limit (an
``X-SPARQL-MaxRows`` header) is an error, never taken as whole. ``write_triples`` > 0 splits a
write into updates of at most that many triples (Virtuoso refuses about 1,000 and more in one
``INSERT DATA``): such a write is no longer atomic.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from itertools import groupby, islice
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox

from catalogue.store.binding import BindingError, bind_values
from catalogue.store.common import release, replace_update, rows, serialized
from catalogue.store.coordination import (
    LEASE_GRAPH,
    OWN_GRAPHS,
    SCRATCH_PREFIX,
    STATE_GRAPH,
    ChangeCounter,
    Changes,
    lease,
    store_query,
)
from catalogue.store.protocol import Bindings, Row, StoreError

REPLACE_BATCH = 500  # graphs per update of ``replace_all``
ADD_CHUNK = 50_000  # quads per SPARQL update when adding in bulk to a remote store


class ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks (a streamed HTTP body)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            try:
                self._rest = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


class RemoteStore:
    """A SPARQL 1.1 server: Query, Update and Graph Store Protocol endpoints."""

    def __init__(
        self,
        query_endpoint: str,
        update_endpoint: str,
        gsp_endpoint: str,
        timeout_s: float,
        write_triples: int = 0,
    ) -> None:
        if not (query_endpoint and update_endpoint and gsp_endpoint):
            raise StoreError(
                "STORE=remote needs SPECIALEKATALOG_QUERY_ENDPOINT, "
                "SPECIALEKATALOG_UPDATE_ENDPOINT and SPECIALEKATALOG_GSP_ENDPOINT"
            )
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint
        self.gsp_endpoint = gsp_endpoint
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=2.0))
        self.write_triples = write_triples
        self._changes = ChangeCounter(self.select)
        self._lateral: bool | None = None

    @property
    def generation(self) -> int:
        """The change counter kept in the server: it changes with every write by any process."""
        return self._changes.current().generation

    @property
    def lateral(self) -> bool:
        """Asked of the server once: does it evaluate LATERAL (with the right answer)?"""
        if self._lateral is None:
            try:
                answer = self.select(store_query("lateral.rq"))
                self._lateral = [r.get("y") for r in answer] == [ox.Literal(2)]
            except StoreError:
                self._lateral = False
        return self._lateral

    def freshness(self) -> dict[str, object]:
        """The last change the query endpoint sees and the writer's (the Graph Store Protocol
        endpoint): behind a read replica they differ until its next refresh."""
        queried = Changes.of_rows(self.select(store_query("changes.rq")))
        writer = Changes.of_quads(self._download(STATE_GRAPH))
        lag = 0.0
        if queried.stamp != writer.stamp and writer.changed_at is not None:
            since = queried.changed_at or writer.changed_at
            lag = max(0.0, (writer.changed_at - since).total_seconds())
        return {
            "changes": queried.count,
            "changed_at": queried.changed_at.isoformat() if queried.changed_at else None,
            "writer_changes": writer.count,
            "writer_changed_at": writer.changed_at.isoformat() if writer.changed_at else None,
            "current": queried.stamp == writer.stamp,
            "lag_s": lag,
        }

    def exclusive(self, name: str, wait_s: float) -> AbstractContextManager[None]:
        """A lease held in the server: processes sharing it take turns."""
        return lease(name, self._update_bound, lambda: self._download(LEASE_GRAPH), wait_s)

    directory = None
    large_writes = False  # bounded requests: a server limits request size and time
    can_snapshot = False  # public queries go to the server's own endpoint

    def snapshot(self, target: Path) -> None:
        raise StoreError("a remote store cannot be snapshotted: query its endpoint instead")

    @staticmethod
    def _bound(query: str, bindings: Bindings | None) -> str:
        """The values written into the query text (``catalogue.store.binding``)."""
        if not bindings:
            return query
        try:
            return bind_values(query, bindings)
        except BindingError as exc:
            raise StoreError(str(exc)) from None

    def _post_query(self, query: str, accept: str) -> httpx.Response:
        try:
            response = self._http.post(
                self.query_endpoint, data={"query": query}, headers={"Accept": accept}
            )
        except httpx.TimeoutException as exc:
            raise StoreError("the SPARQL server did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise StoreError("the SPARQL server could not be reached") from exc
        if response.status_code != 200:
            raise StoreError(f"the SPARQL server answered {response.status_code}")
        limit = response.headers.get("X-SPARQL-MaxRows")
        if limit is not None:
            raise StoreError(
                f"the SPARQL server cut its answer at {limit} rows (X-SPARQL-MaxRows): "
                "raise its row limit (Virtuoso: ResultSetMaxRows)"
            )
        return response

    def _results(self, query: str, bindings: Bindings | None) -> object:
        response = self._post_query(self._bound(query, bindings), "application/sparql-results+json")
        try:
            return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError("the SPARQL server sent an incomplete or invalid answer") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._results(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        try:
            return rows(result)  # the answer is parsed while it is read
        except SyntaxError as exc:
            release(exc)
            raise StoreError("the SPARQL server sent an incomplete or invalid answer") from None
        finally:
            del result

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._results(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        response = self._post_query(self._bound(query, bindings), "application/n-triples")
        try:
            triples = ox.parse(response.content, ox.RdfFormat.N_TRIPLES)
            return list(dict.fromkeys(q.triple for q in triples))
        except SyntaxError as exc:
            raise StoreError("the SPARQL server sent an incomplete or invalid answer") from exc

    def _send_update(self, update: str) -> None:
        try:
            response = self._http.post(
                self.update_endpoint,
                content=update.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
            )
        except httpx.HTTPError as exc:
            raise StoreError("the SPARQL server could not be reached for an update") from exc
        if response.status_code not in (200, 204):
            raise StoreError(f"the SPARQL server refused the update ({response.status_code})")

    def _update(self, update: str, graphs: Iterable[ox.NamedNode] = ()) -> None:
        """One update request that also records the change (same transaction), unless it writes
        scratch graphs only (the store probe's). The record goes first: its PREFIX lines open the
        request (Oxigraph takes no prologue after a ``;``)."""
        names = list(graphs)
        if names and all(name.value.startswith(SCRATCH_PREFIX) for name in names):
            self._send_update(update)
            return
        self._send_update(store_query("record_change.ru") + " ;\n" + update)
        self._changes.forget()

    def _update_bound(self, update: str, bindings: Bindings) -> None:
        """The store's own bookkeeping (leases): not a change to the catalogue's data."""
        self._send_update(self._bound(update, bindings))

    def _chunks(self, nt: str) -> Iterator[str]:
        """N-Triples text (one triple a line) in pieces of at most ``write_triples`` triples."""
        if not self.write_triples:
            yield nt
            return
        # at "\n" only: str.splitlines() also splits at U+2028, which literals may hold
        lines = [f"{line}\n" for line in nt.split("\n") if line]
        for start in range(0, len(lines), self.write_triples):
            yield "".join(lines[start : start + self.write_triples])

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        self.replace_graphs_text(
            {
                name: serialized(list(triples), ox.RdfFormat.N_TRIPLES).decode()
                for name, triples in graphs.items()
            }
        )

    def replace_graphs_text(
        self,
        graphs: Mapping[ox.NamedNode, str],
        *,
        trusted: bool = False,
        bulk: bool = False,
        added: Collection[ox.NamedNode] = (),
    ) -> None:
        """One SPARQL update, atomic on the server (``trusted``, ``bulk`` change nothing); with
        ``write_triples``, the first update drops the graphs and each adds one piece."""
        graphs = {name: nt for name, nt in graphs.items() if nt or name not in added}
        if not graphs:
            return
        if not self.write_triples:
            self._update(replace_update(graphs, added), graphs)
            return
        pieces = {name: list(self._chunks(nt)) if nt else [] for name, nt in graphs.items()}
        first = {name: p[0] if p else "" for name, p in pieces.items()}
        self._update(replace_update(first, added), graphs)
        for name, rest in pieces.items():
            for piece in rest[1:]:
                self._insert(name, piece)

    def replace_all(
        self,
        graphs: Iterable[tuple[ox.NamedNode, str]],
        on_graph: Callable[[], None] | None = None,
        added: Collection[ox.NamedNode] = (),
    ) -> int:
        """In updates of ``REPLACE_BATCH`` graphs, each atomic on the server: a server limits a
        request's size and time, so a large write is not all or nothing as a whole here."""
        count = 0
        iterator = iter(graphs)
        while True:
            batch: dict[ox.NamedNode, str] = {}
            for name, text in islice(iterator, REPLACE_BATCH):
                batch[name] = text
                if on_graph is not None:
                    on_graph()
            if not batch:
                return count
            self.replace_graphs_text(batch, added=added)
            count += len(batch)

    def _insert(self, name: ox.NamedNode, nt: str) -> None:
        self._update(f"INSERT DATA {{ GRAPH {name} {{\n{nt}}} }}", [name])

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        nt = serialized(list(triples), ox.RdfFormat.N_TRIPLES).decode("utf-8")
        for piece in self._chunks(nt) if nt else ():
            self._insert(name, piece)

    def drop_graphs(self, names: Iterable[ox.NamedNode]) -> None:
        self.replace_graphs({name: [] for name in names})

    def graph_names(self) -> set[ox.NamedNode]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        names = {g for row in rows if isinstance(g := row.get("g"), ox.NamedNode)}
        return names - OWN_GRAPHS

    def clear(self) -> None:
        self._update("DROP ALL")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        iterator = (q for q in quads if q.graph_name not in OWN_GRAPHS)
        while chunk := list(islice(iterator, self.write_triples or ADD_CHUNK)):
            blocks = []
            for graph, group in groupby(chunk, key=lambda q: q.graph_name):
                body = serialized([q.triple for q in group], ox.RdfFormat.N_TRIPLES).decode()
                blocks.append(
                    f"GRAPH {graph} {{\n{body}}}" if isinstance(graph, ox.NamedNode) else body
                )
            self._update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def _download(self, graph: ox.NamedNode | None) -> Iterator[ox.Quad]:
        """Stream the dataset (or one graph) over the Graph Store Protocol, parsing as it comes."""
        params = {"graph": graph.value} if graph is not None else None
        # one graph as N-Triples (a subset of N-Quads; Virtuoso has no N-Quads for a graph)
        accept = "application/n-quads" if graph is None else "application/n-triples"
        try:
            with self._http.stream(
                "GET", self.gsp_endpoint, params=params, headers={"Accept": accept}
            ) as response:
                if response.status_code == 404 and graph is not None:
                    return  # GSP: no such graph, so nothing in it
                if response.status_code != 200:
                    raise StoreError(
                        f"the SPARQL server answered {response.status_code} to a download"
                    )
                reader = io.BufferedReader(ChunkReader(response.iter_bytes()))
                yield from ox.parse(reader, ox.RdfFormat.N_QUADS)
        except httpx.HTTPError as exc:
            raise StoreError("the SPARQL server could not be reached for a download") from exc
        except SyntaxError as exc:
            raise StoreError("the SPARQL server sent an incomplete or invalid download") from exc

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if graph is None:  # the catalogue's data, without the store's own bookkeeping
            return (q for q in self._download(None) if q.graph_name not in OWN_GRAPHS)
        return (ox.Quad(q.subject, q.predicate, q.object, graph) for q in self._download(graph))

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        quads = self.quads(graph)
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt)
        else:
            ox.serialize((q.triple for q in quads), output, fmt)

    def close(self) -> None:
        self._http.close()
