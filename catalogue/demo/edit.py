"""A realistic edit of a stored demo provider, for measuring and testing incremental re-checks."""

from __future__ import annotations

import pyoxigraph as ox

from catalogue.namespaces import GRAPH, SK
from catalogue.store import Store

SERVED = ox.NamedNode(str(SK.citizensServed))


def serve_one_more(store: Store, tpid: str) -> None:
    """Every service of the provider serves one citizen more (its graph replaced atomically)."""
    graph = ox.NamedNode(f"{GRAPH}provider/{tpid}")
    triples = [
        _plus_one(t) if t.predicate == SERVED else t for t in (q.triple for q in store.quads(graph))
    ]
    store.replace_graphs({graph: triples})


def _plus_one(triple: ox.Triple) -> ox.Triple:
    count = triple.object
    assert isinstance(count, ox.Literal), triple
    return ox.Triple(
        triple.subject,
        triple.predicate,
        ox.Literal(str(int(count.value) + 1), datatype=count.datatype),
    )
