"""Read-only snapshots of the embedded store for the query workers (THREATS.md finding 6).

The store writes each snapshot (``Store.snapshot``: hard links for an on-disk store, a copy for one
in memory) into a directory beside an on-disk store, or into a temporary directory. Either way the
workers open the snapshot with ``Store.read_only``, which no writer ever touches. Private graphs
(the audit trail) are removed from each snapshot, so public queries never see them. The two newest
snapshots are kept (a worker may still be reading the previous one); older ones are removed.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox

from catalogue.namespaces import PRIVATE_GRAPHS
from catalogue.store import Store

KEEP = 2


class Snapshots:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        if store.directory is not None:
            self._root = store.directory.parent / f"{store.directory.name}.sparql-snapshots"
            shutil.rmtree(self._root, ignore_errors=True)
            self._root.mkdir(parents=True)
        else:
            self._root = Path(tempfile.mkdtemp(prefix="specialekatalog-sparql-"))
        self._taken: list[Path] = []
        self._count = 0
        self._generation: int | None = None

    @property
    def generation(self) -> int | None:
        """The store's write count now (a snapshot taken now would hold its state)."""
        return self._store.generation

    @property
    def stale(self) -> bool:
        return self._generation != self._store.generation

    def current(self) -> Path:
        """The snapshot of the store as it is now (a new one only if the store changed)."""
        with self._lock:
            if self._taken and not self.stale:
                return self._taken[-1]
            generation = self._store.generation
            self._count += 1
            target = self._root / str(self._count)
            self._store.snapshot(target)
            copy = ox.Store(str(target))
            for graph in PRIVATE_GRAPHS:
                copy.remove_graph(ox.NamedNode(graph))
            copy.flush()
            del copy
            self._taken.append(target)
            self._generation = generation
            for old in self._taken[:-KEEP]:
                shutil.rmtree(old, ignore_errors=True)
            self._taken = self._taken[-KEEP:]
            return target

    def close(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)
