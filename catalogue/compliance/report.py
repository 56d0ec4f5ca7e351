"""A provider's compliance report as RDF, for its graph ``{base}graph/report/{tpid}``.

The graph holds the standard ``sh:ValidationReport`` (node: the graph's own IRI) with its results,
the derived facts (``sk:placedAt``, ``sk:ParameterVerdict``, ``sk:Qualification``) and the PROV-O
trail: the report is a ``prov:Entity`` derived from the provider's graph; every check that produced
it is a ``prov:Activity`` with its times, engine, engine version, data hash and shapes hash. The
report keeps the latest checks (``HISTORY``), so the provider page can list them.

Results, verdicts and qualifications get IRIs (``#result-...``, ``#verdict-...``), never blank
nodes, so pages and exports can point at them.

A report is written as N-Triples text, every term by pyoxigraph's own N-Triples writer (``str`` of
a term), and handed to the store as text (``Store.replace_graphs_text``), which parses it in Rust:
at national scale (about 2.5 million report quads) this is several times cheaper than constructing
each quad in Python.
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
from catalogue.compliance.results import Result, Term
from catalogue.namespaces import GRAPH, SK

HISTORY = 20

A = f"<{RDF.type}>"
TRUE = f'"true"^^<{XSD.boolean}>'
FALSE = f'"false"^^<{XSD.boolean}>'


@cache
def _sh(name: str) -> str:
    return f"<{SH[name]}>"


@cache
def _sk(name: str) -> str:
    return f"<{SK[name]}>"


@cache
def _prov(name: str) -> str:
    return f"<{PROV[name]}>"


@cache
def _term(term: Term) -> str:
    """A term in N-Triples, by pyoxigraph's writer (remembered: shapes and levels repeat)."""
    return str(term)


@cache
def _code(iri: ox.NamedNode) -> str:
    return iri.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def report_iri(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}report/{tpid}")


def provider_graph(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}provider/{tpid}")


class _Lines:
    """N-Triples lines of one report graph."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .")


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

    def write(self, out: _Lines, report: ox.NamedNode, used: ox.NamedNode) -> None:
        node = str(self.iri(report))

        def time(value: dt.datetime) -> str:
            return f'"{value.isoformat().replace("+00:00", "Z")}"^^<{XSD.dateTime}>'

        out.add(node, A, _prov("Activity"))
        out.add(node, _prov("startedAtTime"), time(self.started))
        out.add(node, _prov("endedAtTime"), time(self.ended))
        out.add(node, _prov("used"), str(used))
        out.add(node, _sk("engine"), str(ox.Literal(self.engine)))
        out.add(node, _sk("engineVersion"), str(ox.Literal(self.engine_version)))
        out.add(node, _sk("dataHash"), str(ox.Literal(self.data_hash)))
        out.add(node, _sk("shapesHash"), str(ox.Literal(self.shapes_hash)))
        out.add(str(report), _prov("wasGeneratedBy"), node)


def _results(out: _Lines, report: ox.NamedNode, results: Iterable[Result]) -> None:
    seen: Counter[str] = Counter()
    for r in results:
        fields = (r.focus, r.shape, r.component, r.severity, r.path, r.value)
        digest = hashlib.sha1(" ".join(map(str, fields)).encode()).hexdigest()[:16]
        seen[digest] += 1
        suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
        node = f"<{report.value}#result-{digest}{suffix}>"
        out.add(str(report), _sh("result"), node)
        out.add(node, A, _sh("ValidationResult"))
        out.add(node, _sh("focusNode"), _term(r.focus))
        out.add(node, _sh("sourceShape"), _term(r.shape))
        out.add(node, _sh("sourceConstraintComponent"), _term(r.component))
        out.add(node, _sh("resultSeverity"), _term(r.severity))
        if r.path is not None:
            out.add(node, _sh("resultPath"), _term(r.path))
        if r.value is not None:
            out.add(node, _sh("value"), _term(r.value))
        for message in r.messages:
            out.add(node, _sh("resultMessage"), str(message))


def _outcome(out: _Lines, report: ox.NamedNode, outcome: Outcome) -> None:
    for service, level in outcome.placements.items():
        out.add(_term(service), _sk("placedAt"), _term(level))
    for v in outcome.verdicts:
        node = f"<{report.value}#verdict-{_code(v.service)}-{_code(v.parameter)}-{_code(v.level)}>"
        out.add(node, A, _sk("ParameterVerdict"))
        out.add(node, _sk("service"), _term(v.service))
        out.add(node, _sk("parameter"), _term(v.parameter))
        out.add(node, _sk("level"), _term(v.level))
        out.add(node, _sk("holds"), TRUE if v.holds else FALSE)
    for q in outcome.qualifications:
        node = f"<{report.value}#qualification-{_code(q.service)}-{_code(q.function)}>"
        out.add(node, A, _sk("Qualification"))
        out.add(node, _sk("service"), _term(q.service))
        out.add(node, _sk("specialtyFunction"), _term(q.function))
        out.add(node, _sk("meets"), TRUE if q.meets else FALSE)


def report_ntriples(
    tpid: str,
    results: list[Result],
    outcome: Outcome,
    activity: Activity,
    history: Iterable[ox.Triple] = (),
) -> str:
    """Everything the report graph of one provider holds after a check, as N-Triples."""
    report = report_iri(tpid)
    used = provider_graph(tpid)
    out = _Lines()
    node = str(report)
    out.add(node, A, _sh("ValidationReport"))
    out.add(node, A, _prov("Entity"))
    out.add(node, _sh("conforms"), TRUE if outcome.conforms else FALSE)
    out.add(node, _prov("wasDerivedFrom"), str(used))
    out.add(node, _sk("dataHash"), str(ox.Literal(activity.data_hash)))
    out.add(node, _sk("shapesHash"), str(ox.Literal(activity.shapes_hash)))
    _results(out, report, results)
    _outcome(out, report, outcome)
    activity.write(out, report, used)
    for t in history:
        out.add(str(t.subject), str(t.predicate), str(t.object))
    return "\n".join(out.lines) + "\n"
