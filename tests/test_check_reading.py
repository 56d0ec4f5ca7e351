"""Reading records for a check from the store's N-Triples text: the same digest, subjects and
services as reading each record's quads, and the same working copy."""

from __future__ import annotations

import importlib

import pyoxigraph as ox
import pytest

from catalogue import Catalogue
from catalogue.compliance.check import (
    Record,
    digest,
    graph_text,
    plain,
    provider_ids,
    read,
    record_quads,
    text_digest,
)
from catalogue.namespaces import SK, provider_graph
from catalogue.store import EmbeddedStore, canonical_hash

# the module (the package's name `check` is the function)
check_module = importlib.import_module("catalogue.compliance.check")


def test_text_gives_what_the_quads_give(demo_catalogue: Catalogue) -> None:
    store = demo_catalogue.store
    for tpid in provider_ids(store):
        text, quads = graph_text(store, tpid), record_quads(store, tpid)
        assert plain(text)
        from_text, of_quads = (
            Record.from_text(tpid, text, text_digest(text)),
            Record.of(tpid, quads),
        )
        assert from_text == of_quads
        assert from_text.services  # the demo's providers offer services
        assert from_text.digest == digest(quads)


def _store_with(
    *triples: tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object],
) -> EmbeddedStore:
    graph = provider_graph("1")
    store = EmbeddedStore()
    store.add(ox.Quad(s, p, o, graph) for s, p, o in triples)  # type: ignore[arg-type]
    return store


def test_a_literal_that_looks_like_a_service_is_not_one() -> None:
    service, group = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:g")
    target_group = ox.NamedNode(SK.targetGroup)
    store = _store_with(
        (service, target_group, group),
        (service, ox.NamedNode("urn:x:note"), ox.Literal(f"<urn:x:t> {target_group} <urn:x:h> .")),
        (service, ox.NamedNode("urn:x:note"), ox.Literal(f'x {target_group} <urn:x:h>"')),
    )
    text = graph_text(store, "1")
    record = Record.from_text("1", text, text_digest(text))
    assert record == Record.of("1", record_quads(store, "1"))
    assert [(s.iri, s.target_group) for s in record.services] == [(service, group)]


def test_blank_nodes_are_read_as_quads_and_copied_as_the_same_nodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(check_module, "WHOLE_STORE_FROM", 1)  # a copy even for one record
    node = ox.BlankNode()
    service = ox.NamedNode("urn:x:s")
    store = _store_with(
        (service, ox.NamedNode(SK.targetGroup), ox.NamedNode("urn:x:g")),
        (service, ox.NamedNode("urn:x:p"), node),
        (node, ox.NamedNode("urn:x:q"), ox.Literal("v")),
    )
    copies: list[EmbeddedStore] = []

    def copy() -> EmbeddedStore:
        copies.append(EmbeddedStore())
        return copies[-1]

    found, todo, work = read(store, ["1"], lambda r: True, copy)
    quads = record_quads(store, "1")
    assert not plain(graph_text(store, "1"))
    assert found == todo and todo[0].digest == canonical_hash(quads)
    assert work is copies[0] and set(work.quads()) == set(quads)
    assert str(node) in todo[0].subjects


def test_a_few_records_get_no_working_copy(demo_catalogue: Catalogue) -> None:
    """They are validated one at a time on the engine's scratch store: a copy of the reference
    knowledge for them was half of a re-check on disk (28 of 61 ms)."""
    store = demo_catalogue.store
    tpids = provider_ids(store)[: check_module.WHOLE_STORE_FROM - 1]
    made: list[EmbeddedStore] = []
    found, todo, work = read(store, tpids, lambda r: True, lambda: made.append(EmbeddedStore()))
    assert len(todo) == len(tpids) and work is None and made == []


def test_the_working_copy_holds_the_stale_records_only(demo_catalogue: Catalogue) -> None:
    store = demo_catalogue.store
    tpids = provider_ids(store)
    stale = set(tpids[::2])  # more than WHOLE_STORE_FROM: a copy is made
    found, todo, work = read(store, tpids, lambda r: r.tpid in stale, EmbeddedStore)
    assert [r.tpid for r in found] == tpids and {r.tpid for r in todo} == stale
    assert work is not None
    assert {g.value for g in work.graph_names()} == {provider_graph(t).value for t in stale}
    for tpid in stale:
        assert set(work.quads(provider_graph(tpid))) == set(record_quads(store, tpid))
    unchanged = [r for r in found if r.tpid not in stale]
    assert all(not r.subjects and not r.services for r in unchanged)
