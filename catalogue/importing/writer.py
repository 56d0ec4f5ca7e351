"""Writing provider records: each provider's named graph replaced atomically.

Every write is atomic, so a provider graph is always either as before or as after, even if the
process is killed between writes. The records are written from a staging store (the one the
integrity check ran on, or one made here) as N-Triples text, parsed by the store itself: no Python
object per triple. All new providers go in one call of Oxigraph's bulk loader on the embedded store
(atomic in Oxigraph 0.5: files are ingested together at the end; about half the CPU of a
transaction, and a single transaction of 10,000 providers grows slower than linearly); providers
that already have a graph, and all writes to a server, go in batches of 500, one SPARQL update
each. A provider whose graph already holds exactly the record is left alone, so re-importing a
file changes nothing: the comparison is of the graph's N-Triples lines, both sides written by
Oxigraph from its canonical form, so equal line sets mean equal graphs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord, ntriples, stage
from catalogue.store import EmbeddedStore, Store

BATCH = 500


def batches(records: Iterable[ProviderRecord], size: int = BATCH) -> Iterator[list[ProviderRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def write_records(
    store: Store,
    records: Iterable[ProviderRecord],
    size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    staging: EmbeddedStore | None = None,
) -> int:
    """Replace each record's graph; returns how many provider graphs changed.

    ``staging`` holds the records already (``validation.validate`` returns it); without it the
    records are staged here.
    """
    listed = list(records)
    staged = staging if staging is not None else stage(listed)
    existing = store.graph_names()
    new = [r for r in listed if r.graph not in existing]
    # the embedded store bulk-loads all new graphs at once (atomic); a server, bounded requests
    per_write = max(len(new), 1) if store.large_writes else size
    for batch in batches(new, per_write):
        texts = {r.graph: ntriples(staged, r.graph) for r in batch}
        store.replace_graphs_text(texts, trusted=True, bulk=True)
        if progress is not None:
            progress(len(batch))
    written = len(new)
    for batch in batches((r for r in listed if r.graph in existing), size):
        texts = {r.graph: ntriples(staged, r.graph) for r in batch}
        changed = {graph: text for graph, text in texts.items() if _differs(store, graph, text)}
        if changed:
            store.replace_graphs_text(changed, trusted=True)
        written += len(changed)
        if progress is not None:
            progress(len(batch))
    return written


def _differs(store: Store, graph: ox.NamedNode, text: str) -> bool:
    """Whether the stored graph holds something other than the N-Triples ``text``."""
    stored = io.BytesIO()
    store.dump(stored, ox.RdfFormat.N_TRIPLES, graph)
    return set(stored.getvalue().decode().splitlines()) != set(text.splitlines())


def has_providers(store: Store) -> bool:
    return queries.ask(store, "has_providers")
