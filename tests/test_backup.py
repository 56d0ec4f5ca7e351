"""Backups: a consistent snapshot while the store is written to, and restores proven by hash."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue.backup import MANIFEST, Manifest, restore, snapshot
from catalogue.cli import main
from catalogue.demo import generate
from catalogue.importing.records import ProviderRecord
from catalogue.importing.writer import write_records
from catalogue.loading import load_knowledge
from catalogue.store import EmbeddedStore, RemoteStore, StoreError, canonical_hash

Store = EmbeddedStore | RemoteStore
NAME = ox.NamedNode("https://specialekatalog.example/ontology#name")


def _renamed(record: ProviderRecord, suffix: str) -> list[ox.Triple]:
    return [
        ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + suffix))
        if t.predicate == NAME
        else t
        for t in record.triples
    ]


def _per_graph(store: EmbeddedStore) -> dict[ox.NamedNode, str]:
    grouped: dict[ox.NamedNode, list[ox.Quad]] = defaultdict(list)
    for quad in store.quads():
        grouped[quad.graph_name].append(quad)  # type: ignore[index]
    return {graph: canonical_hash(quads) for graph, quads in grouped.items()}


def test_snapshot_while_writing_is_consistent(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    load_knowledge(store)
    records = list(generate(40, 7))
    write_records(store, records)
    versions = {
        suffix: {r.graph: _renamed(r, suffix) for r in records} for suffix in ("", "A", "B")
    }
    expected = {}
    for suffix, graphs in versions.items():
        reference = EmbeddedStore()
        reference.replace_graphs(graphs)
        expected[suffix] = _per_graph(reference)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            store.replace_graphs(versions["A"])
            store.replace_graphs(versions["B"])

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        manifests = [snapshot(store, tmp_path / f"backup-{n}") for n in range(3)]
    finally:
        stop.set()
        writer.join()
    for n, manifest in enumerate(manifests):
        saved = EmbeddedStore(tmp_path / f"backup-{n}", read_only=True)
        assert canonical_hash(saved.quads()) == manifest.sha256
        hashes = _per_graph(saved)
        states = {s for s in versions for g in versions[s] if hashes[g] == expected[s][g]}
        assert len(states) == 1, "a snapshot mixes two writes"
        assert Manifest.read(tmp_path / f"backup-{n}") == manifest
    store.close()


def test_restore_from_a_snapshot_into_either_backend(tmp_path: Path, any_store: Store) -> None:
    source = EmbeddedStore(tmp_path / "store")
    load_knowledge(source)
    write_records(source, generate(10, 3))
    manifest = snapshot(source, tmp_path / "backup")
    source.close()
    assert restore(any_store, tmp_path / "backup") == manifest.sha256
    with pytest.raises(StoreError, match="not empty"):
        restore(any_store, tmp_path / "backup")
    assert restore(any_store, tmp_path / "backup", replace=True) == manifest.sha256


def test_remote_backup_is_an_n_quads_dump(oxigraph_server: object, tmp_path: Path) -> None:
    remote = oxigraph_server.store()  # type: ignore[attr-defined]
    remote.clear()
    write_records(remote, generate(5, 3))
    manifest = snapshot(remote, tmp_path / "backup")
    assert manifest.kind == "n-quads" and (tmp_path / "backup" / "dataset.nq").exists()
    assert restore(EmbeddedStore(), tmp_path / "backup") == manifest.sha256
    remote.clear()
    remote.close()


def test_a_changed_backup_is_detected(tmp_path: Path) -> None:
    source = EmbeddedStore()
    write_records(source, generate(3, 3))
    snapshot(source, tmp_path / "backup")
    assert (tmp_path / "backup" / "dataset.nq").exists()  # an in-memory store is dumped
    manifest = Manifest.read(tmp_path / "backup")
    assert manifest is not None
    forged = {**asdict(manifest), "sha256": "0" * 64}
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(forged), encoding="utf-8")
    with pytest.raises(StoreError, match="differs"):
        restore(EmbeddedStore(), tmp_path / "backup")


def test_cli_backup_and_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    assert runner.invoke(main, ["demo", "--providers", "5", "--load"]).exit_code == 0
    made = runner.invoke(main, ["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0 and "backed up" in made.output
    again = runner.invoke(main, ["backup", str(tmp_path / "backup")])
    assert again.exit_code == 1 and "exists" in again.output
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "restored"))
    done = runner.invoke(main, ["restore", str(tmp_path / "backup")])
    assert done.exit_code == 0
    manifest = Manifest.read(tmp_path / "backup")
    assert manifest is not None and manifest.sha256 in done.output
