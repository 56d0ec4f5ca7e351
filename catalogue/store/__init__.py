"""The catalogue's store: one protocol (``Store``), two backends chosen by the STORE setting.

- ``EmbeddedStore`` (``embedded.py``): pyoxigraph on disk (a directory) or in memory (``memory``).
- ``RemoteStore`` (``remote.py``): any SPARQL 1.1 server over HTTP with explicit timeouts.

``protocol.py`` lists every member a backend provides, including its capabilities (change counter,
directory, large writes, snapshots); code outside this package uses those, never the classes.
``scratch_store`` is the one way to make a throw-away in-memory store (staging, checks, previews).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from catalogue.config import Settings
from catalogue.store.canonical import canonical_hash
from catalogue.store.common import ntriples_lines, read_ahead
from catalogue.store.embedded import EmbeddedStore
from catalogue.store.protocol import Bindings, Row, Store, StoreError, Term
from catalogue.store.remote import RemoteStore

__all__ = [
    "Bindings",
    "EmbeddedStore",
    "RemoteStore",
    "Row",
    "Store",
    "StoreError",
    "Term",
    "canonical_hash",
    "graph_ntriples",
    "ntriples_lines",
    "open_directory",
    "open_store",
    "read_ahead",
    "scratch_store",
]


def graph_ntriples(store: Store, graph: ox.NamedNode) -> bytes:
    """One graph as the store's N-Triples (empty when the store has no such graph)."""
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_TRIPLES, graph)
    return out.getvalue()


def open_store(settings: Settings) -> Store:
    """The store the settings name."""
    if settings.store == "memory":
        return EmbeddedStore()
    if settings.store == "remote":
        return RemoteStore(
            settings.query_endpoint,
            settings.update_endpoint,
            settings.gsp_endpoint,
            settings.remote_timeout_s,
            settings.remote_write_triples,
        )
    return EmbeddedStore(Path(settings.store))


def open_directory(path: Path, *, read_only: bool = False) -> Store:
    """A store directory (a backup or a snapshot) opened as a store."""
    return EmbeddedStore(path, read_only=read_only)


def scratch_store(quads: Iterable[ox.Quad] = ()) -> EmbeddedStore:
    """A throw-away in-memory store holding ``quads``: staging an import, checking one record,
    previewing an edit. Typed as the embedded store, so the catalogue package may use its bulk
    ``oxigraph`` methods on it (never on the live store, and never from the web layer)."""
    scratch = EmbeddedStore()
    scratch.add(quads)
    return scratch
