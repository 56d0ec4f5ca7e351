"""A provider's compliance report as RDF, for its graph ``{base}graph/report/{tpid}``.

The graph holds the standard ``sh:ValidationReport`` (node: the graph's own IRI) with its results,
the derived facts (``sk:placedAt``, ``sk:ParameterVerdict``, ``sk:Qualification``) and the PROV-O
trail: the report is a ``prov:Entity`` derived from the provider's graph; every check that produced
it is a ``prov:Activity`` with its times, engine, engine version, data hash and shapes hash, and
the criteria versions it used: ``prov:used`` a ``prov:Collection`` of them with each one's status
at the time (``criteria_set``: a graph of its own, shared by every report that used the same
versions in the same status), the rest of their description once for all reports in
``CRITERIA_VERSIONS_GRAPH``. The report holds the check that produced it; the provider's check
history holds that one and the earlier ones (``history_ntriples``), so the provider page can list
them.

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
from rdflib.namespace import OWL, PROV, RDF, SH, XSD

from catalogue.compliance.governance import DocumentVersion
from catalogue.compliance.placement import Outcome
from catalogue.compliance.results import Result, Term
from catalogue.namespaces import (
    ADMS,
    SK,
    check_history_graph,
    code,
    criteria_set_graph,
    provider_graph,
    report_iri,
)
from catalogue.store import ntriples_lines

HISTORY = 10  # checks per check-history graph: a provider's latest 11 to 20 checks are kept
TURNS = (0, 1)  # the check-history graphs of a provider, taking turns

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
    documents: tuple[DocumentVersion, ...] = ()  # the criteria versions the check used
    number: int = 0  # the provider's checks before this one (decides its check-history graph)

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
        used_set = criteria_set(self.documents)
        if used_set is not None:
            out.add(node, _prov("used"), str(used_set.graph))
        out.add(str(report), _prov("wasGeneratedBy"), node)


@dataclass(frozen=True)
class CriteriaSet:
    graph: ox.NamedNode  # also the collection's node
    ntriples: str


@cache
def criteria_set(documents: tuple[DocumentVersion, ...]) -> CriteriaSet | None:
    """The criteria versions a check used, each with its ``adms:status`` at the time: a
    ``prov:Collection`` (``prov:hadMember`` each version) in a graph of its own, named by a digest
    of what it says, so a status change makes a new one and the reports of one check share it.
    Each report names it in one ``prov:used`` (it held every version and status: 27 quads)."""
    if not documents:
        return None
    members = sorted(f"<{doc.iri}>" for doc in documents)
    statuses = sorted(
        f"<{doc.iri}> <{ADMS}status> <{doc.status}> ." for doc in documents if doc.status
    )
    content = "\n".join(members + statuses).encode()
    graph = criteria_set_graph(hashlib.sha256(content).hexdigest()[:16])
    node = str(graph)
    lines = [
        f"{node} {A} {_prov('Collection')} .",
        *(f"{node} {_prov('hadMember')} {member} ." for member in members),
        *statuses,
    ]
    return CriteriaSet(graph, "".join(f"{line}\n" for line in lines))


def versions_ntriples(documents: Iterable[DocumentVersion], known: str = "") -> str:
    """The graph ``CRITERIA_VERSIONS_GRAPH``: what never changes about each version a check used
    (a PROV entity, a specialisation of its guide, its version number), written once for all
    reports instead of in each; ``known``: the graph's N-Triples so far (kept)."""
    lines = ntriples_lines(known)
    for doc in documents:
        version = f"<{doc.iri}>"
        lines.update(
            (
                f"{version} {A} {_prov('Entity')} .",
                f"{version} {_prov('specializationOf')} <{doc.document}> .",
                f"{version} <{OWL.versionInfo}> {ox.Literal(doc.version)} .",
            )
        )
    return "".join(f"{line}\n" for line in sorted(lines))


def _results(out: _Lines, report: ox.NamedNode, results: Iterable[Result]) -> None:
    """The sh:result nodes (the hot loop of a national check: lines appended directly)."""
    seen: Counter[str] = Counter()
    head, base, lines = str(report), report.value, out.lines
    has_result, result_type = _sh("result"), f"{A} {_sh('ValidationResult')} ."
    focus_p, shape_p, component_p = (
        _sh("focusNode"),
        _sh("sourceShape"),
        _sh("sourceConstraintComponent"),
    )
    severity_p, path_p, value_p, message_p = (
        _sh("resultSeverity"),
        _sh("resultPath"),
        _sh("value"),
        _sh("resultMessage"),
    )
    for r in results:
        focus, shape, component = _term(r.focus), _term(r.shape), _term(r.component)
        severity = _term(r.severity)
        path = None if r.path is None else _term(r.path)
        value = None if r.value is None else _term(r.value)
        fields = f"{focus} {shape} {component} {severity} {path} {value}"  # None as "None"
        digest = hashlib.sha1(fields.encode(), usedforsecurity=False).hexdigest()[:16]  # a name
        seen[digest] += 1
        suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
        node = f"<{base}#result-{digest}{suffix}>"
        lines += (
            f"{head} {has_result} {node} .",
            f"{node} {result_type}",
            f"{node} {focus_p} {focus} .",
            f"{node} {shape_p} {shape} .",
            f"{node} {component_p} {component} .",
            f"{node} {severity_p} {severity} .",
        )
        if path is not None:
            lines.append(f"{node} {path_p} {path} .")
            lines += (f"{t} ." for t in r.path_triples)  # a complex path's structure
        if value is not None:
            lines.append(f"{node} {value_p} {value} .")
        if r.constraint is not None:  # a SPARQL-based constraint
            lines.append(f"{node} {_sh('sourceConstraint')} {_term(r.constraint)} .")
        lines += (f"{node} {message_p} {message} ." for message in r.messages)


def _outcome(out: _Lines, report: ox.NamedNode, outcome: Outcome) -> None:
    lines, base = out.lines, report.value
    placed_at = _sk("placedAt")
    lines += (f"{_term(s)} {placed_at} {_term(lv)} ." for s, lv in outcome.placements.items())
    verdict_type = f"{A} {_sk('ParameterVerdict')} ."
    service_p, parameter_p, level_p = _sk("service"), _sk("parameter"), _sk("level")
    holds_p = _sk("holds")
    for v in outcome.verdicts:
        keys = (code(v.service.value), code(v.parameter.value), code(v.level.value))
        node = f"<{base}#verdict-{'-'.join(keys)}>"
        lines += (
            f"{node} {verdict_type}",
            f"{node} {service_p} {_term(v.service)} .",
            f"{node} {parameter_p} {_term(v.parameter)} .",
            f"{node} {level_p} {_term(v.level)} .",
            f"{node} {holds_p} {TRUE if v.holds else FALSE} .",
        )
    qualification_type = f"{A} {_sk('Qualification')} ."
    function_p, meets_p, missing_p = _sk("specialtyFunction"), _sk("meets"), _sk("missingCriteria")
    for q in outcome.qualifications:
        node = f"<{base}#qualification-{code(q.service.value)}-{code(q.function.value)}>"
        lines += (
            f"{node} {qualification_type}",
            f"{node} {service_p} {_term(q.service)} .",
            f"{node} {function_p} {_term(q.function)} .",
            f"{node} {meets_p} {TRUE if q.meets else FALSE} .",
            f'{node} {missing_p} "{q.missing}"^^<{XSD.integer}> .',
        )


def report_ntriples(
    tpid: str,
    results: list[Result],
    outcome: Outcome,
    activity: Activity,
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
    out.add(node, _sk("checkNumber"), f'"{activity.number}"^^<{XSD.integer}>')
    _results(out, report, results)
    _outcome(out, report, outcome)
    activity.write(out, report, used)
    return "\n".join(out.lines) + "\n"


def history_graph(tpid: str, number: int) -> tuple[ox.NamedNode, bool]:
    """Where the provider's check ``number`` (its checks before it) goes in its check history,
    and whether it replaces what that graph holds. The history is two graphs that take turns,
    ``HISTORY`` checks each: check n goes to graph (n // HISTORY) % 2, and the first check of a
    turn replaces the checks of two turns back, so the latest ``HISTORY`` + 1 to 2 x ``HISTORY``
    checks are kept (all of them before that) and no check reads them to write its own."""
    turn, place = divmod(number, HISTORY)
    return check_history_graph(tpid, turn % len(TURNS)), place == 0


def history_graphs(tpid: str) -> tuple[ox.NamedNode, ...]:
    """Both graphs of the provider's check history (dropped with its report)."""
    return tuple(check_history_graph(tpid, turn) for turn in TURNS)


def history_ntriples(tpid: str, activity: Activity, earlier: Iterable[ox.Triple] = ()) -> str:
    """The check's activity for the provider's check history (``history_graph``); ``earlier``:
    the checks a report written before the history had graphs of its own held, carried over."""
    out = _Lines()
    activity.write(out, report_iri(tpid), provider_graph(tpid))
    for t in earlier:
        out.add(str(t.subject), str(t.predicate), str(t.object))
    return "\n".join(out.lines) + "\n"
