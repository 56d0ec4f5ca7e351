"""What several catalogue processes sharing one store rely on, checked on the stores themselves: the
store probe, the change counter in a SPARQL server, its leases, and writes split for engines that
take small updates only (issue 15). The servers behind nginx: test_multiprocess.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from catalogue import Settings
from catalogue.probe import probe
from catalogue.store import EmbeddedStore, RemoteStore, Store
from catalogue.store.coordination import Busy
from tests.conftest import OxigraphServer

G = ox.NamedNode("https://specialekatalog.example/graph/provider/77")
NAME = ox.NamedNode("https://specialekatalog.example/ontology#name")


def triples(count: int) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"https://specialekatalog.example/id/x/{i}"), NAME, ox.Literal(i))
        for i in range(count)
    ]


def test_the_probe_passes_the_embedded_store_and_leaves_nothing_behind() -> None:
    store = EmbeddedStore()
    store.replace_graphs({G: triples(3)})
    report = probe(store, Settings.from_env({"store": "memory"}))
    assert report.serves, report.table()
    assert {o.check for o in report.outcomes} >= {"lateral", "path_in_optional", "write_size"}
    assert all(o.ok for o in report.outcomes)
    assert store.graph_names() == {G} and len(list(store.quads())) == 3


class _BooleansAsNumbers:
    """An engine that answers booleans as 1/0 (as Virtuoso does), over a real store."""

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def select(self, query: str, bindings: object = None) -> list[dict[str, object]]:
        rows = self._store.select(query, bindings)  # type: ignore[arg-type]
        boolean = "http://www.w3.org/2001/XMLSchema#boolean"
        return [
            {
                k: ox.Literal("1" if v.value == "true" else "0", datatype=ox.NamedNode(boolean))
                if isinstance(v, ox.Literal) and v.datatype.value == boolean
                else v
                for k, v in row.items()
            }
            for row in rows
        ]


def test_the_probe_refuses_wrong_answers_and_names_the_check() -> None:
    wrong = _BooleansAsNumbers(EmbeddedStore())
    report = probe(wrong, Settings.from_env({"store": "memory"}))  # type: ignore[arg-type]
    assert not report.serves
    assert [o.check for o in report.refusals] == ["literals"]
    assert "refuses to serve: literals" in report.table()


def test_the_embedded_lock_gives_up_after_the_wait() -> None:
    store = EmbeddedStore()
    with store.exclusive("editing", 1.0):
        with pytest.raises(Busy):
            with store.exclusive("editing", 0.1):
                pass
    with store.exclusive("editing", 0.1):
        pass


# -- a real Oxigraph server ------------------------------------------------------------------


@pytest.fixture
def two_processes(oxigraph_server: OxigraphServer) -> Iterator[tuple[RemoteStore, RemoteStore]]:
    """Two stores on one server, as two catalogue processes have them."""
    first, second = oxigraph_server.store(), oxigraph_server.store()
    first.clear()
    yield first, second
    first.clear()
    first.close()
    second.close()


@pytest.mark.remote
def test_a_write_by_one_process_changes_the_generation_the_other_sees(
    two_processes: tuple[RemoteStore, RemoteStore],
) -> None:
    first, second = two_processes
    before = second.generation
    first.replace_graphs({G: triples(2)})
    time.sleep(1.1)  # the counter is read at most once a second
    after = second.generation
    assert after != before
    assert second.freshness()["current"] is True
    probe(first, Settings.from_env({"store": "memory"}))  # scratch writes only
    time.sleep(1.1)
    assert second.generation == after  # the probe's scratch graphs are no change
    assert G in second.graph_names() and len(second.graph_names()) == 1  # own graphs hidden


@pytest.mark.remote
def test_a_lease_is_held_by_one_process_at_a_time(
    two_processes: tuple[RemoteStore, RemoteStore],
) -> None:
    first, second = two_processes
    with first.exclusive("editing", 5):
        with pytest.raises(Busy):
            with second.exclusive("editing", 0.5):
                pass
    with second.exclusive("editing", 5):
        pass
    inside: list[int] = []
    overlaps: list[int] = []

    def work(store: Store) -> None:
        for _ in range(3):
            with store.exclusive("editing", 30):
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                time.sleep(0.05)
                inside.pop()

    threads = [threading.Thread(target=work, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not overlaps


@pytest.mark.remote
def test_writes_are_split_to_the_engine_s_update_size(oxigraph_server: OxigraphServer) -> None:
    settings = oxigraph_server.settings(remote_write_triples=3)
    store = RemoteStore(
        settings.query_endpoint,
        settings.update_endpoint,
        settings.gsp_endpoint,
        10,
        settings.remote_write_triples,
    )
    store.clear()
    store.replace_graphs({G: triples(10)})
    store.extend_graph(G, triples(14)[10:])
    assert sorted(q.object.value for q in store.quads(G)) == sorted(str(i) for i in range(14))
    store.replace_graphs({G: triples(2)})
    assert len(list(store.quads(G))) == 2
    store.clear()
    store.close()
