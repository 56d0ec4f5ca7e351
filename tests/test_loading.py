"""Loading the knowledge files: one graph per file, unchanged files do no work, changes replace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import queries
from catalogue.loading import knowledge_files, load_knowledge
from catalogue.store import EmbeddedStore, canonical_hash

SK = "https://specialekatalog.example/ontology#"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "shapes").mkdir()
    (tmp_path / "ontology" / "a.ttl").write_text(
        f"@prefix sk: <{SK}> .\nsk:A a sk:Thing .\n", encoding="utf-8"
    )
    (tmp_path / "shapes" / "b.ttl").write_text(
        f"@prefix sk: <{SK}> .\nsk:B a sk:Thing .\n", encoding="utf-8"
    )
    return tmp_path


def test_one_graph_per_file_with_source_and_hash(knowledge: Path) -> None:
    store = EmbeddedStore()
    report = load_knowledge(store, knowledge)
    assert sorted(report.loaded) == ["ontology/a.ttl", "shapes/b.ttl"]
    rows = queries.run(store, "knowledge_graphs")
    assert {r["source"].value for r in rows} == {"ontology/a.ttl", "shapes/b.ttl"}
    assert {r["g"].value for r in rows} == {f.graph.value for f in knowledge_files(knowledge)}
    assert all(len(r["hash"].value) == 64 for r in rows)


def test_loading_again_unchanged_does_no_work(knowledge: Path) -> None:
    store = EmbeddedStore()
    load_knowledge(store, knowledge)
    before = set(store.quads())
    report = load_knowledge(store, knowledge)
    assert report.loaded == [] and len(report.unchanged) == 2
    assert set(store.quads()) == before


def test_changed_file_replaces_its_graph_and_removed_file_is_dropped(knowledge: Path) -> None:
    store = EmbeddedStore()
    load_knowledge(store, knowledge)
    (knowledge / "ontology" / "a.ttl").write_text(
        f"@prefix sk: <{SK}> .\nsk:A2 a sk:Thing .\n", encoding="utf-8"
    )
    (knowledge / "shapes" / "b.ttl").unlink()
    report = load_knowledge(store, knowledge)
    assert report.loaded == ["ontology/a.ttl"]
    assert len(report.dropped) == 1
    subjects = {q.subject for q in store.quads() if q.predicate.value.endswith("#type")}
    assert subjects == {ox.NamedNode(SK + "A2")}


def test_bad_turtle_names_the_file_and_leaves_the_store_unchanged(knowledge: Path) -> None:
    store = EmbeddedStore()
    load_knowledge(store, knowledge)
    before = set(store.quads())
    (knowledge / "shapes" / "b.ttl").write_text("@prefix sk: <x> .\nsk:B a \n", encoding="utf-8")
    (knowledge / "ontology" / "a.ttl").write_text(
        f"@prefix sk: <{SK}> .\nsk:A3 a sk:Thing .\n", encoding="utf-8"
    )
    with pytest.raises(SyntaxError, match=r"shapes/b\.ttl"):
        load_knowledge(store, knowledge)
    assert set(store.quads()) == before


def test_the_real_knowledge_files_load(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    report = load_knowledge(store)
    assert report.loaded, "no knowledge files found"
    store.close()


def test_copy_of_repository_knowledge_loads_identically(tmp_path: Path) -> None:
    files = list(knowledge_files())
    root = files[0].path.parents[len(Path(files[0].relative).parts) - 1]
    for name in ("ontology", "shapes"):
        shutil.copytree(root / name, tmp_path / name)
    first, second = EmbeddedStore(), EmbeddedStore()
    load_knowledge(first)
    load_knowledge(second, tmp_path)
    assert canonical_hash(first.quads()) == canonical_hash(second.quads())
