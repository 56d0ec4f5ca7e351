"""Placement decisions (indplaceringsafgørelser): the supervising authority places a service.

The compliance check computes a placement for every target-group service; that is the authority's
advice (*vejledende beregning*). The authority that supervises the provider (its socialtilsyn, or
the municipality for a § 148 a provider) decides: a level, or that the service is not placed, on a
date, after a version of the target-group guide, with an overall assessment (*samlet vurdering*)
and a reason for each parameter where it departs from the computed verdict (ontology/decisions.ttl).

A provider's decisions live in their own named graph ``{base}graph/decisions/{tpid}``, which an
upload of the provider's data never touches, and which is only ever appended to::

    <id/provider/1/target-group/{tg}/decision/2> a sk:PlacementDecision ;
        sk:decisionFor <id/provider/1/target-group/{tg}> ;
        sk:decidedLevel <vocab/level/hoej> ;            # absent: ikke indplaceret
        sk:advisedLevel <vocab/level/moderat> ;         # the computed placement at the time
        sk:decidedBy <vocab/supervisory-authority/oest> ; sk:decidedOn "2026-03-01"^^xsd:date ;
        sk:guideVersion "1.0" ; sk:overallAssessment "..." ;
        sk:departure <.../decision/2/departure/praksiserfaring> ;
        prov:generatedAtTime "..."^^xsd:dateTime ;
        prov:wasRevisionOf <.../decision/1> .           # it replaces decision 1
    <.../decision/2/departure/praksiserfaring> a sk:ParameterDeparture ;
        sk:parameter <vocab/parameter/praksiserfaring> ; sk:departureReason "..." .
    <.../decision/1> prov:wasInvalidatedBy <id/audit/{uuid}> ;
        prov:invalidatedAtTime "..."^^xsd:dateTime .    # replaced; withdrawn: + sk:withdrawalReason

Recording and withdrawing are audited changes (catalogue/audit.py): the activity in graph/audit
names the editor and generated the decision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue import queries
from catalogue.audit import Activity, audited
from catalogue.browse.concepts import Level, levels
from catalogue.browse.rows import Concept, code, concept, flag, number, text
from catalogue.editors import Editor
from catalogue.importing.problems import Problem, Problems
from catalogue.namespaces import DECISIONS_GRAPH, PROV, RDF, SK, XSD, term
from catalogue.store import Store

MAX_REASON = 4000  # characters of a samlet vurdering or a departure reason
MAX_VERSION = 100
NOT_PLACED = "none"  # the CLI's level word for "ikke indplaceret"


def decisions_graph(tpid: str) -> ox.NamedNode:
    return ox.NamedNode(DECISIONS_GRAPH + tpid)


@dataclass(frozen=True)
class Departure:
    parameter: str  # IRI of a provider parameter
    reason: str


@dataclass(frozen=True)
class NewDecision:
    service: str
    level: str | None  # IRI of a specialised level; None: ikke indplaceret
    by: str  # IRI of the deciding authority
    on: dt.date
    reason: str
    guide_version: str
    departures: tuple[Departure, ...] = ()


@dataclass(frozen=True)
class Basis:
    """What a decision on a service rests on: its provider, authority and computed verdict."""

    service: str
    provider: str
    tpid: str
    name: str
    authority: Concept | None
    target_group: Concept
    computed: Level | None
    guide_version: str
    parameters: list[Concept] = field(default_factory=list)  # notation order
    verdicts: dict[str, dict[int, bool]] = field(default_factory=dict)  # parameter -> rank -> holds

    def failing(self, above: int, up_to: int) -> list[Concept]:
        """The parameters whose criteria fail on some level of rank in (above, up_to]."""
        return [
            p
            for p in self.parameters
            if any(not ok for rank, ok in self.verdicts[p.iri].items() if above < rank <= up_to)
        ]


def basis(store: Store, service: str, lang: str) -> Basis | None:
    """The basis of a decision on ``service``, or None when no provider serves it."""
    rows = queries.run(store, "decision_service", service=service, lang=lang)
    if not rows:
        return None
    row = rows[0]
    computed = text(row, "computed")
    found = Basis(
        service=service,
        provider=text(row, "provider"),
        tpid=text(row, "tpid"),
        name=text(row, "name"),
        authority=concept(row, "authority"),
        target_group=concept(row, "targetGroup") or Concept("", ""),
        computed=Level(computed, text(row, "computedLabel"), number(row, "computedRank"))
        if computed
        else None,
        guide_version=text(row, "guideVersion"),
    )
    for v in queries.run(store, "compliance_verdicts", service=service, lang=lang):
        parameter = text(v, "parameter")
        if parameter not in found.verdicts:
            found.parameters.append(Concept(parameter, text(v, "parameterLabel", parameter)))
            found.verdicts[parameter] = {}
        found.verdicts[parameter][number(v, "rank")] = bool(flag(v, "holds"))
    return found


def specialised_levels(store: Store, lang: str) -> list[Level]:
    """The levels a decision may name: let, moderat, højt (never almenområdet)."""
    return [level for level in levels(store, lang) if level.rank > 0]


def level_iri(store: Store, word: str) -> str | None:
    """A level code (``let``), its IRI, or ``none``: the level's IRI, None for ``none``.

    Raises ValueError for anything else, naming the codes that are accepted.
    """
    if word == NOT_PLACED:
        return None
    known = specialised_levels(store, "da")
    for level in known:
        if word in (level.iri, code(level.iri)):
            return level.iri
    accepted = ", ".join([code(level.iri) for level in known] + [NOT_PLACED])
    raise ValueError(f"unknown level {word!r}; use one of {accepted}")


def parameter_iri(found: Basis, word: str) -> str:
    """A parameter of the basis by code (``praksiserfaring``), IRI or notation ("2")."""
    for position, p in enumerate(found.parameters, start=1):
        if word in (p.iri, code(p.iri), str(position)):
            return p.iri
    raise ValueError(f"{word!r} is not a parameter with a computed verdict for this service")


def check(new: NewDecision, found: Basis, known: list[Level], today: dt.date) -> list[Problem]:
    """What is wrong with a decision before it is recorded (Danish and English)."""
    problems = Problems(found.tpid)
    if found.authority is None or new.by != found.authority.iri:
        who = found.authority.label if found.authority else "-"
        problems.add(
            "myndighed",
            f"Kun leverandørens tilsynsmyndighed ({who}) kan træffe afgørelsen",
            f"Only the provider's supervisory authority ({who}) can make the decision",
        )
    ranks = {level.iri: level.rank for level in known}
    if new.level is not None and new.level not in ranks:
        problems.add(
            "niveau",
            "Vælg let, moderat eller højt specialiseret, eller 'ikke indplaceret'",
            "Choose low, moderately or highly specialised, or 'not placed'",
        )
    if new.on > today:
        problems.add(
            "dato", "Afgørelsens dato ligger i fremtiden", "The decision's date is in the future"
        )
    if not new.reason.strip():
        problems.add("begrundelse", "Angiv den samlede vurdering", "Give the overall assessment")
    if not new.guide_version.strip() or len(new.guide_version) > MAX_VERSION:
        problems.add(
            "version",
            "Angiv den version af vejledningen, afgørelsen bygger på",
            "Give the version of the guide the decision rests on",
        )
    texts = [new.reason] + [d.reason for d in new.departures]
    if any(len(t) > MAX_REASON for t in texts):
        problems.add(
            "laengde",
            f"En begrundelse er for lang (højst {MAX_REASON} tegn)",
            f"A reason is too long (at most {MAX_REASON} characters)",
        )
    given = {d.parameter for d in new.departures if d.reason.strip()}
    if given - set(found.verdicts):
        problems.add(
            "parameter",
            "En afvigelse kan kun begrundes for en parameter med en beregnet vurdering",
            "A departure can only be given for a parameter with a computed verdict",
        )
    if new.level is not None and new.level not in ranks:
        return problems.items  # departures are judged against a known level
    decided = ranks[new.level] if new.level else 0
    computed = found.computed.rank if found.computed else 0
    missing = [p for p in found.failing(computed, decided) if p.iri not in given]
    if missing:
        names = ", ".join(p.label for p in missing)
        problems.add(
            "afvigelse",
            f"Begrund afvigelsen for de parametre, hvis kriterier ikke er opfyldt: {names}",
            f"Give the reason for departing on the parameters whose criteria are not met: {names}",
        )
    if decided < computed and found.verdicts and not given:
        problems.add(
            "afvigelse",
            "Afgørelsen ligger under beregningen: begrund mindst én parameter",
            "The decision is below the calculation: give the reason for at least one parameter",
        )
    return problems.items


def _date(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=term(XSD, "date"))


def _stamp(moment: dt.datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec="microseconds"), datatype=term(XSD, "dateTime"))


def _next_iri(store: Store, graph: ox.NamedNode, service: str) -> ox.NamedNode:
    pattern = re.compile(re.escape(service) + r"/decision/(\d+)$")
    numbers = [
        int(match.group(1))
        for q in store.quads(graph)
        if isinstance(q.subject, ox.NamedNode) and (match := pattern.match(q.subject.value))
    ]
    return ox.NamedNode(f"{service}/decision/{max(numbers, default=0) + 1}")


def _in_force_iri(store: Store, service: str) -> ox.NamedNode | None:
    rows = queries.run(store, "decisions", service=service, lang="da")
    return ox.NamedNode(text(rows[0], "decision")) if rows else None


def _invalidation(old: ox.NamedNode, activity: Activity, moment: dt.datetime) -> list[ox.Triple]:
    return [
        ox.Triple(old, term(PROV, "wasInvalidatedBy"), activity.iri),
        ox.Triple(old, term(PROV, "invalidatedAtTime"), _stamp(moment)),
    ]


def decision_triples(
    iri: ox.NamedNode, new: NewDecision, found: Basis, moment: dt.datetime
) -> list[ox.Triple]:
    triples = [
        ox.Triple(iri, term(RDF, "type"), term(SK, "PlacementDecision")),
        ox.Triple(iri, term(SK, "decisionFor"), ox.NamedNode(new.service)),
        ox.Triple(iri, term(SK, "decidedBy"), ox.NamedNode(new.by)),
        ox.Triple(iri, term(SK, "decidedOn"), _date(new.on)),
        ox.Triple(iri, term(SK, "guideVersion"), ox.Literal(new.guide_version.strip())),
        ox.Triple(iri, term(SK, "overallAssessment"), ox.Literal(new.reason.strip())),
        ox.Triple(iri, term(PROV, "generatedAtTime"), _stamp(moment)),
    ]
    if new.level is not None:
        triples.append(ox.Triple(iri, term(SK, "decidedLevel"), ox.NamedNode(new.level)))
    if found.computed is not None:
        triples.append(ox.Triple(iri, term(SK, "advisedLevel"), ox.NamedNode(found.computed.iri)))
    for d in new.departures:
        if not d.reason.strip():
            continue
        node = ox.NamedNode(f"{iri.value}/departure/{code(d.parameter)}")
        triples += [
            ox.Triple(iri, term(SK, "departure"), node),
            ox.Triple(node, term(RDF, "type"), term(SK, "ParameterDeparture")),
            ox.Triple(node, term(SK, "parameter"), ox.NamedNode(d.parameter)),
            ox.Triple(node, term(SK, "departureReason"), ox.Literal(d.reason.strip())),
        ]
    return triples


def _labels(found: Basis, level: str) -> tuple[str, str]:
    return (
        f"Indplaceringsafgørelse: {found.name}, {found.target_group.label}: {level}",
        f"Placement decision: {found.name}, {found.target_group.label}: {level}",
    )


def record(store: Store, new: NewDecision, found: Basis, editor: Editor) -> ox.NamedNode:
    """Record the decision (checked with ``check``); the one in force before is replaced.

    Appends to the provider's decisions graph under the editing lock and audits the change.
    """
    graph = decisions_graph(found.tpid)
    label = code(new.level) if new.level else "ikke indplaceret / not placed"
    label_da, label_en = _labels(found, label)
    activity = Activity(editor, label_da, label_en, graphs=[graph])
    with audited(store, activity):
        moment = dt.datetime.now(dt.UTC)
        iri = _next_iri(store, graph, new.service)
        triples = decision_triples(iri, new, found, moment)
        earlier = _in_force_iri(store, new.service)
        if earlier is not None:
            triples.append(ox.Triple(iri, term(PROV, "wasRevisionOf"), earlier))
            triples += _invalidation(earlier, activity, moment)
        store.extend_graph(graph, triples)
        activity.generated.append(iri)
    return iri


class NothingToWithdraw(LookupError):
    """The service has no decision in force."""


def withdraw(
    store: Store, found: Basis, by: str, reason: str, editor: Editor
) -> tuple[ox.NamedNode | None, list[Problem]]:
    """Withdraw the decision in force without replacing it; it stays in the history."""
    problems = Problems(found.tpid)
    if found.authority is None or by != found.authority.iri:
        problems.add(
            "myndighed",
            "Kun leverandørens tilsynsmyndighed kan tilbagekalde afgørelsen",
            "Only the provider's supervisory authority can withdraw the decision",
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        problems.add(
            "begrundelse", "Angiv hvorfor afgørelsen tilbagekaldes", "Give the reason to withdraw"
        )
    if problems.items:
        return None, problems.items
    graph = decisions_graph(found.tpid)
    activity = Activity(
        editor,
        f"Indplaceringsafgørelse tilbagekaldt: {found.name}, {found.target_group.label}",
        f"Placement decision withdrawn: {found.name}, {found.target_group.label}",
        graphs=[graph],
    )
    with audited(store, activity):
        earlier = _in_force_iri(store, found.service)
        if earlier is None:
            raise NothingToWithdraw(found.service)
        triples = _invalidation(earlier, activity, dt.datetime.now(dt.UTC))
        triples.append(ox.Triple(earlier, term(SK, "withdrawalReason"), ox.Literal(reason.strip())))
        store.extend_graph(graph, triples)
    return earlier, []
