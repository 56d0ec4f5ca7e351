"""A provider's record: the triples of its named graph, and where each came from in the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.store import EmbeddedStore, scratch_store

Origin = tuple[int | None, str | None]  # line, column heading (CSV) or property (RDF)


@dataclass
class ProviderRecord:
    tpid: str
    graph: ox.NamedNode
    triples: list[ox.Triple]
    origins: dict[tuple[ox.NamedNode, ox.NamedNode], Origin] = field(default_factory=dict)
    line: int | None = None  # first line of the provider in a CSV file
    numbered: bool = False  # the import numbered its parts (CSV), so it may number them anew

    def origin(self, node: ox.NamedNode | None, path: ox.NamedNode | None) -> Origin:
        if node is not None and path is not None and (node, path) in self.origins:
            return self.origins[(node, path)]
        return (self.line, None)


def stage(records: Iterable[ProviderRecord], reference: Iterable[ox.Quad] = ()) -> EmbeddedStore:
    """The records in a throw-away in-memory store, each in its named graph, next to ``reference``.

    The records go in as one TriG text parsed by the store (much cheaper than a Python quad per
    triple), and come out in the store's canonical form ("0.10"^^xsd:decimal reads "0.1"), which
    is what the integrity check runs on and what the writer compares and writes.
    """
    staging = scratch_store(reference)
    trig = "".join(f"{r.graph} {{\n{_ntriples(r.triples)}}}\n" for r in records)
    staging.oxigraph.load(trig, ox.RdfFormat.TRIG)
    return staging


def _ntriples(triples: list[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def ntriples(staging: EmbeddedStore, graph: ox.NamedNode) -> str:
    """One staged graph as N-Triples text."""
    return (staging.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"").decode()
