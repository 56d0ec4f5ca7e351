"""The Turtle cases in tests/shapes/: every threshold edge, specialfunktion, prerequisite and
integrity rule, each with its expected outcome stated in the file (``t:Case``).

All case records are loaded into one store and checked once with the fast path (the providers are
independent, so this equals checking each alone); each case then asserts its expectations by
sh:focusNode / sh:sourceShape / sh:resultPath, never by message text. The slow test runs pyshacl
on every case record and demands the very same results.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from catalogue import Catalogue
from catalogue.compliance import ProviderCheck, check, oracle
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.results import same_results, to_ox
from catalogue.namespaces import GRAPH, SK
from tests.conftest import memory_catalogue

HERE = Path(__file__).parent / "shapes"
CASES = sorted(HERE.rglob("*.ttl"))
T = rdflib.Namespace("https://specialekatalog.example/test#")
NONE = T.none


@dataclass(frozen=True)
class CaseFile:
    path: Path
    expect: rdflib.Graph
    case: rdflib.URIRef
    record: tuple[ox.Quad, ...]
    tpid: str


def read(path: Path) -> CaseFile:
    graph = rdflib.Graph().parse(path, format="turtle")
    case = next(graph.subjects(RDF.type, T.Case))
    expect = rdflib.Graph()
    todo = [case]
    while todo:
        node = todo.pop()
        for p, o in graph.predicate_objects(node):
            expect.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    provider = next(graph.subjects(RDF.type, SK.Provider))
    tpid = str(provider).rsplit("/", 1)[-1]
    name = ox.NamedNode(f"{GRAPH}provider/{tpid}")
    record = tuple(
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), name)  # type: ignore[arg-type]
        for s, p, o in graph - expect
    )
    return CaseFile(path, expect, case, record, tpid)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def cases() -> dict[Path, CaseFile]:
    return {path: read(path) for path in CASES}


@pytest.fixture(scope="session")
def checked_cases(
    cases: dict[Path, CaseFile],
) -> Iterator[tuple[Catalogue, dict[str, ProviderCheck]]]:
    catalogue = memory_catalogue()
    catalogue.store.oxigraph.extend(q for c in cases.values() for q in c.record)
    found = {c.tpid: c for c in check(catalogue.store)}
    yield catalogue, found
    catalogue.close()


def _keys(results: list, focus: rdflib.term.Node) -> set[tuple[str, str | None]]:
    return {
        (r.shape.value, None if r.path is None else r.path.value)
        for r in results
        if r.focus == to_ox(focus)
    }


def test_there_are_cases_for_every_kind() -> None:
    folders = {p.parent.name for p in CASES}
    assert {"integrity", "prerequisite"} <= folders
    assert sum(f.startswith("specialfunktion-") for f in folders) == 10
    for guide in ("autisme", "erhvervet-hjerneskade", "synsnedsaettelse"):
        assert sum(f.startswith(guide + "-") for f in folders) == 8


def test_every_criterion_has_a_case_that_holds_and_one_that_fails(
    cases: dict[Path, CaseFile], knowledge_catalogue: Catalogue
) -> None:
    shapes = Criteria.from_store(knowledge_catalogue.store).shapes
    criteria = {str(s) for s in shapes.subjects(SK.refines, None)}
    criteria |= {
        str(s) for s in shapes.subjects(SH.targetClass, None) if "specialty-functions#" in str(s)
    }
    criteria |= {str(s) for s in shapes.subjects(SH.targetClass, None) if "prerequisite#" in str(s)}
    failing, holding = set(), set()
    for c in cases.values():
        failing |= {
            str(c.expect.value(r, SH.sourceShape)) for r in c.expect.objects(c.case, T.result)
        }
        holding |= {
            str(c.expect.value(r, SH.sourceShape)) for r in c.expect.objects(c.case, T.noResult)
        }
    assert criteria - failing == set()
    assert (
        criteria - holding - {s for s in criteria if "specialty-functions#" in s and "-" in s}
        == set()
    )


def test_threshold_edges_are_on_above_and_below(cases: dict[Path, CaseFile]) -> None:
    """Each guide criterion with a number has a case exactly on, just above and just below it."""
    edges: dict[str, set[str]] = {}
    for c in cases.values():
        comment = str(c.expect.value(c.case, rdflib.RDFS.comment))
        shape, _, rest = comment.partition(": ")
        edges.setdefault(shape, set()).add(rest.split(" ")[0])
    numeric = [e for s, e in edges.items() if {"on", "below"} & e]
    assert numeric and all({"on", "below"} <= e for e in numeric)
    assert sum("above" in e for e in numeric) >= len(numeric) - 3  # lists without a spare member


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(path: Path, cases: dict[Path, CaseFile], checked_cases: tuple) -> None:
    case = cases[path]
    _catalogue, checks = checked_cases
    checked = checks[case.tpid]
    assert checked.outcome is not None
    e, node = case.expect, case.case
    assert checked.conforms == e.value(node, T.conforms).toPython()  # type: ignore[union-attr]
    assert ("invalid" in path.name) == bool(list(e.objects(node, T.result)))
    for expected in e.objects(node, T.result):
        focus = e.value(expected, SH.focusNode)
        path_ = e.value(expected, SH.resultPath)
        key = (str(e.value(expected, SH.sourceShape)), None if path_ is None else str(path_))
        assert key in _keys(checked.results, focus)  # type: ignore[arg-type]
    for absent in e.objects(node, T.noResult):
        shapes = {s for s, _ in _keys(checked.results, e.value(absent, SH.focusNode))}  # type: ignore[arg-type]
        assert str(e.value(absent, SH.sourceShape)) not in shapes
    for placement in e.objects(node, T.placement):
        service = to_ox(e.value(placement, T.service))  # type: ignore[arg-type]
        level = e.value(placement, T.level)
        placed = checked.outcome.placements.get(service)  # type: ignore[arg-type]
        assert (None if level == NONE else to_ox(level)) == placed  # type: ignore[arg-type]
    for q in e.objects(node, T.qualification):
        wanted = (to_ox(e.value(q, T.service)), to_ox(e.value(q, T.function)))  # type: ignore[arg-type]
        found = {(x.service, x.function): x.meets for x in checked.outcome.qualifications}
        assert found[wanted] == e.value(q, T.meets).toPython()  # type: ignore[index, union-attr]


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_pyshacl_agrees(path: Path, cases: dict[Path, CaseFile], checked_cases: tuple) -> None:
    catalogue, checks = checked_cases
    criteria = Criteria.from_store(catalogue.store)
    case = cases[path]
    only_pyshacl, only_fast = same_results(
        oracle.validate_record(criteria, case.record), checks[case.tpid].results
    )
    assert not only_pyshacl and not only_fast
