"""Exports: streamed dumps that round-trip (export, then restore or import, gives the same data)."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue import Catalogue
from catalogue.backup import restore
from catalogue.cli import main
from catalogue.export import PROVIDER_GRAPHS, ExportError, export
from catalogue.importing import import_data
from catalogue.namespaces import GRAPH
from catalogue.store import EmbeddedStore, RemoteStore, canonical_hash

Store = EmbeddedStore | RemoteStore


def _providers(store: Store) -> str:
    return canonical_hash(
        q for q in store.quads() if str(q.graph_name.value).startswith(PROVIDER_GRAPHS)
    )


def _export(store: Store, fmt: str, graph: str | None = None) -> bytes:
    out = io.BytesIO()
    export(store, out, fmt, graph)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_full_export_restores_to_an_isomorphic_dataset(
    demo_catalogue: Catalogue, any_store: Store, tmp_path: Path, fmt: str
) -> None:
    dump = tmp_path / f"catalogue.{fmt}"
    dump.write_bytes(_export(demo_catalogue.store, fmt))
    restored = restore(any_store, dump)
    assert restored == canonical_hash(demo_catalogue.store.quads())
    assert any_store.graph_names() == demo_catalogue.store.graph_names()


@pytest.mark.parametrize("fmt", ["nq", "trig", "ttl", "jsonld"])
def test_provider_export_imports_back_into_an_empty_store(
    demo_catalogue: Catalogue, fmt: str
) -> None:
    data = _export(demo_catalogue.store, fmt, "providers")
    target = EmbeddedStore()
    result = import_data(target, [(f"providers.{fmt}", data)], max_bytes=2**26)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert result.written == 60
    assert _providers(target) == _providers(demo_catalogue.store)


@pytest.mark.parametrize("fmt", ["nq", "trig", "ttl", "jsonld"])
def test_one_graph_export(demo_catalogue: Catalogue, fmt: str) -> None:
    graph = sorted(g.value for g in demo_catalogue.store.graph_names() if "/provider/" in g.value)[
        0
    ]
    relative = graph.split("example/", 1)[1]
    data = _export(demo_catalogue.store, fmt, relative)
    parsed = {
        q.triple
        for q in ox.parse(
            data,
            {
                "nq": ox.RdfFormat.N_QUADS,
                "trig": ox.RdfFormat.TRIG,
                "ttl": ox.RdfFormat.TURTLE,
                "jsonld": ox.RdfFormat.JSON_LD,
            }[fmt],
        )
    }
    assert parsed == {q.triple for q in demo_catalogue.store.quads(ox.NamedNode(graph))}
    assert _export(demo_catalogue.store, fmt, graph) == data


def test_turtle_of_the_whole_dataset_is_refused(demo_catalogue: Catalogue) -> None:
    with pytest.raises(ExportError):
        _export(demo_catalogue.store, "ttl", "all")


def test_cli_export_streams_to_stdout_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--providers", "4", "--load"]).exit_code == 0
    out = runner.invoke(main, ["export", "--format", "ttl"])
    assert out.exit_code == 0 and "sk:Provider" in out.output
    target = tmp_path / "all.trig"
    assert runner.invoke(main, ["export", "--format", "trig", "-o", str(target)]).exit_code == 0
    graphs = {q.graph_name.value for q in ox.parse(path=str(target))}  # type: ignore[union-attr]
    assert len([g for g in graphs if g.startswith(PROVIDER_GRAPHS)]) == 4
    assert any(g.startswith(f"{GRAPH}need/") for g in graphs)  # the demo's need figures
    refused = runner.invoke(main, ["export", "--format", "ttl", "--graph", "all"])
    assert refused.exit_code == 2 and "Turtle" in refused.output


def test_export_reports_progress_in_quads(demo_catalogue: Catalogue) -> None:
    steps: list[int] = []
    out = io.BytesIO()
    export(demo_catalogue.store, out, "nq", "all", progress=steps.append)
    written = len(list(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS)))
    assert sum(steps) == written > 10_000 and len(steps) > 1  # in steps, not once at the end
