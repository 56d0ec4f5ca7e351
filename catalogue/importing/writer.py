"""Writing provider records: each provider's named graph replaced atomically.

Records are written in batches; each batch is one atomic update, so a provider graph is always
either as before or as after, even if the process is killed between batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from catalogue import queries
from catalogue.importing.records import ProviderRecord
from catalogue.store import Store

BATCH = 250


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
    """Replace each record's graph; returns how many providers were written."""
    written = 0
    for batch in batches(records, size):
        store.replace_graphs({record.graph: record.triples for record in batch})
        written += len(batch)
        if progress is not None:
            progress(len(batch))
    return written


def has_providers(store: Store) -> bool:
    return queries.ask(store, "has_providers")
