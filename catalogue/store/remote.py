"""The remote backend: any SPARQL 1.1 server (Query, Update, Graph Store Protocol) over HTTP with
explicit timeouts.

Queries see the union of all named graphs as their default graph (Oxigraph server: start it with
``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``). Values are bound by a
``VALUES`` block opening the outermost WHERE group, whose terms pyoxigraph's own writer serialises.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby, islice
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox

from catalogue.store.common import release, replace_update, rows, serialized, update_text
from catalogue.store.protocol import Bindings, Row, StoreError

ADD_CHUNK = 50_000  # quads per SPARQL update when adding in bulk to a remote store
_COMMENT = re.compile(r"(?m)^\s*#.*$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class _ChunkReader(io.RawIOBase):
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
        self, query_endpoint: str, update_endpoint: str, gsp_endpoint: str, timeout_s: float
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

    generation = None  # other processes may write to the server: no counter to trust
    directory = None
    large_writes = False  # bounded requests: a server limits request size and time
    can_snapshot = False  # public queries go to the server's own endpoint

    def snapshot(self, target: Path) -> None:
        raise StoreError("a remote store cannot be snapshotted: query its endpoint instead")

    @staticmethod
    def _bound(query: str, bindings: Bindings | None) -> str:
        """Bind values by a VALUES block opening the outermost WHERE group (SEP-0007 style)."""
        if not bindings:
            return query
        code = _COMMENT.sub(lambda m: " " * len(m.group(0)), query)
        match = _WHERE.search(code)
        if match is None:
            raise StoreError("a query with parameters needs a WHERE clause")
        names = " ".join(f"?{name}" for name in bindings)
        values = " ".join(str(term) for term in bindings.values())
        block = f" VALUES ({names}) {{ ({values}) }} "
        return query[: match.end()] + block + query[match.end() :]

    def _post_query(self, query: str, accept: str) -> httpx.Response:
        try:
            response = self._http.post(
                self.query_endpoint,
                content=query.encode("utf-8"),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
            )
        except httpx.TimeoutException as exc:
            raise StoreError("the SPARQL server did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise StoreError("the SPARQL server could not be reached") from exc
        if response.status_code != 200:
            raise StoreError(f"the SPARQL server answered {response.status_code}")
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

    def _update(self, update: str) -> None:
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

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        if graphs:
            self._update(update_text(graphs))

    def replace_graphs_text(
        self, graphs: Mapping[ox.NamedNode, str], *, trusted: bool = False, bulk: bool = False
    ) -> None:
        if graphs:  # one SPARQL update, atomic on the server; ``trusted``, ``bulk`` change nothing
            self._update(replace_update(graphs))

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        nt = serialized(list(triples), ox.RdfFormat.N_TRIPLES).decode("utf-8")
        if nt:
            self._update(f"INSERT DATA {{ GRAPH {name} {{\n{nt}}} }}")

    def drop_graphs(self, names: Iterable[ox.NamedNode]) -> None:
        self.replace_graphs({name: [] for name in names})

    def graph_names(self) -> set[ox.NamedNode]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return {row["g"] for row in rows if isinstance(row.get("g"), ox.NamedNode)}  # type: ignore[misc]

    def clear(self) -> None:
        self._update("DROP ALL")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        iterator = iter(quads)
        while chunk := list(islice(iterator, ADD_CHUNK)):
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
        try:
            with self._http.stream(
                "GET", self.gsp_endpoint, params=params, headers={"Accept": "application/n-quads"}
            ) as response:
                if response.status_code != 200:
                    raise StoreError(
                        f"the SPARQL server answered {response.status_code} to a download"
                    )
                reader = io.BufferedReader(_ChunkReader(response.iter_bytes()))
                yield from ox.parse(reader, ox.RdfFormat.N_QUADS)
        except httpx.HTTPError as exc:
            raise StoreError("the SPARQL server could not be reached for a download") from exc
        except SyntaxError as exc:
            raise StoreError("the SPARQL server sent an incomplete or invalid download") from exc

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            return self._download(None)
        return (ox.Quad(q.subject, q.predicate, q.object, graph) for q in self._download(graph))

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        quads = self.quads(graph)
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt)
        else:
            ox.serialize((q.triple for q in quads), output, fmt)

    def close(self) -> None:
        self._http.close()
