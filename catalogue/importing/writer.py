"""Writing provider records: the providers' named graphs replaced, all or nothing as a whole.

The records are written from a staging store (the one the integrity check ran on, or one made
here) as N-Triples text, streamed to ``Store.replace_all``: on the embedded store a redo journal
in the store's directory, bulk-loaded by Oxigraph, so an import killed at any moment leaves the
store as before or (when the journal was committed: recovered on the next open) as after the whole
import; on a server, updates of 500 graphs, each atomic. A provider whose graph already holds
exactly the record is left alone, so re-importing a file changes nothing: the comparison is of the
graph's N-Triples lines, both sides written by Oxigraph from its canonical form, so equal line
sets mean equal graphs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord, ntriples, stage
from catalogue.store import EmbeddedStore, Store

Staged = tuple[list[ProviderRecord], EmbeddedStore]  # records and the store they are staged in


def write_records(
    store: Store,
    records: Iterable[ProviderRecord],
    progress: Callable[[int], None] | None = None,
    staging: EmbeddedStore | None = None,
) -> int:
    """Replace each record's graph, all or nothing as a whole where the store can; returns how
    many provider graphs changed. ``staging`` holds the records already
    (``validation.validate`` returns it); without it the records are staged here."""
    listed = list(records)
    return write_staged(store, [(listed, staging or stage(listed))], progress)


def write_staged(
    store: Store, parts: Sequence[Staged], progress: Callable[[int], None] | None = None
) -> int:
    """Every record of every part (the files of one import) in one ``Store.replace_all``."""
    existing = store.graph_names()

    def changed() -> Iterator[tuple[ox.NamedNode, str]]:
        for records, staged in parts:
            for record in records:
                text = ntriples(staged, record.graph)
                if record.graph not in existing or _differs(store, record.graph, text):
                    yield record.graph, text
                if progress is not None:
                    progress(1)

    return store.replace_all(changed())


def _differs(store: Store, graph: ox.NamedNode, text: str) -> bool:
    """Whether the stored graph holds something other than the N-Triples ``text``."""
    stored = io.BytesIO()
    store.dump(stored, ox.RdfFormat.N_TRIPLES, graph)
    return set(stored.getvalue().decode().splitlines()) != set(text.splitlines())


def has_providers(store: Store) -> bool:
    return queries.ask(store, "has_providers")
