"""A provider's compliance report as RDF, for its graph ``{base}graph/report/{tpid}``.

The graph holds the standard ``sh:ValidationReport`` (node: the graph's own IRI) with its results,
the derived facts (``sk:placedAt``, ``sk:ParameterVerdict``, ``sk:Qualification``) and the PROV-O
trail: the report is a ``prov:Entity`` derived from the provider's graph; every check that produced
it is a ``prov:Activity`` with its times, engine, engine version, data hash and shapes hash. The
report keeps the latest checks (``HISTORY``), so the provider page can list them.

Results, verdicts and qualifications get IRIs (``#result-...``, ``#verdict-...``), never blank
nodes, so pages and exports can point at them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib.namespace import PROV, RDF, SH, XSD

from catalogue.compliance.placement import Outcome
from catalogue.compliance.results import Result
from catalogue.namespaces import GRAPH, SK

HISTORY = 20

A = ox.NamedNode(str(RDF.type))
TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))
FALSE = ox.Literal("false", datatype=ox.NamedNode(str(XSD.boolean)))


@cache
def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(SH[name]))


@cache
def _sk(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(SK[name]))


@cache
def _prov(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(PROV[name]))


def _bool(value: bool) -> ox.Literal:
    return TRUE if value else FALSE


@cache
def _code(iri: ox.NamedNode) -> str:
    return iri.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def report_iri(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}report/{tpid}")


def provider_graph(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}provider/{tpid}")


@dataclass(frozen=True)
class Activity:
    """One check of one provider."""

    started: dt.datetime
    ended: dt.datetime
    engine: str
    engine_version: str
    data_hash: str
    shapes_hash: str

    def iri(self, report: ox.NamedNode) -> ox.NamedNode:
        return ox.NamedNode(f"{report.value}#check-{self.ended.strftime('%Y%m%dT%H%M%S%fZ')}")

    def triples(self, report: ox.NamedNode, used: ox.NamedNode) -> list[ox.Triple]:
        node = self.iri(report)
        stamp = ox.NamedNode(str(XSD.dateTime))

        def time(value: dt.datetime) -> ox.Literal:
            return ox.Literal(value.isoformat().replace("+00:00", "Z"), datatype=stamp)

        return [
            ox.Triple(node, A, _prov("Activity")),
            ox.Triple(node, _prov("startedAtTime"), time(self.started)),
            ox.Triple(node, _prov("endedAtTime"), time(self.ended)),
            ox.Triple(node, _prov("used"), used),
            ox.Triple(node, _sk("engine"), ox.Literal(self.engine)),
            ox.Triple(node, _sk("engineVersion"), ox.Literal(self.engine_version)),
            ox.Triple(node, _sk("dataHash"), ox.Literal(self.data_hash)),
            ox.Triple(node, _sk("shapesHash"), ox.Literal(self.shapes_hash)),
            ox.Triple(report, _prov("wasGeneratedBy"), node),
        ]


def _result_triples(report: ox.NamedNode, results: Iterable[Result]) -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    seen: Counter[str] = Counter()
    result, focus, shape, component, severity, path, value, message = (
        _sh(n)
        for n in (
            "result",
            "focusNode",
            "sourceShape",
            "sourceConstraintComponent",
            "resultSeverity",
            "resultPath",
            "value",
            "resultMessage",
        )
    )
    kind = _sh("ValidationResult")
    for r in results:
        fields = (r.focus, r.shape, r.component, r.severity, r.path, r.value)
        digest = hashlib.sha1(" ".join(map(str, fields)).encode()).hexdigest()[:16]
        seen[digest] += 1
        suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
        node = ox.NamedNode(f"{report.value}#result-{digest}{suffix}")
        triples += [
            ox.Triple(report, result, node),
            ox.Triple(node, A, kind),
            ox.Triple(node, focus, r.focus),
            ox.Triple(node, shape, r.shape),
            ox.Triple(node, component, r.component),
            ox.Triple(node, severity, r.severity),
        ]
        if r.path is not None:
            triples.append(ox.Triple(node, path, r.path))
        if r.value is not None:
            triples.append(ox.Triple(node, value, r.value))
        triples += [ox.Triple(node, message, m) for m in r.messages]
    return triples


def _outcome_triples(report: ox.NamedNode, outcome: Outcome) -> list[ox.Triple]:
    placed, service, parameter, level, holds = map(
        _sk, ("placedAt", "service", "parameter", "level", "holds")
    )
    verdict, qualification, function, meets = map(
        _sk, ("ParameterVerdict", "Qualification", "specialtyFunction", "meets")
    )
    triples = [ox.Triple(s, placed, lv) for s, lv in outcome.placements.items()]
    for v in outcome.verdicts:
        node = ox.NamedNode(
            f"{report.value}#verdict-{_code(v.service)}-{_code(v.parameter)}-{_code(v.level)}"
        )
        triples += [
            ox.Triple(node, A, verdict),
            ox.Triple(node, service, v.service),
            ox.Triple(node, parameter, v.parameter),
            ox.Triple(node, level, v.level),
            ox.Triple(node, holds, _bool(v.holds)),
        ]
    for q in outcome.qualifications:
        node = ox.NamedNode(f"{report.value}#qualification-{_code(q.service)}-{_code(q.function)}")
        triples += [
            ox.Triple(node, A, qualification),
            ox.Triple(node, service, q.service),
            ox.Triple(node, function, q.function),
            ox.Triple(node, meets, _bool(q.meets)),
        ]
    return triples


def report_triples(
    tpid: str,
    results: list[Result],
    outcome: Outcome,
    activity: Activity,
    history: Iterable[ox.Triple] = (),
) -> list[ox.Triple]:
    """Everything the report graph of one provider holds after a check."""
    report = report_iri(tpid)
    used = provider_graph(tpid)
    return [
        ox.Triple(report, A, _sh("ValidationReport")),
        ox.Triple(report, A, _prov("Entity")),
        ox.Triple(report, _sh("conforms"), _bool(outcome.conforms)),
        ox.Triple(report, _prov("wasDerivedFrom"), used),
        ox.Triple(report, _sk("dataHash"), ox.Literal(activity.data_hash)),
        ox.Triple(report, _sk("shapesHash"), ox.Literal(activity.shapes_hash)),
        *_result_triples(report, results),
        *_outcome_triples(report, outcome),
        *activity.triples(report, used),
        *history,
    ]
