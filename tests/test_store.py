"""The Store interface, run against the embedded store and a real Oxigraph server."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.store import (
    EmbeddedStore,
    RemoteStore,
    StoreError,
    canonical_hash,
    open_directory,
    scratch_store,
)

EX = "https://specialekatalog.example/"
G1 = ox.NamedNode(EX + "graph/provider/1")
G2 = ox.NamedNode(EX + "graph/provider/2")
NAME = ox.NamedNode(EX + "ontology#name")
CAP = ox.NamedNode(EX + "ontology#capacity")
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


def provider(n: int, name: str, capacity: int = 10) -> list[ox.Triple]:
    subject = ox.NamedNode(f"{EX}id/provider/{n}")
    return [
        ox.Triple(subject, NAME, ox.Literal(name, language="da")),
        ox.Triple(subject, CAP, ox.Literal(str(capacity), datatype=ox.NamedNode(XSD_INT))),
    ]


Store = EmbeddedStore | RemoteStore


def test_replace_graphs_writes_and_replaces(any_store: Store) -> None:
    any_store.replace_graphs({G1: provider(1, "Bostedet Kastanjen"), G2: provider(2, "Egebakken")})
    assert any_store.graph_names() == {G1, G2}
    any_store.replace_graphs({G1: provider(1, "Bostedet Æblehaven", 12)})
    triples = {q.triple for q in any_store.quads(G1)}
    assert triples == set(provider(1, "Bostedet Æblehaven", 12))
    assert {q.triple for q in any_store.quads(G2)} == set(provider(2, "Egebakken"))
    assert all(q.graph_name == G1 for q in any_store.quads(G1))


def test_drop_graphs_and_clear(any_store: Store) -> None:
    any_store.replace_graphs({G1: provider(1, "A"), G2: provider(2, "B")})
    any_store.drop_graphs([G1])
    assert any_store.graph_names() == {G2}
    any_store.replace_graphs({G2: []})
    assert any_store.graph_names() == set()
    any_store.replace_graphs({G1: provider(1, "A")})
    any_store.clear()
    assert list(any_store.quads()) == []


def test_select_binds_values_and_sees_the_union_of_graphs(any_store: Store) -> None:
    any_store.replace_graphs({G1: provider(1, "A", 5), G2: provider(2, "B", 30)})
    query = (
        "PREFIX sk: <" + EX + "ontology#>\n"
        "SELECT ?name ?min WHERE { ?p sk:name ?name ; sk:capacity ?c FILTER(?c >= ?min) }"
    )
    minimum = ox.Literal("10", datatype=ox.NamedNode(XSD_INT))
    rows = any_store.select(query, {"min": minimum})
    assert [r["name"].value for r in rows] == ["B"]
    assert rows[0]["min"] == minimum
    ask = "PREFIX sk: <" + EX + "ontology#>\nASK WHERE { ?p sk:name ?name }"
    assert any_store.ask(ask, {"name": ox.Literal("A", language="da")})
    assert not any_store.ask(ask, {"name": ox.Literal("C", language="da")})


def test_construct_returns_each_triple_once(any_store: Store) -> None:
    any_store.replace_graphs({G1: provider(1, "A"), G2: provider(1, "A")})
    # the two graphs only: a remote store also keeps its change counter in a graph of its own
    triples = any_store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {G1} {G2} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert sorted(map(str, triples)) == sorted(map(str, provider(1, "A")))


def test_wrong_query_form_and_syntax_errors_are_store_errors(any_store: Store) -> None:
    with pytest.raises(StoreError):
        any_store.select("ASK {}")
    with pytest.raises(StoreError):
        any_store.ask("SELECT * WHERE {")


@pytest.mark.parametrize(
    "fmt", [ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD], ids=str
)
def test_dump_round_trips_the_dataset(any_store: Store, fmt: ox.RdfFormat) -> None:
    any_store.replace_graphs({G1: provider(1, "Ø"), G2: provider(2, "Å")})
    out = io.BytesIO()
    any_store.dump(out, fmt)
    parsed = set(ox.parse(out.getvalue(), fmt))
    assert parsed == set(any_store.quads())
    one = io.BytesIO()
    any_store.dump(one, ox.RdfFormat.TURTLE, G1)
    assert {q.triple for q in ox.parse(one.getvalue(), ox.RdfFormat.TURTLE)} == set(
        provider(1, "Ø")
    )


def test_canonical_hash_is_independent_of_backend_and_order(any_store: Store) -> None:
    any_store.replace_graphs({G2: provider(2, "B"), G1: provider(1, "A")})
    reference = EmbeddedStore()
    reference.replace_graphs({G1: provider(1, "A")})
    reference.replace_graphs({G2: provider(2, "B")})
    assert canonical_hash(any_store.quads()) == canonical_hash(reference.quads())
    any_store.replace_graphs({G2: provider(2, "B", 11)})
    assert canonical_hash(any_store.quads()) != canonical_hash(reference.quads())


def test_canonical_hash_ignores_blank_node_labels() -> None:
    p = ox.NamedNode(EX + "p")
    first = [ox.Quad(ox.BlankNode("a"), p, ox.Literal("x"), G1)]
    second = [ox.Quad(ox.BlankNode("zz"), p, ox.Literal("x"), G1)]
    assert canonical_hash(first) == canonical_hash(second)


def test_backup_is_a_consistent_openable_snapshot(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({G1: provider(1, "A")})
    store.snapshot(tmp_path / "snapshot")
    store.replace_graphs({G1: provider(1, "changed")})
    snapshot = EmbeddedStore(tmp_path / "snapshot", read_only=True)
    assert {q.triple for q in snapshot.quads(G1)} == set(provider(1, "A"))
    with pytest.raises(StoreError):
        store.snapshot(tmp_path / "snapshot")  # never over an existing directory
    store.close()


def test_an_in_memory_store_snapshots_by_copy_and_counts_its_writes(tmp_path: Path) -> None:
    store = scratch_store(ox.Quad(t.subject, t.predicate, t.object, G1) for t in provider(1, "A"))
    assert store.directory is None and store.can_snapshot and store.large_writes
    before = store.generation
    store.replace_graphs({G2: provider(2, "B")})
    assert store.generation != before
    store.snapshot(tmp_path / "copy")
    copy = open_directory(tmp_path / "copy", read_only=True)
    assert canonical_hash(copy.quads()) == canonical_hash(store.quads())


def _ntriples(triples: list[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


@pytest.mark.parametrize(("trusted", "bulk"), [(False, False), (True, False), (True, True)])
def test_replace_graphs_text_adds_replaces_and_drops(
    any_store: Store, trusted: bool, bulk: bool
) -> None:
    new = {G1: _ntriples(provider(1, "Bostedet Ø")), G2: _ntriples(provider(2, "Egebakken"))}
    any_store.replace_graphs_text(new, trusted=trusted, bulk=bulk)
    assert {q.triple for q in any_store.quads(G1)} == set(provider(1, "Bostedet Ø"))
    assert {q.triple for q in any_store.quads(G2)} == set(provider(2, "Egebakken"))
    any_store.replace_graphs_text(
        {G1: _ntriples(provider(1, "Å", 12)), G2: ""}, trusted=trusted, bulk=bulk
    )
    assert any_store.graph_names() == {G1}
    assert {q.triple for q in any_store.quads(G1)} == set(provider(1, "Å", 12))


def test_replace_graphs_text_is_atomic(any_store: Store) -> None:
    any_store.replace_graphs({G1: provider(1, "A")})
    with pytest.raises(StoreError):
        any_store.replace_graphs_text({G1: "", G2: "<broken"})
    with pytest.raises(StoreError):
        any_store.replace_graphs_text({G2: _ntriples(provider(2, "B")) + "<broken"})
    assert any_store.graph_names() == {G1}
    assert {q.triple for q in any_store.quads(G1)} == set(provider(1, "A"))


def test_a_remote_store_declares_what_it_cannot_do(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9"  # never contacted: capabilities need no request
    store = RemoteStore(f"{url}/query", f"{url}/update", f"{url}/store", timeout_s=1)
    assert store.directory is None  # its change counter is read from the server (generation)
    assert not store.large_writes and not store.can_snapshot
    with pytest.raises(StoreError):
        store.snapshot(tmp_path / "snapshot")
    store.close()


def test_reopening_a_store_leaves_no_pile_of_old_logs(tmp_path: Path) -> None:
    """RocksDB rotates its info log at every open (80 files after a session of CLI runs)."""
    for _ in range(4):
        store = EmbeddedStore(tmp_path / "store")
        store.close()
    assert not list((tmp_path / "store").glob("LOG.old.*"))
    assert (tmp_path / "store" / "LOG").exists()


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_small_replacement_leaves_exactly_the_new_graph(tmp_path: Path, on_disk: bool) -> None:
    """A few graphs replaced (a re-check) get only the triples that differ; the outcome is the
    new text whatever the old one held, blank nodes included."""
    store = EmbeddedStore(tmp_path / "store" if on_disk else None)
    g, h, k = (ox.NamedNode(f"urn:x:g{i}") for i in range(3))
    old = '<urn:x:a> <urn:x:p> "1" .\n<urn:x:a> <urn:x:q> "kept"@da .\n'
    store.replace_graphs_text({g: old, h: "_:b <urn:x:p> <urn:x:c> .\n", k: old})
    new = {
        g: '<urn:x:a> <urn:x:q> "kept"@da .\n<urn:x:a> <urn:x:p> "2" .\n',
        h: "_:c <urn:x:p> <urn:x:d> .\n",  # blank nodes: dropped and inserted
        k: "",  # dropped
    }
    if on_disk:
        assert store.replace_all(new.items()) == 3
    else:
        store.replace_graphs_text(new)
    assert {(q.subject, q.predicate, q.object) for q in store.quads(g)} == {
        (ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:q"), ox.Literal("kept", language="da")),
        (ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("2")),
    }
    (blank,) = store.quads(h)
    assert blank.object == ox.NamedNode("urn:x:d")
    assert k not in store.graph_names()


@pytest.mark.parametrize("how", ["text", "all"])
def test_added_graphs_keep_what_they_hold(any_store: Store, how: str) -> None:
    """A graph in ``added`` gets its text added to what it holds (an append-only log such as a
    provider's check history); the others are replaced as always."""
    any_store.replace_graphs({G1: provider(1, "A"), G2: provider(2, "B")})
    new = {G1: _ntriples(provider(1, "C")), G2: _ntriples(provider(2, "D", 12))}
    if how == "text":
        any_store.replace_graphs_text(new, added={G2})
    else:
        assert any_store.replace_all(new.items(), added={G2}) == 2
    assert {q.triple for q in any_store.quads(G1)} == set(provider(1, "C"))
    assert {q.triple for q in any_store.quads(G2)} == set(provider(2, "B")) | set(
        provider(2, "D", 12)
    )
