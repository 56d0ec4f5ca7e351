"""Both engines on one small shapes graph and data graph, for the engine tests.

The shapes graph is the criteria (as the check reads them from the store), the data graph one
record: ``compiled`` is the fast path on the record with the reference engine for what the compiler
refused (what the check does), ``reference`` pyshacl on the same data, ``compiled_only`` the fast
path's own results and ``reference_compiled`` pyshacl's for the shapes the fast path compiled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from pyshacl.errors import ReportableRuntimeError
from rdflib.namespace import SH

from catalogue.compliance import oracle
from catalogue.compliance.compiler import targets_removed
from catalogue.compliance.criteria import SHAPES_PREFIX, Criteria
from catalogue.compliance.fastpath import FastPath, lossy
from catalogue.compliance.results import Result, same_results, to_ox, to_rdflib

SHAPES_GRAPH = ox.NamedNode(SHAPES_PREFIX + "test")
DATA_GRAPH = ox.NamedNode("https://specialekatalog.example/graph/provider/1")
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def quads(graph: rdflib.Graph, name: ox.NamedNode) -> list[ox.Quad]:
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]  # type: ignore[arg-type]


class ReferenceFailed(RuntimeError):
    """pyshacl could not validate the case (sh:lessThan on a blank node, some comparisons)."""


@dataclass
class Run:
    fast: FastPath
    compiled: list[Result]
    reference: list[Result]
    compiled_only: list[Result]
    reference_compiled: list[Result]
    data: rdflib.Graph
    # components whose ASK validator (sh:validator) runs on property shapes: pyshacl 0.40 gives
    # their results no sh:value there (SHACL 6.3.2: the value node), so the value is left out
    ask_on_properties: set[ox.NamedNode] = field(default_factory=set)

    @property
    def refused(self) -> dict[str, str]:
        return self.fast.plan.refused

    def differences(self) -> list[object]:
        """What differs: the check against pyshacl, the compiled part against pyshacl's (known
        departures of pyshacl from SHACL left out, see ``deviation``)."""
        found: list[object] = []
        pairs = not any(incomparable(o) for o in self.data.objects())

        def kept(results: list[Result]) -> list[Result]:
            return [
                replace(r, value=None)
                if r.path is not None and r.component in self.ask_on_properties
                else r
                for r in results
                if not deviation(r) and (pairs or r.component not in PAIRS)
            ]

        for a, b in (
            (self.compiled, self.reference),
            (self.compiled_only, self.reference_compiled),
        ):
            only_a, only_b = same_results(kept(a), kept(b))
            if only_a or only_b:
                found.append((sorted(map(str, only_a)), sorted(map(str, only_b))))
        return found


RANGES = {
    ox.NamedNode(f"http://www.w3.org/ns/shacl#{c}ConstraintComponent")
    for c in (
        "MinInclusive",
        "MaxInclusive",
        "MinExclusive",
        "MaxExclusive",
        "LessThan",
        "LessThanOrEquals",
    )
}
MIN_LENGTH = ox.NamedNode("http://www.w3.org/ns/shacl#MinLengthConstraintComponent")
PAIRS = {
    ox.NamedNode(f"http://www.w3.org/ns/shacl#{c}ConstraintComponent")
    for c in ("LessThan", "LessThanOrEquals")
}


def deviation(result: Result) -> bool:
    """A result where pyshacl 0.40 departs from SHACL in comparisons (sh:minInclusive and the
    like, sh:lessThan, sh:lessThanOrEquals): a literal that is neither a number nor a string
    (rdflib knows no value of an ill-formed literal or an unknown datatype, Python compares a
    boolean as a number, and a date with a number without complaint), and IRIs in
    sh:lessThan (pyshacl compares their text). SPARQL cannot compare these, so SHACL reports them;
    pyshacl lets them pass. The compiled engine follows SHACL; tests/test_compliance_engine.py
    checks that."""
    value = result.value
    if result.component in PAIRS and not isinstance(value, ox.Literal):
        return True
    if result.component == MIN_LENGTH and isinstance(value, ox.BlankNode):
        return True  # pyshacl passes every value when sh:minLength is 0; SHACL fails blank nodes
    if result.component not in RANGES or not isinstance(value, ox.Literal):
        return False
    if value.language:
        # SHACL 4.4.1-4.4.4 compare as SPARQL's < / <= (SPARQL 1.1, 17.3): no operator is
        # defined for a language-tagged string, so the value violates; pyshacl compares its text
        return True
    term = to_rdflib(value)
    return incomparable(term) and not isinstance(term.value, str)  # type: ignore[union-attr]


def incomparable(term: rdflib.term.Node) -> bool:
    """A term pyshacl may compare where SPARQL cannot (see ``deviation``; any term but a number):
    sh:lessThan results are compared only on data of numbers alone."""
    if not isinstance(term, rdflib.Literal):
        return True
    value = term.value
    return isinstance(value, bool) or not isinstance(value, int | float | Decimal)


def run(shapes_ttl: str, data_ttl: str) -> Run:
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    data = rdflib.Graph().parse(data=PREFIXES + data_ttl, format="turtle")
    digest = hashlib.sha256((shapes_ttl + "\n" + data_ttl).encode()).hexdigest()
    criteria = Criteria(tuple(quads(shapes, SHAPES_GRAPH)), digest)
    fast = FastPath(criteria)
    record = quads(data, DATA_GRAPH)
    try:
        reference = oracle.validate_record(criteria, record)
    except (ReportableRuntimeError, TypeError) as exc:  # pyshacl 0.40 fails on some data
        raise ReferenceFailed(str(exc)) from exc
    compiled = fast.run_record(record)
    if lossy(record):
        compiled_only, reference_compiled = [], []
    else:
        scratch = fast._scratch_store()
        scratch.oxigraph.extend(record)
        try:
            compiled_only = fast.compiled(scratch)
        finally:
            scratch.oxigraph.remove_graph(DATA_GRAPH)
        only = targets_removed(criteria.shapes, fast.plan.refused_roots)
        reference_compiled = oracle.validate_record(criteria, record, only)
    ask = {
        ox.NamedNode(str(c))
        for c in shapes.subjects(SH.validator, None)
        if (c, SH.propertyValidator, None) not in shapes
    }
    return Run(fast, compiled, reference, compiled_only, reference_compiled, data, ask)
