"""The W3C SHACL test suite through the check's engine (compiled, the reference for what the
compiler refuses), when a copy of the suite is present.

The suite is not vendored here: point SHACL_TEST_SUITE at the ``tests`` folder of the W3C
data-shapes test suite (https://github.com/w3c/data-shapes, data-shapes-test-suite/tests) and run
``pytest tests/test_compliance_w3c.py``. Every ``sht:Validate`` entry of core/ and sparql/ runs:
its data graph validated against its shapes graph must give the expected report, compared as
multisets of (focus node, source shape, result path, constraint component, severity, value)
with blank nodes compared as blank nodes (their labels differ between files) and complex paths
as SPARQL path text. Entries expecting ``sht:Failure`` (an ill-formed shapes graph) are skipped.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.results import Result, _comparable, path_text, to_ox
from tests.shapes.engines import DATA_GRAPH, SHAPES_GRAPH, quads

SUITE = os.environ.get("SHACL_TEST_SUITE")
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")


def _files() -> list[Path]:
    if not SUITE:
        return []
    root = Path(SUITE)
    found = (p for folder in ("core", "sparql") for p in (root / folder).rglob("*.ttl"))
    return sorted(p for p in found if p.name != "manifest.ttl")


def _node(term: object) -> object:
    return "_:" if isinstance(term, rdflib.BNode) else _comparable(term)  # type: ignore[arg-type]


def _expected(graph: rdflib.Graph, report: rdflib.term.Node) -> Counter[tuple[object, ...]]:
    keys: Counter[tuple[object, ...]] = Counter()
    for r in graph.objects(report, SH.result):
        path = graph.value(r, SH.resultPath)
        from_ox = {}
        for name in ("focusNode", "sourceShape", "sourceConstraintComponent", "resultSeverity"):
            value = graph.value(r, SH[name])
            from_ox[name] = None if value is None else _node(to_ox(value))
        value = graph.value(r, SH.value)
        keys[
            (
                from_ox["focusNode"],
                from_ox["sourceShape"],
                None if path is None else path_text(graph, path),
                from_ox["sourceConstraintComponent"],
                from_ox["resultSeverity"],
                None if value is None else _node(to_ox(value)),
            )
        ] += 1
    return keys


def _found(results: list[Result]) -> Counter[tuple[object, ...]]:
    keys: Counter[tuple[object, ...]] = Counter()
    for r in results:
        if r.path_text is not None:
            path: object = r.path_text
        else:
            path = None if r.path is None else f"<{r.path.value}>"
        keys[
            (
                _node(r.focus),
                _node(r.shape),
                path,
                _node(r.component),
                _node(r.severity),
                None if r.value is None else _node(r.value),
            )
        ] += 1
    return keys


def _load(location: rdflib.term.Node) -> rdflib.Graph:
    path = Path(str(location).removeprefix("file://"))
    return rdflib.Graph().parse(path, format="turtle", publicID=str(location))


@pytest.mark.skipif(not SUITE, reason="SHACL_TEST_SUITE is not set (see the module docstring)")
@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_w3c_suite_entry(path: Path) -> None:
    manifest = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    entries = list(manifest.subjects(RDF.type, SHT.Validate))
    if not entries:
        pytest.skip("a data or shapes file of another entry")
    for entry in entries:
        action, report = manifest.value(entry, MF.action), manifest.value(entry, MF.result)
        if report == SHT.Failure:
            pytest.skip("expects the shapes graph to be rejected")
        data = _load(manifest.value(action, SHT.dataGraph))  # type: ignore[arg-type]
        shapes = _load(manifest.value(action, SHT.shapesGraph))  # type: ignore[arg-type]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        fast = FastPath(Criteria(tuple(quads(shapes, SHAPES_GRAPH)), digest))
        results = fast.run_record(quads(data, DATA_GRAPH))
        assert _found(results) == _expected(manifest, report), (entry, fast.plan.refused)  # type: ignore[arg-type]
