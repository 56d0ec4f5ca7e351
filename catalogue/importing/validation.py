"""Checking provider records against the integrity shapes (shapes/integrity.ttl) before writing.

The rules live in the shapes, not here. Records are validated in chunks, each chunk together with
the ontology and its vocabularies (so ``sh:class`` sees every concept's type); each result is traced
back to the file's line and column (CSV) or to the node and property (RDF).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from catalogue.importing.problems import Problems
from catalogue.importing.records import ProviderRecord
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE, GRAPH
from catalogue.store import EmbeddedStore

SHAPES_GRAPH = f"{GRAPH}shapes/integrity"
REFERENCE_PREFIX = f"{GRAPH}ontology/"
CHUNK = 200
_TPID = re.compile(re.escape(BASE) + r"id/provider/(\d{1,10})")


@cache
def _knowledge() -> tuple[ox.Quad, ...]:
    store = EmbeddedStore()
    load_knowledge(store)
    return tuple(store.quads())


def _rdflib(triples: Iterable[ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    graph = graph if graph is not None else rdflib.Graph()
    return graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@cache
def _shapes() -> rdflib.Graph:
    return _rdflib(q.triple for q in _knowledge() if q.graph_name.value == SHAPES_GRAPH)


@cache
def _reference() -> bytes:
    triples = (q.triple for q in _knowledge() if q.graph_name.value.startswith(REFERENCE_PREFIX))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _chunks(records: list[ProviderRecord]) -> Iterator[list[ProviderRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _local(term: rdflib.term.Node | None) -> str:
    text = str(term) if term is not None else ""
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def validate(records: list[ProviderRecord], problems: Problems) -> None:
    """Add a problem for every violation of the integrity shapes."""
    by_tpid = {record.tpid: record for record in records}
    for chunk in _chunks(records):
        data = rdflib.Graph().parse(data=_reference(), format="nt")
        _rdflib((t for record in chunk for t in record.triples), data)
        conforms, report, _ = pyshacl.validate(data, shacl_graph=_shapes(), inplace=True)
        if not conforms:
            _report(report, by_tpid, problems)  # type: ignore[arg-type]


def _report(report: rdflib.Graph, by_tpid: dict[str, ProviderRecord], problems: Problems) -> None:
    results = report.subjects(rdflib.RDF.type, SH.ValidationResult)
    for result in sorted(
        results,
        key=lambda r: (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath))),
    ):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        messages = {m.language: str(m) for m in report.objects(result, SH.resultMessage)}
        match = _TPID.match(str(focus))
        record = by_tpid.get(match.group(1)) if match else None
        node = ox.NamedNode(str(focus)) if isinstance(focus, rdflib.URIRef) else None
        prop = ox.NamedNode(str(path)) if isinstance(path, rdflib.URIRef) else None
        line, field = record.origin(node, prop) if record is not None else (None, None)
        shown = (
            f" ({_local(value) if isinstance(value, rdflib.URIRef) else value})" if value else ""
        )
        problems.add(
            _local(shape) or "integritet",
            messages.get("da", messages.get(None, "Reglen er ikke opfyldt")) + shown,
            messages.get("en", messages.get(None, "The rule is not met")) + shown,
            line=line,
            field=field or (_local(path) if path is not None else None),
            node=None if line else str(focus),
        )
