"""What ``specialekatalog check`` prints: text for people, JSON for programs, Turtle for tools."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse.decisions import Decision, in_force
from catalogue.compliance.check import ProviderCheck
from catalogue.compliance.scope import Scope
from catalogue.namespaces import CRITERIA_SETS, ID, code, report_iri
from catalogue.store import Store

STATES = {True: "opfylder / conforms", False: "opfylder ikke / does not conform", None: "?"}
MEETS = {True: "opfylder / meets", False: "opfylder ikke / does not meet"}


@dataclass
class ServiceLine:
    service: str
    target_group: str
    target_group_label: str
    level: str | None
    level_label: str | None
    meets: bool | None = None  # the specialfunktion of ``check --specialty-function``
    decision: Decision | None = None  # the authority's decision in force, beside the computed level


@dataclass
class ProviderLine:
    tpid: str
    name: str
    checked: bool
    conforms: bool | None
    results: int | None
    services: list[ServiceLine] = field(default_factory=list)


def summarise(store: Store, checks: list[ProviderCheck], lang: str) -> list[ProviderLine]:
    """One line per checked provider, placements read back from the stored reports."""
    lines: dict[str, ProviderLine] = {}
    one = checks[0].tpid if len(checks) == 1 else None
    provider = f"{ID}provider/{one}" if one else None
    decided = in_force(store, lang, provider)
    for row in queries.run(store, "compliance_placements", provider=provider, lang=lang):
        tpid = code(row["provider"].value)  # the key: sk:tilbudsportalenId is absent for § 148 a
        line = lines.get(tpid)
        if line is None:
            conforms = row.get("conforms")
            line = lines[tpid] = ProviderLine(
                tpid,
                row["name"].value if "name" in row else "",
                False,
                None if conforms is None else conforms.value == "true",
                None,
            )
        if "service" in row:
            line.services.append(
                ServiceLine(
                    row["service"].value,
                    row["targetGroup"].value,
                    row["targetGroupLabel"].value if "targetGroupLabel" in row else "",
                    row["level"].value if "level" in row else None,
                    row["levelLabel"].value if "levelLabel" in row else None,
                    decision=decided.get(row["service"].value),
                )
            )
    found = []
    for check in checks:
        line = lines.get(check.tpid, ProviderLine(check.tpid, "", False, None, None))
        line.checked = check.checked
        line.results = check.count if check.checked else None
        found.append(line)
    return found


def narrow(store: Store, lines: list[ProviderLine], scope: Scope) -> list[ProviderLine]:
    """Only the services in the scope; with a specialfunktion, whether each service meets it
    (by the stored reports, which the check has just brought up to date)."""
    wanted = {s.value for s in scope.services}
    meeting: set[str] = set()
    if scope.function is not None:
        rows = queries.run(store, "compliance_qualified", function=scope.function, lang="da")
        meeting = {r["service"].value for r in rows}
    for line in lines:
        line.services = [s for s in line.services if s.service in wanted]
        for service in line.services:
            if scope.function is not None:
                service.meets = service.service in meeting
    return lines


def conforms(lines: list[ProviderLine]) -> bool:
    return all(line.conforms for line in lines)


def _decided(decision: Decision | None) -> str:
    if decision is None:
        return "ikke afgjort / not decided"
    level = decision.level.label if decision.level else "ikke indplaceret / not placed"
    by = decision.by.label if decision.by else "-"
    flag = " (afviger / differs)" if decision.differs else ""
    return f"{level} ({by} {decision.on}){flag}"


def as_text(lines: list[ProviderLine], detail: bool) -> str:
    out = []
    if detail:
        for line in lines:
            state = STATES[line.conforms]
            how = "checked" if line.checked else "unchanged"
            out.append(f"{line.tpid} {line.name}: {state} ({how})")
            for s in line.services:
                qualified = "" if s.meets is None else f"; specialfunktion: {MEETS[s.meets]}"
                out.append(
                    f"  {s.target_group_label or s.target_group}: {_decided(s.decision)}; "
                    f"vejledende beregning / computed: {s.level_label or '-'}{qualified}"
                )
    validated = sum(line.checked for line in lines)
    out.append(
        f"{len(lines)} provider(s): {validated} validated, {len(lines) - validated} unchanged"
    )
    failing = [line for line in lines if not line.conforms]
    out.append(f"conform: {len(lines) - len(failing)}, do not conform: {len(failing)}")
    levels = Counter(s.level_label or "-" for line in lines for s in line.services if s.level)
    out.append("placements: " + ", ".join(f"{k} {v}" for k, v in sorted(levels.items())))
    judged = [s.meets for line in lines for s in line.services if s.meets is not None]
    if judged:
        out.append(f"specialfunktion: {sum(judged)} of {len(judged)} service(s) meet it")
    if not detail:
        out += [f"does not conform: {line.tpid} {line.name}" for line in failing]
    return "\n".join(out)


def _decision(decision: Decision | None) -> dict[str, object] | None:
    if decision is None:
        return None
    return {
        "iri": decision.iri,
        "level": decision.level.iri if decision.level else None,
        "by": decision.by.iri if decision.by else None,
        "on": decision.on,
        "guideVersion": decision.guide_version,
        "reason": decision.reason,
        "advisedLevel": decision.advised.iri if decision.advised else None,
        "differsFromComputed": decision.differs,
        "departures": {p.iri: reason for p, reason in decision.departures},
        "recorded": decision.recorded,
    }


def as_json(lines: list[ProviderLine]) -> str:
    return json.dumps(
        {
            "conforms": conforms(lines),
            "providers": [
                {
                    "tpid": line.tpid,
                    "name": line.name,
                    "conforms": line.conforms,
                    "checked": line.checked,
                    "results": line.results,
                    "services": [
                        {
                            "service": s.service,
                            "targetGroup": s.target_group,
                            "level": s.level,
                            "decidedLevel": s.decision.level.iri
                            if s.decision and s.decision.level
                            else None,
                            "decision": _decision(s.decision),
                        }
                        | ({} if s.meets is None else {"meetsSpecialtyFunction": s.meets})
                        for s in line.services
                    ],
                }
                for line in lines
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def as_turtle(store: Store, tpids: list[str]) -> bytes:
    """The reports, with the sets of criteria versions (and their status) their checks used."""
    triples = [q.triple for t in tpids for q in store.quads(report_iri(t))]
    sets = {
        t.object.value
        for t in triples
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(CRITERIA_SETS)
    }
    triples += [q.triple for graph in sorted(sets) for q in store.quads(ox.NamedNode(graph))]
    return ox.serialize(list(dict.fromkeys(triples)), format=ox.RdfFormat.TURTLE) or b""
