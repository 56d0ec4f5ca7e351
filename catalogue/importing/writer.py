"""Writing provider records: each provider's named graph replaced atomically.

Every write is atomic, so a provider graph is always either as before or as after, even if the
process is killed between writes. All new providers go in one write (a bulk load on the embedded
store); providers that already have a graph are replaced in batches, one SPARQL update each, and a
provider whose graph already holds exactly the record is left alone, so re-importing a file
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord
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
) -> int:
    """Replace each record's graph; returns how many provider graphs changed."""
    existing = store.graph_names()
    listed = list(records)
    new = [r for r in listed if r.graph not in existing]
    # the embedded store takes all new graphs in one bulk load; a server gets bounded requests
    per_write = max(len(new), 1) if isinstance(store, EmbeddedStore) else size
    for batch in batches(new, per_write):
        store.replace_graphs({r.graph: r.triples for r in batch})
        if progress is not None:
            progress(len(batch))
    written = len(new)
    for batch in batches((r for r in listed if r.graph in existing), size):
        changed = _changed(store, batch)
        if changed:
            store.replace_graphs(changed)
        written += len(changed)
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
