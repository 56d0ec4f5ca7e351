"""Query workers read snapshots of the store: on disk (Store.backup) and in memory (a copy); a
write to the store is seen by the next public query, and old snapshots are removed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.sparql import QueryService

GRAPH = ox.NamedNode("https://specialekatalog.example/graph/test/snapshot")
ASK = "ASK { <urn:x:s> <urn:x:p> ?o }"


@pytest.mark.parametrize("kind", ["disk", "memory"])
def test_writes_reach_the_workers_and_old_snapshots_go(tmp_path: Path, kind: str) -> None:
    store = str(tmp_path / "store") if kind == "disk" else "memory"
    catalogue = Catalogue.open(Settings.from_env({"store": store, "sparql_timeout_s": "20"}))
    load_knowledge(catalogue.store)
    service = QueryService(catalogue)
    try:
        query = service.check(ASK)
        assert b'"boolean": false' in service.run(query, "json").body
        for value in ("1", "2", "3"):
            triple = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal(value))
            catalogue.store.replace_graphs({GRAPH: [triple]})
            select = service.check("SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }")
            assert f'"value": "{value}"'.encode() in service.run(select, "json").body
        snapshots = service._snapshots  # noqa: SLF001 (white-box: the directory is private)
        assert snapshots is not None
        assert len(list(snapshots._root.iterdir())) <= 2  # noqa: SLF001
    finally:
        service.close()
        catalogue.close()
