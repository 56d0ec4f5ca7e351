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
names the editor and generated the decision. The basis, the authority rule, the history and the
audit are those of every authority record (catalogue/authority_records.py); this module gives the
decision's fields, rules and triples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue import authority_records as records
from catalogue import queries
from catalogue.authority_records import Basis as Basis  # re-exported: the older home of these
from catalogue.authority_records import NothingToWithdraw as NothingToWithdraw
from catalogue.authority_records import basis as basis
from catalogue.authority_records import decisions_graph as decisions_graph
from catalogue.browse.concepts import Level, levels
from catalogue.browse.rows import code, text
from catalogue.editors import Editor
from catalogue.importing.problems import Problem, Problems
from catalogue.namespaces import RDF, SK, term
from catalogue.store import Store

KIND = records.Kind(
    name_da="Indplaceringsafgørelse",
    name_en="Placement decision",
    of_da="afgørelsens",
    noun_en="decision",
    act=("træffe afgørelsen", "make the decision"),
    segment="decision",
)
MAX_VERSION = 100
NOT_PLACED = "none"  # the CLI's level word for "ikke indplaceret"


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
    records.check_authority(problems, found, new.by, KIND.act)
    ranks = {level.iri: level.rank for level in known}
    if new.level is not None and new.level not in ranks:
        problems.add(
            "niveau",
            "Vælg let, moderat eller højt specialiseret, eller 'ikke indplaceret'",
            "Choose low, moderately or highly specialised, or 'not placed'",
        )
    records.check_date(problems, KIND, new.on, today)
    if not new.reason.strip():
        problems.add("begrundelse", "Angiv den samlede vurdering", "Give the overall assessment")
    if not new.guide_version.strip() or len(new.guide_version) > MAX_VERSION:
        problems.add(
            "version",
            "Angiv den version af vejledningen, afgørelsen bygger på",
            "Give the version of the guide the decision rests on",
        )
    records.check_texts(problems, [new.reason] + [d.reason for d in new.departures])
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


def _in_force_iri(store: Store, service: str) -> ox.NamedNode | None:
    rows = queries.run(store, "decisions", service=service, lang="da")
    return ox.NamedNode(text(rows[0], "decision")) if rows else None


def decision_triples(iri: ox.NamedNode, new: NewDecision, found: Basis) -> list[ox.Triple]:
    triples = [
        ox.Triple(iri, term(RDF, "type"), term(SK, "PlacementDecision")),
        ox.Triple(iri, term(SK, "decisionFor"), ox.NamedNode(new.service)),
        ox.Triple(iri, term(SK, "decidedBy"), ox.NamedNode(new.by)),
        ox.Triple(iri, term(SK, "decidedOn"), records.date_literal(new.on)),
        ox.Triple(iri, term(SK, "guideVersion"), ox.Literal(new.guide_version.strip())),
        ox.Triple(iri, term(SK, "overallAssessment"), ox.Literal(new.reason.strip())),
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


def record(store: Store, new: NewDecision, found: Basis, editor: Editor) -> ox.NamedNode:
    """Record the decision (checked with ``check``); the one in force before is replaced."""
    level = code(new.level) if new.level else "ikke indplaceret / not placed"
    return records.record(
        store,
        KIND,
        found,
        editor,
        series=KIND.segment,
        about=f"{found.target_group.label}: {level}",
        build=lambda iri: decision_triples(iri, new, found),
        current=lambda: _in_force_iri(store, new.service),
    )


def withdraw(
    store: Store, found: Basis, by: str, reason: str, editor: Editor
) -> tuple[ox.NamedNode | None, list[Problem]]:
    """Withdraw the decision in force without replacing it; it stays in the history.

    Raises NothingToWithdraw when the service has no decision in force."""
    problems = Problems(found.tpid)
    records.check_authority(
        problems, found, by, ("tilbagekalde afgørelsen", "withdraw the decision")
    )
    if not reason.strip():
        problems.add(
            "begrundelse", "Angiv hvorfor afgørelsen tilbagekaldes", "Give the reason to withdraw"
        )
    records.check_texts(problems, [reason])
    if problems.items:
        return None, problems.items
    withdrawn = records.withdraw(
        store,
        KIND,
        found,
        editor,
        about=found.target_group.label,
        reason=reason,
        current=lambda: _in_force_iri(store, found.service),
    )
    return withdrawn, []
