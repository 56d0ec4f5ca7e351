"""SHACL property paths (SHACL 1.0, section 2.3.1) as SPARQL property paths for the fast path.

A path is read from the shapes graph once: its SPARQL text (the same text the reports' complex
``sh:resultPath`` is compared by, ``results.path_text``), its structure (the triples written as the
result path of a report) and whether it can be of length zero. Oxigraph evaluates a zero-length
path only from nodes that occur in the data (SPARQL 1.1 gives the bound node itself as well), so
the value nodes of a path that can be of length zero are written with a second branch holding the
focus node itself (``Path.values``).

An ill-formed path (a sequence or alternative of fewer than two members, a blank node with other
or several path predicates, a literal) raises ``Unsupported``: the shape is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from catalogue.compliance.results import path_structure, path_text

FOCUS = "__FOCUS__"  # replaced by the focus pattern of the task (see Constraint.text)
VALUES = "$this $PATH ?value ."  # how a validator names the value nodes of a property shape
_UNARY = (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


class Unsupported(ValueError):
    """A shape uses a construct the fast path does not implement exactly."""


@dataclass(frozen=True)
class Path:
    node: ox.NamedNode | ox.BlankNode  # the sh:resultPath of the shape's results
    text: str  # a SPARQL property path
    nullable: bool  # the path can be of length zero (the focus node is among its values)
    triples: tuple[ox.Triple, ...] = ()  # a complex path's structure in the shapes graph

    @property
    def predicate(self) -> bool:
        return isinstance(self.node, ox.NamedNode)

    def values(self) -> str:
        """The pattern binding ``?value`` to each value node of ``?this``."""
        if not self.nullable:
            return f"?this {self.text} ?value ."
        return (
            f"{{ {FOCUS} ?this {self.text} ?value . }} UNION {{ {FOCUS} BIND (?this AS ?value) }}"
        )


def read(graph: rdflib.Graph, node: rdflib.term.Node) -> Path:
    """The path of a property shape's ``sh:path`` value."""
    nullable = _check(graph, node, set())
    if isinstance(node, rdflib.URIRef):
        return Path(ox.NamedNode(str(node)), f"<{node}>", False)
    assert isinstance(node, rdflib.BNode)
    term = ox.BlankNode(str(node))
    return Path(term, path_text(graph, node), nullable, path_structure(graph, node))


def _check(graph: rdflib.Graph, node: rdflib.term.Node, seen: set[rdflib.term.Node]) -> bool:
    """Whether the well-formed path ``node`` can be of length zero."""
    if isinstance(node, rdflib.URIRef):
        return False
    if not isinstance(node, rdflib.BNode) or node in seen:
        raise Unsupported(f"sh:path {node.n3()} is not a well-formed path")
    seen = seen | {node}
    if graph.value(node, RDF.first) is not None:
        members = list(Collection(graph, node))
        if len(members) < 2:
            raise Unsupported("a sequence path with fewer than two members")
        return all(_check(graph, m, seen) for m in members)
    predicates = set(graph.predicates(node))
    if len(predicates) != 1 or len(list(graph.objects(node))) != 1:
        raise Unsupported(f"sh:path {node.n3()} is not a well-formed path")
    (predicate,) = predicates
    inner = graph.value(node, predicate)
    if predicate == SH.alternativePath:
        members = list(Collection(graph, inner)) if inner is not None else []
        if len(members) < 2:
            raise Unsupported("an alternative path with fewer than two members")
        return any([_check(graph, m, seen) for m in members])
    if predicate not in _UNARY or inner is None:
        raise Unsupported(f"sh:path {node.n3()} is not a well-formed path")
    nullable = _check(graph, inner, seen)
    return predicate in (SH.zeroOrMorePath, SH.zeroOrOnePath) or nullable
