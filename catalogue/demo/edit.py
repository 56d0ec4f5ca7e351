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
        ox.Triple(
            t.subject,
            t.predicate,
            ox.Literal(str(int(t.object.value) + 1), datatype=t.object.datatype),
        )  # type: ignore[union-attr]
        if t.predicate == SERVED
        else t
        for t in (q.triple for q in store.quads(graph))
    ]
    store.replace_graphs({graph: triples})
