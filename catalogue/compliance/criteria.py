"""The criteria a check uses, read from the store: the shapes and the knowledge they refer to.

The shapes graph is every graph loaded from shapes/ except shapes/knowledge/ (checks of the
vocabularies, not of providers). The reference graph is every knowledge graph (ontology/ and
shapes/): validators read vocabulary facts (types, skos:member of the guides' lists, the specialty
plan) from the data, so each provider record is validated together with it, as in the store where
queries see the union of all graphs.

The criteria hash covers all knowledge graphs (their files' SHA-256 as the loader recorded them):
a change to a shape, a guide's threshold or a vocabulary re-validates every provider.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
import rdflib

from catalogue import queries
from catalogue.compliance.results import rdflib_graph
from catalogue.loading import is_knowledge_graph
from catalogue.namespaces import GRAPH
from catalogue.store import Store

SHAPES_PREFIX = f"{GRAPH}shapes/"
EXCLUDED_PREFIX = f"{GRAPH}shapes/knowledge/"


class CriteriaError(RuntimeError):
    """The store holds no usable criteria (run `specialekatalog load` first)."""


def is_criteria_graph(graph: ox.NamedNode) -> bool:
    return graph.value.startswith(SHAPES_PREFIX) and not graph.value.startswith(EXCLUDED_PREFIX)


def criteria_digest(store: Store) -> str:
    """SHA-256 over every knowledge graph's file hash; fails when no shapes are loaded."""
    hashes = sorted(
        (row["g"].value, row["hash"].value)  # type: ignore[union-attr]
        for row in queries.run(store, "knowledge_hashes")
    )
    if not any(is_criteria_graph(ox.NamedNode(g)) for g, _ in hashes):
        raise CriteriaError("no shapes in the store: run `specialekatalog load` first")
    return hashlib.sha256("".join(f"{g} {h}\n" for g, h in hashes).encode()).hexdigest()


@dataclass(frozen=True)
class Criteria:
    """Shapes and reference knowledge, both as pyoxigraph quads; rdflib copies made on demand."""

    reference: tuple[ox.Quad, ...]
    digest: str

    @classmethod
    def from_store(cls, store: Store, digest: str | None = None) -> Criteria:
        digest = digest or criteria_digest(store)
        reference = tuple(
            quad
            for graph in sorted(store.graph_names(), key=lambda g: g.value)
            if is_knowledge_graph(graph)
            for quad in store.quads(graph)
        )
        return cls(reference, digest)

    @cached_property
    def shapes(self) -> rdflib.Graph:
        """The compliance shapes (pyshacl's shacl_graph and the fast path's source)."""
        return rdflib_graph(
            q
            for q in self.reference
            if is_criteria_graph(q.graph_name)  # type: ignore[arg-type]
        )

    @cached_property
    def knowledge(self) -> rdflib.Graph:
        """All knowledge graphs merged: the reference part of every data graph."""
        return rdflib_graph(self.reference)
