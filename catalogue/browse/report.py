"""A provider's compliance report for people: the results grouped by parameter, the checks that
produced it, and the report graph itself for the Turtle, JSON-LD and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse.rows import Concept, code, decimal, number, record, text
from catalogue.browse.search import index
from catalogue.namespaces import report_iri
from catalogue.store import Row, Store

SEVERITIES = {"Violation": "violation", "Warning": "warning", "Info": "info"}


@dataclass(frozen=True)
class Result:
    focus: str
    target_group: str
    criterion: str
    parameter: Concept | None
    notation: str
    level: str
    rank: int
    message: str
    value: str
    required: str
    severity: str
    path: str


@dataclass(frozen=True)
class ResultGroup:
    """The results for one parameter (or, with no parameter, the general ones)."""

    parameter: Concept | None
    results: list[Result]


@dataclass(frozen=True)
class Check:
    started: str
    ended: str
    engine: str
    engine_version: str
    data_hash: str
    shapes_hash: str


def results(store: Store, provider: str, lang: str, target_groups: dict[str, str]) -> list[Result]:
    """The provider's results (compliance_results), one per result node, with the target group
    of the service each is about. A result whose shape names several parameters (a
    specialfunktion's criteria) belongs to none of them: it is listed as general."""
    rows: dict[str, list[Row]] = {}
    for row in queries.run(store, "compliance_results", provider=provider, lang=lang):
        rows.setdefault(text(row, "result"), []).append(row)
    idx = index(store)
    found = []
    for group in rows.values():
        row = group[0]
        parameters = {text(r, "parameter") for r in group} - {""}
        parameter = parameters.pop() if len(parameters) == 1 else ""
        value = row.get("value")
        if value is None or value == row.get("focus"):  # the service itself: show the figure
            value = row.get("found")
        found.append(
            Result(
                focus=text(row, "focus"),
                target_group=target_groups.get(text(row, "focus"), ""),
                criterion=text(row, "criterion"),
                parameter=Concept(parameter, text(row, "parameterLabel")) if parameter else None,
                notation=text(row, "notation") if parameter else "",
                level=text(row, "levelLabel"),
                rank=number(row, "rank", -1),
                message=text(row, "message"),
                value=idx.label(value.value, lang)
                if isinstance(value, ox.NamedNode)
                else (value.value if value is not None else ""),
                required=required(row),
                severity=SEVERITIES.get(code(text(row, "severity")), "violation"),
                path=code(text(row, "path")),
            )
        )
    return found


def required(row: Row) -> str:
    """What the criterion requires: a count (a share of the service's own total made a count),
    a ceiling, or the share itself when the service gives no total."""
    if needed := text(row, "needed"):
        return needed
    if maximum := text(row, "maximum"):
        return "≤ " + maximum
    share = decimal(row, "minimumShare")
    return f"{share:.0%}" if share is not None else ""


def grouped(found: list[Result]) -> list[ResultGroup]:
    """Results grouped by parameter in parameter order; general results first."""
    groups: dict[str, ResultGroup] = {}
    for result in sorted(found, key=lambda r: (r.notation.zfill(3), r.rank)):
        key = result.parameter.iri if result.parameter else ""
        groups.setdefault(key, ResultGroup(result.parameter, [])).results.append(result)
    return list(groups.values())


def checks(store: Store, provider: str) -> list[Check]:
    """The checks behind the provider's report, newest first (compliance_history)."""
    return [record(Check, r) for r in queries.run(store, "compliance_history", provider=provider)]


def report_triples(store: Store, tpid: str) -> list[ox.Triple]:
    """The provider's latest report graph, as stored."""
    return [q.triple for q in store.quads(report_iri(tpid))]
