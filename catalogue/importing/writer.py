"""Writing provider records: each provider's named graph replaced atomically.

Records are written in batches; each batch is one atomic write, so a provider graph is always
either as before or as after, even if the process is killed between batches. New providers go in
one write per batch (a bulk load on the embedded store); a provider whose graph already holds
exactly the record is left alone, so re-importing a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord
from catalogue.store import Store

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
) -> int:
    """Replace each record's graph; returns how many provider graphs changed."""
    existing = store.graph_names()
    written = 0
    for batch in batches(records, size):
        new = {r.graph: r.triples for r in batch if r.graph not in existing}
        changed = _changed(store, [r for r in batch if r.graph in existing])
        for graphs in (new, changed):
            if graphs:
                store.replace_graphs(graphs)
        written += len(new) + len(changed)
        if progress is not None:
            progress(len(batch))
    return written


def _changed(store: Store, records: list[ProviderRecord]) -> dict[ox.NamedNode, list[ox.Triple]]:
    """The records whose graph holds something else; compared in the store's canonical form
    (a scratch store normalises literals such as "0.10"^^xsd:decimal to "0.1")."""
    scratch = ox.Store()
    scratch.extend(
        ox.Quad(t.subject, t.predicate, t.object, r.graph) for r in records for t in r.triples
    )
    return {
        r.graph: r.triples
        for r in records
        if set(store.quads(r.graph)) != set(scratch.quads_for_pattern(None, None, None, r.graph))
    }


def has_providers(store: Store) -> bool:
    return queries.ask(store, "has_providers")
