"""The reference engine: pyshacl on one provider record at a time.

The data graph is the provider's record plus the reference knowledge (ontology, vocabularies,
specialty plan and the guides' lists), never the whole catalogue and never ``focus_nodes=``
(which missed nested results in measurements). Only rdflib graphs are passed, always with our
shapes graph; SHACL-AF, SHACL-JS, owl:imports and inference stay off (THREATS.md, section C).

pyshacl re-parses the text of every SPARQL validator for every focus node; the data graph here
keeps the prepared form of each query text instead, which changes nothing but the time taken.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from catalogue.compliance.criteria import Criteria
from catalogue.compliance.results import Result, rdflib_graph, results_from_report

ENGINE = "pyshacl"
VERSION = pyshacl.__version__

_PREPARED: dict[str, Query] = {}


class PreparedQueryGraph(rdflib.Graph):
    """An in-memory rdflib graph that parses each distinct SPARQL text once."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = _PREPARED.get(query_object)
            if prepared is None:
                prepared = _PREPARED[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> list[Result]:
    """pyshacl with the project's fixed, safe options; the report's top-level results."""
    if not isinstance(data, rdflib.Graph) or not isinstance(shapes, rdflib.Graph):
        raise TypeError("pyshacl gets rdflib graphs only, never strings (THREATS.md C1)")
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        abort_on_first=False,
        # False: a shape nested in sh:node, sh:not, sh:and ... with only sh:Warning or sh:Info
        # results does not conform (SHACL 1.0, 3.4 conformance checking: any validation result);
        # with True pyshacl counted it as conforming. Top-level results are the same either way.
        allow_infos=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
        js=False,
        do_owl_imports=False,
    )
    return results_from_report(report)


def validate_record(
    criteria: Criteria,
    record: Iterable[ox.Quad | ox.Triple],
    shapes: rdflib.Graph | None = None,
) -> list[Result]:
    """Validate one record with the reference knowledge, then take the record out again.
    ``shapes``: a shapes graph other than the criteria's (the fast path's refused shapes)."""
    added = rdflib_graph(record)
    with _IN_USE:  # the graph is shared by a server's threads: one record in it at a time
        data = _reference_graph(criteria)
        fresh = [t for t in added if t not in data]
        for triple in fresh:
            data.add(triple)
        try:
            return validate(data, criteria.shapes if shapes is None else shapes)
        finally:
            for triple in fresh:
                data.remove(triple)


_REFERENCE: dict[str, PreparedQueryGraph] = {}
_IN_USE = threading.Lock()


def _reference_graph(criteria: Criteria) -> PreparedQueryGraph:
    """One rdflib graph holding the reference knowledge per criteria hash (copying costs ~1 s)."""
    graph = _REFERENCE.get(criteria.digest)
    if graph is None:
        _REFERENCE.clear()
        graph = _REFERENCE[criteria.digest] = PreparedQueryGraph()
        graph += criteria.knowledge
    return graph
