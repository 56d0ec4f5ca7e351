"""Writing provider records: the providers' named graphs replaced, all or nothing as a whole.

The graphs are written as N-Triples text, streamed to ``Store.replace_all``: on the embedded store
a redo journal in the store's directory, bulk-loaded by Oxigraph, so an import killed at any moment
leaves the store as before or (when the journal was committed: recovered on the next open) as after
the whole import; on a server, updates of 500 graphs, each atomic. A provider whose graph already
holds exactly the record is left alone, so re-importing a file changes nothing: the comparison is
of the graph's N-Triples lines, both sides written by Oxigraph from its canonical form (the
record's read back from the staging store the integrity check ran on), so equal line sets mean
equal graphs.

Between the check and the write, an import keeps each file's checked graphs in a ``Spool`` (a
temporary file), so that nothing is written unless every file of the import is free of errors,
and no graph is held in memory meanwhile.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord, ntriples, stage
from catalogue.store import Store, graph_ntriples, scratch_store

Graph = tuple[ox.NamedNode, str]  # a graph's name and its N-Triples text


class Spool:
    """Checked graphs (name, canonical N-Triples) in a temporary file, until they are written."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed on leaving the context)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def add(self, graph: ox.NamedNode, text: str) -> None:
        data = text.encode()
        self._file.write(f"{graph.value} {len(data)}\n".encode())
        self._file.write(data)

    def __iter__(self) -> Iterator[Graph]:
        self._file.seek(0)
        while header := self._file.readline():
            name, size = header.split()
            yield ox.NamedNode(name.decode()), self._file.read(int(size)).decode()


def write_records(
    store: Store,
    records: Iterable[ProviderRecord],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace each record's graph, all or nothing as a whole where the store can; returns how
    many provider graphs changed."""
    texts = [record.text() for record in records]
    staging = scratch_store()
    stage(staging, texts)
    return write_graphs(store, ((r.graph, ntriples(staging, r.graph)) for r in texts), progress)


def write_graphs(
    store: Store, graphs: Iterable[Graph], progress: Callable[[int], None] | None = None
) -> int:
    """Every graph that differs from the store's in one ``Store.replace_all``; returns how many
    were replaced. The text of a graph the store holds must be in its canonical form (above)."""
    existing = store.graph_names()

    def changed() -> Iterator[Graph]:
        for graph, text in graphs:
            if graph not in existing or _differs(store, graph, text):
                yield graph, text
            if progress is not None:
                progress(1)

    return store.replace_all(changed())


def _differs(store: Store, graph: ox.NamedNode, text: str) -> bool:
    """Whether the stored graph holds something other than the N-Triples ``text``."""
    stored = graph_ntriples(store, graph).decode()
    return set(stored.splitlines()) != set(text.splitlines())


def has_providers(store: Store) -> bool:
    return queries.ask(store, "has_providers")
