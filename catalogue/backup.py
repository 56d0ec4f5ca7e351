"""Backups and restores, checked by the canonical hash of the dataset.

- On-disk store: ``Store.snapshot`` makes a consistent snapshot (RocksDB checkpoint, hard links)
  while the store keeps serving; the snapshot directory is itself a complete store.
- Remote store (and an in-memory one): an N-Quads dump.

Each backup directory holds ``manifest.json``: when, how many quads, and the RDFC-1.0 hash of the
dataset, so a restore can prove it gave back exactly what was saved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from catalogue.formats import rdf_for_file
from catalogue.store import Store, StoreError, canonical_hash, open_directory

MANIFEST = "manifest.json"
DUMP = "dataset.nq"


@dataclass(frozen=True)
class Manifest:
    created: str
    quads: int
    sha256: str
    kind: str  # "oxigraph" (a store directory) or "n-quads" (dataset.nq)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        path = folder / MANIFEST
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def _describe(quads: Iterable[ox.Quad], kind: str) -> Manifest:
    listed = list(quads)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Manifest(now, len(listed), canonical_hash(listed), kind)


def snapshot(store: Store, target: Path) -> Manifest:
    """Back up the store into ``target`` (a directory that must not exist yet)."""
    if target.exists():
        raise StoreError(f"{target} exists already: give a new directory")
    if store.directory is not None:
        store.snapshot(target)
        saved = open_directory(target, read_only=True)
        manifest = _describe(saved.quads(), "oxigraph")
    else:
        target.mkdir(parents=True)
        with (target / DUMP).open("wb") as handle:
            ox.serialize(store.quads(), handle, ox.RdfFormat.N_QUADS)
        manifest = _describe(ox.parse(path=str(target / DUMP)), "n-quads")
    (target / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    return manifest


def _source_quads(source: Path) -> Iterator[ox.Quad]:
    if source.is_dir() and (source / DUMP).exists():
        yield from ox.parse(path=str(source / DUMP), format=ox.RdfFormat.N_QUADS)
    elif source.is_dir():
        yield from open_directory(source, read_only=True).quads()
    elif (fmt := rdf_for_file(source.name)) is not None and fmt.supports_datasets:
        yield from ox.parse(path=str(source), format=fmt)
    else:
        raise StoreError(f"{source}: not a backup directory nor a .nq, .trig or .jsonld dump")


def restore(store: Store, source: Path, *, replace: bool = False) -> str:
    """Load a backup directory or a dataset dump into ``store``; returns the dataset hash.

    The store must be empty unless ``replace`` is given (then it is cleared first). If the backup
    has a manifest, the restored dataset must hash to the same value.
    """
    if store.graph_names():
        if not replace:
            raise StoreError("the store is not empty: restore into an empty store, or replace it")
        store.clear()
    store.add(_source_quads(source))
    restored = canonical_hash(store.quads())
    manifest = Manifest.read(source) if source.is_dir() else None
    if manifest is not None and manifest.sha256 != restored:
        raise StoreError("the restored dataset differs from the backup's manifest")
    return restored
