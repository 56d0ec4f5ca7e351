"""The embedded backend: pyoxigraph on disk (a directory) or in memory."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from catalogue.store import journal
from catalogue.store.common import changes_update, release, replace_update, rows, update_text
from catalogue.store.coordination import Busy
from catalogue.store.protocol import Bindings, Row, StoreError, Term


class _Turns(AbstractContextManager[None]):
    """A lock that gives up after ``wait_s`` (``Busy``): one process writes the embedded store."""

    def __init__(self, lock: threading.Lock, wait_s: float) -> None:
        self._lock, self._wait_s = lock, wait_s

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=self._wait_s):
            raise Busy("another change is being written")

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


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
            journal.recover(self._store, path)  # a write killed half-way: finish or discard it
            for rotated in path.glob("LOG.old.*"):  # RocksDB's earlier info logs, one per open
                rotated.unlink(missing_ok=True)
        self.path = path
        self.generation = 0  # counts writes, so readers of snapshots can tell theirs is stale
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    @property
    def directory(self) -> Path | None:
        return self.path

    large_writes = True  # the bulk loader takes any number of new graphs in one atomic write
    can_snapshot = True
    lateral = True  # Oxigraph evaluates LATERAL

    def freshness(self) -> dict[str, object]:
        return {}  # one process reads and writes: always current

    def exclusive(self, name: str, wait_s: float) -> AbstractContextManager[None]:
        """In-process: only one process may open the store for writing."""
        with self._locks_lock:
            lock = self._locks.setdefault(name, threading.Lock())
        return _Turns(lock, wait_s)

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
            return rows(result)
        except BaseException as exc:  # evaluation errors surface while iterating
            release(exc)
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
            release(exc)
            raise
        finally:
            del result

    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        """One atomic write: a bulk load when every graph is new, else one SPARQL update."""
        if not graphs:
            return
        if any(self._store.contains_named_graph(name) for name in graphs):
            self._store.update(update_text(graphs))
        else:  # nothing to drop: the bulk loader is atomic (Oxigraph 0.5) and much faster
            self._store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, name)
                for name, triples in graphs.items()
                for t in triples
            )
        self.generation += 1

    def replace_graphs_text(
        self,
        graphs: Mapping[ox.NamedNode, str],
        *,
        trusted: bool = False,
        bulk: bool = False,
        added: Collection[ox.NamedNode] = (),
    ) -> None:
        """One atomic write, parsed in Rust without the GIL: a TriG load when no graph to replace
        exists (a third less CPU than the update; ``bulk``: the bulk loader), else one SPARQL
        update."""
        if not graphs:
            return
        try:
            if any(self._store.contains_named_graph(g) for g in graphs if g not in added):
                small = len(graphs) < journal.SMALL  # a re-check: only what changed
                update = (
                    changes_update(graphs, self._store, added)
                    if small
                    else replace_update(graphs, added)
                )
                if update:
                    self._store.update(update)
            else:
                trig = "".join(f"{name} {{\n{nt}}}\n" for name, nt in graphs.items())
                load = self._store.bulk_load if bulk else self._store.load
                load(trig, ox.RdfFormat.TRIG, lenient=trusted)
        except SyntaxError as exc:
            raise StoreError(f"not valid N-Triples: {exc}") from exc
        self.generation += 1

    def replace_all(
        self,
        graphs: Iterable[tuple[ox.NamedNode, str]],
        on_graph: Callable[[], None] | None = None,
        added: Collection[ox.NamedNode] = (),
    ) -> int:
        """All or nothing as a whole, also when the process is killed: through a redo journal in
        the store's directory (``journal.py``), applied again when the store is next opened."""
        count = journal.replace_all(self._store, self.path, graphs, on_graph, added=added)
        if count:
            self.generation += 1
        return count

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

    def snapshot(self, target: Path) -> None:
        """On disk: a RocksDB checkpoint (hard links, cheap); in memory: a copy into ``target``."""
        if target.exists():
            raise StoreError(f"{target} exists already: give a new directory")
        if self.path is not None:
            self._store.flush()
            self._store.backup(str(target))
            return
        copy = ox.Store(str(target))
        copy.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        copy.flush()
        del copy

    def close(self) -> None:
        """Flush, and release the directory lock so another store may open it."""
        if self.path is not None and hasattr(self, "_store"):
            self._store.flush()
            del self._store
