"""One validation result, as both engines produce it, and the conversions between RDF libraries.

A result is compared by the six things SHACL defines for it: focus node, source shape, result path,
source constraint component, severity and value. Messages are not compared: pyshacl leaves
``{?var}`` templates in a shape's ``sh:message`` unfilled, the fast path fills them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH

Term = ox.NamedNode | ox.BlankNode | ox.Literal

VIOLATION = ox.NamedNode(str(SH.Violation))


_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _STRING:
        # a simple literal: rdflib (its parsers, and its SPARQL engine that pyshacl uses) tells
        # "a" from "a"^^xsd:string, which RDF 1.1 makes one term; "a" matches the query text "a"
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_ox(term: rdflib.term.Node) -> Term:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or rdflib.XSD.string
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_graph(
    triples: Iterable[ox.Triple | ox.Quad], graph: rdflib.Graph | None = None
) -> rdflib.Graph:
    """Copy pyoxigraph triples (or quads, graph names dropped) into an rdflib graph."""
    target = graph if graph is not None else rdflib.Graph()
    for t in triples:
        target.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
    return target


@dataclass(frozen=True)
class Result:
    focus: Term
    shape: ox.NamedNode | ox.BlankNode
    component: ox.NamedNode
    severity: ox.NamedNode
    path: ox.NamedNode | ox.BlankNode | None = None
    value: Term | None = None
    messages: tuple[ox.Literal, ...] = field(default=(), compare=False)
    figures: tuple[tuple[str, Term], ...] = field(default=(), compare=False)
    # a complex sh:resultPath (a blank node): its triples, and the path written as SPARQL
    path_triples: tuple[ox.Triple, ...] = field(default=(), compare=False)
    path_text: str | None = None
    constraint: ox.NamedNode | ox.BlankNode | None = field(
        default=None, compare=False
    )  # sh:sourceConstraint

    @property
    def is_violation(self) -> bool:
        return self.severity == VIOLATION

    def key(self) -> tuple[object, ...]:
        """The six SHACL fields, compared as RDF terms; literals by datatype and value.

        Oxigraph keeps numeric literals in canonical form ("1.50" is stored as "1.5"), rdflib
        keeps the lexical form: both denote the same value node.
        """
        path = self.path_text if self.path_text is not None else _comparable(self.path)
        return (
            _comparable(self.focus),
            _comparable(self.shape),
            path,
            _comparable(self.component),
            _comparable(self.severity),
            _comparable(self.value),
        )


def _comparable(term: Term | None) -> object:
    if term is None:
        return None
    node = to_rdflib(term)
    if isinstance(node, rdflib.Literal) and not node.ill_typed and node.value is not None:
        return ("literal", node.datatype, node.language, node.value)
    return node


def same_results(a: Iterable[Result], b: Iterable[Result]) -> tuple[Counter, Counter]:
    """What only ``a`` has and what only ``b`` has, compared as multisets of keys."""
    ca, cb = Counter(r.key() for r in a), Counter(r.key() for r in b)
    return ca - cb, cb - ca


def results_from_report(report: rdflib.Graph) -> list[Result]:
    """The top-level results of a pyshacl report graph (nested sh:detail results are left out)."""
    found = []
    for top in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(top, SH.result):
            path = report.value(node, SH.resultPath)
            value = report.value(node, SH.value)
            complex_path = isinstance(path, rdflib.BNode)
            found.append(
                Result(
                    focus=to_ox(report.value(node, SH.focusNode)),  # type: ignore[arg-type]
                    shape=to_ox(report.value(node, SH.sourceShape)),  # type: ignore[arg-type]
                    component=to_ox(report.value(node, SH.sourceConstraintComponent)),  # type: ignore[arg-type]
                    severity=to_ox(report.value(node, SH.resultSeverity)),  # type: ignore[arg-type]
                    path=None if path is None else to_ox(path),  # type: ignore[arg-type]
                    value=None if value is None else to_ox(value),
                    messages=tuple(to_ox(m) for m in report.objects(node, SH.resultMessage)),  # type: ignore[misc]
                    path_triples=path_structure(report, path) if complex_path else (),  # type: ignore[arg-type]
                    path_text=path_text(report, path) if complex_path else None,  # type: ignore[arg-type]
                )
            )
    return found


def path_structure(graph: rdflib.Graph, node: rdflib.BNode) -> tuple[ox.Triple, ...]:
    """The triples of a path expression (its blank nodes and lists)."""
    found: list[ox.Triple] = []
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in graph.predicate_objects(current):
            found.append(ox.Triple(to_ox(current), to_ox(p), to_ox(o)))  # type: ignore[arg-type]
            if isinstance(o, rdflib.BNode):
                stack.append(o)
    return tuple(found)


def path_text(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL property path written as a SPARQL property path (SHACL 2.3.1)."""
    if isinstance(node, rdflib.URIRef):
        return node.n3()
    first = graph.value(node, RDF.first)
    if first is not None:
        items = list(rdflib.collection.Collection(graph, node))
        return "(" + "/".join(path_text(graph, i) for i in items) + ")"
    for predicate, template in (
        (SH.alternativePath, None),
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(node, predicate)
        if inner is None:
            continue
        if template is None:
            items = list(rdflib.collection.Collection(graph, inner))
            return "(" + "|".join(path_text(graph, i) for i in items) + ")"
        return template.format("(" + path_text(graph, inner) + ")")
    raise ValueError(f"not a SHACL property path: {node!r}")
