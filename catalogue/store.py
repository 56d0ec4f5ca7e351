"""The catalogue's store: one interface, two backends chosen by the STORE setting.

- ``EmbeddedStore``: pyoxigraph on disk (a directory) or in memory (``memory``).
- ``RemoteStore``: any SPARQL 1.1 server (Query, Update, Graph Store Protocol) over HTTP with
  explicit timeouts.

Queries see the union of all named graphs as their default graph (Oxigraph server: start it with
``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``). Values are passed as bindings,
never formatted into query text by callers: the embedded backend uses pyoxigraph substitutions
(bound variables must be projected), the remote backend opens the outermost WHERE group with a
``VALUES`` block whose terms pyoxigraph's own writer serialises.
"""

from __future__ import annotations

import hashlib
import io
import re
import traceback
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby, islice
from pathlib import Path
from typing import IO, Any, Protocol

import httpx
import pyoxigraph as ox

from catalogue.config import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]


ADD_CHUNK = 50_000  # quads per SPARQL update when adding in bulk to a remote store
_COMMENT = re.compile(r"(?m)^\s*#.*$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class StoreError(RuntimeError):
    """The store could not answer; the message is safe to show to a user."""


class Store(Protocol):
    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]: ...

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        """Replace the content of each graph, all in one atomic write."""

    def replace_graphs_text(
        self, graphs: Mapping[ox.NamedNode, str], *, trusted: bool = False, bulk: bool = False
    ) -> None:
        """``replace_graphs`` with each graph's content as N-Triples text (empty: drop the graph),
        parsed by the store: no Python term objects (bulk writes such as compliance reports).
        ``trusted``: the text was written by pyoxigraph's own serialiser, so the embedded store
        skips validating IRIs again (measured 40 % less CPU). ``bulk``: when every graph is new,
        the embedded store uses Oxigraph's bulk loader (atomic per call in Oxigraph 0.5, about
        half the CPU of a transaction for large loads; it writes new files, so not for small
        frequent writes)."""

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add triples to one graph in one atomic write (an append-only log such as the audit)."""

    def drop_graphs(self, names: Iterable[ox.NamedNode]) -> None: ...

    def graph_names(self) -> set[ox.NamedNode]: ...

    def clear(self) -> None:
        """Remove every quad (restore into an empty store, test isolation)."""

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in bulk (restores); atomic per call only on the embedded store."""

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]: ...

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Stream the dataset (or one graph) to ``output``."""

    def close(self) -> None: ...


def _serialized(data: Iterable[ox.Quad] | Iterable[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Serialise to bytes (pyoxigraph returns None only when given an output file)."""
    return ox.serialize(data, format=fmt) or b""


def canonical_hash(quads: Iterable[ox.Quad]) -> str:
    """SHA-256 of the RDFC-1.0 canonical form of a dataset, as sorted N-Quads.

    Two stores hold the same data exactly when their hashes agree (blank node labels aside).
    """
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for quad in quads:
        mentions = (quad.subject, quad.object, quad.graph_name)
        (blank if any(isinstance(t, ox.BlankNode) for t in mentions) else plain).append(quad)
    # RDFC-1.0 labels blank nodes from the quads that mention them; the rest stay as they are.
    dataset = ox.Dataset(blank)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = set(_serialized(plain, ox.RdfFormat.N_QUADS).splitlines())
    lines.update(_serialized(dataset, ox.RdfFormat.N_QUADS).splitlines())
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line + b"\n")
    return digest.hexdigest()


def _update_text(graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> str:
    """One SPARQL update that drops and refills every graph, serialised by pyoxigraph."""
    return _replace_update(
        {
            name: _serialized(list(triples), ox.RdfFormat.N_TRIPLES).decode()
            for name, triples in graphs.items()
        }
    )


def _replace_update(graphs: Mapping[ox.NamedNode, str]) -> str:
    """One SPARQL update that drops every graph and inserts its N-Triples text."""
    parts: list[str] = [f"DROP SILENT GRAPH {name} ;" for name in graphs]
    body: list[str] = []
    for name, nt in graphs.items():
        if nt:
            body.append(f"GRAPH {name} {{\n{nt}}}")
    if body:
        parts.append("INSERT DATA {\n" + "\n".join(body) + "\n}")
    else:
        parts[-1] = parts[-1].rstrip(" ;")
    return "\n".join(parts)


def _release(exc: BaseException) -> None:
    """Drop the finished frames an evaluation error keeps alive. pyoxigraph's result iterators may
    only be freed by the thread that made them; held by a traceback, they would be collected later
    by whichever thread runs the garbage collector, and pyoxigraph raises there."""
    traceback.clear_frames(exc.__traceback__)


def _rows(solutions: ox.QuerySolutions) -> list[Row]:
    names = [v.value for v in solutions.variables]
    return [
        {name: value for name, value in zip(names, sol, strict=True) if value is not None}
        for sol in solutions
    ]


class EmbeddedStore:
    """pyoxigraph, on disk or in memory. Only one process may open a directory read-write."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        self.path = path
        self.generation = 0  # counts writes, so readers of snapshots can tell theirs is stale

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for bulk work inside the catalogue package."""
        return self._store

    def _query(self, query: str, bindings: Bindings | None) -> object:
        subs: dict[ox.Variable, Term | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        try:
            return self._store.query(query, use_default_graph_as_union=True, substitutions=subs)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        try:
            return _rows(result)
        except BaseException as exc:  # evaluation errors surface while iterating
            _release(exc)
            raise
        finally:
            del result

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError("expected a CONSTRUCT or DESCRIBE query")
        try:
            return list(dict.fromkeys(result))  # pyoxigraph may yield duplicates
        except BaseException as exc:
            _release(exc)
            raise
        finally:
            del result

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        """One atomic write: a bulk load when every graph is new, else one SPARQL update."""
        if not graphs:
            return
        if any(self._store.contains_named_graph(name) for name in graphs):
            self._store.update(_update_text(graphs))
        else:  # nothing to drop: the bulk loader is atomic (Oxigraph 0.5) and much faster
            self._store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, name)
                for name, triples in graphs.items()
                for t in triples
            )
        self.generation += 1

    def replace_graphs_text(
        self, graphs: Mapping[ox.NamedNode, str], *, trusted: bool = False, bulk: bool = False
    ) -> None:
        """One atomic write, parsed in Rust without the GIL: a TriG load when every graph is new
        (a third less CPU than the update; ``bulk``: the bulk loader), else one SPARQL update."""
        if not graphs:
            return
        try:
            if any(self._store.contains_named_graph(name) for name in graphs):
                self._store.update(_replace_update(graphs))
            else:
                trig = "".join(f"{name} {{\n{nt}}}\n" for name, nt in graphs.items())
                load = self._store.bulk_load if bulk else self._store.load
                load(trig, ox.RdfFormat.TRIG, lenient=trusted)
        except SyntaxError as exc:
            raise StoreError(f"not valid N-Triples: {exc}") from exc
        self.generation += 1

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        self.generation += 1

    def drop_graphs(self, names: Iterable[ox.NamedNode]) -> None:
        self.replace_graphs({name: [] for name in names})

    def graph_names(self) -> set[ox.NamedNode]:
        return {g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}

    def clear(self) -> None:
        self._store.clear()
        self.generation += 1

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self._store.bulk_extend(quads)
        self.generation += 1

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        if graph is None:
            self._store.dump(output, fmt)
        else:
            self._store.dump(output, fmt, from_graph=graph)

    def backup(self, target: Path) -> None:
        """A consistent snapshot of the on-disk store while it serves (hard links)."""
        self._store.flush()
        self._store.backup(str(target))

    def close(self) -> None:
        """Flush, and release the directory lock so another store may open it."""
        if self.path is not None and hasattr(self, "_store"):
            self._store.flush()
            del self._store


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
            return _rows(result)  # the answer is parsed while it is read
        except SyntaxError as exc:
            _release(exc)
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
            self._update(_update_text(graphs))

    def replace_graphs_text(
        self, graphs: Mapping[ox.NamedNode, str], *, trusted: bool = False, bulk: bool = False
    ) -> None:
        if graphs:  # one SPARQL update, atomic on the server; ``trusted``, ``bulk`` change nothing
            self._update(_replace_update(graphs))

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        nt = _serialized(list(triples), ox.RdfFormat.N_TRIPLES).decode("utf-8")
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
                body = _serialized([q.triple for q in group], ox.RdfFormat.N_TRIPLES).decode()
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


def open_store(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The store the settings name."""
    if settings.store == "memory":
        return EmbeddedStore()
    if settings.store == "remote":
        return RemoteStore(
            settings.query_endpoint,
            settings.update_endpoint,
            settings.gsp_endpoint,
            settings.remote_timeout_s,
        )
    return EmbeddedStore(Path(settings.store))
