"""Recording an approval (godkendelse) of a provider in its named graph.

A socialtilsyn approves a provider either in general (generelt egnet) or for one specialfunktion,
from a date, optionally until a date, with conditions (vilkår) and, for a specialfunktion, a duty
to advise (rådgivningsforpligtelse). The approval gets the next free IRI
``{provider}/approval/{n}`` and is written with the rest of the provider's graph in one atomic
replace, after the same integrity rules the import uses have passed (DATA-MODEL.md)::

    <id/provider/123456/approval/3> a sk:Approval ;
        sk:approvedBy <vocab/supervisory-authority/oest> ;
        sk:approvalStatus <vocab/approval-status/godkendt-med-vilkaar> ;
        sk:validFrom "2025-06-01"^^xsd:date ; sk:validUntil "2028-06-01"^^xsd:date ;
        sk:conditions "..." ;
        sk:forSpecialtyFunction <id/specialty-function/...> ; sk:dutyToAdvise true .
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse.rows import Concept, text
from catalogue.importing.problems import CONTROL, Problem, Problems
from catalogue.importing.records import ProviderRecord
from catalogue.importing.validation import validate
from catalogue.namespaces import RDF_TYPE, VOCAB, XSD, provider_graph, provider_iri, sk
from catalogue.store import Store

MAX_CONDITIONS = 4000  # characters of vilkår


@dataclass(frozen=True)
class NewApproval:
    status: str  # IRI of a concept in the approval-status scheme
    valid_from: dt.date
    valid_until: dt.date | None
    conditions: str
    function: str | None  # IRI of a specialfunktion; None: a general approval
    duty_to_advise: bool


@dataclass(frozen=True)
class Choices:
    """What an approval may name: the statuses, and the specialfunktioner by speciale."""

    statuses: list[Concept]
    functions: list[tuple[str, list[Concept]]]

    @property
    def function_iris(self) -> set[str]:
        return {f.iri for _, functions in self.functions for f in functions}


def choices(store: Store, lang: str) -> Choices:
    statuses = [
        Concept(text(r, "concept"), text(r, "label"))
        for r in queries.run(store, "browse_scheme", scheme=f"{VOCAB}approval-status", lang=lang)
    ]
    by_speciality: dict[str, list[Concept]] = {}
    for row in queries.run(store, "specialty_plan", lang=lang):
        if "function" in row:
            by_speciality.setdefault(text(row, "specialityLabel"), []).append(
                Concept(text(row, "function"), text(row, "functionLabel"))
            )
    return Choices(statuses, list(by_speciality.items()))


def check(approval: NewApproval, known: Choices, tpid: str) -> list[Problem]:
    """What is wrong with an approval before it is written (Danish and English)."""
    problems = Problems(tpid)
    if approval.status not in {s.iri for s in known.statuses}:
        problems.add("status", "Vælg en godkendelsesstatus", "Choose an approval status")
    if approval.function is not None and approval.function not in known.function_iris:
        problems.add("specialfunktion", "Ukendt specialfunktion", "Unknown specialty function")
    if approval.valid_until is not None and approval.valid_until <= approval.valid_from:
        problems.add(
            "gyldighed",
            "'Gyldig til' skal ligge efter 'gyldig fra'",
            "'Valid until' must be after 'valid from'",
        )
    if approval.duty_to_advise and approval.function is None:
        problems.add(
            "raadgivning",
            "Rådgivningsforpligtelse gælder kun en godkendelse til en specialfunktion",
            "A duty to advise applies only to an approval for a specialty function",
        )
    if CONTROL.search(approval.conditions):
        problems.add(
            "styretegn",
            "Vilkårene indeholder styretegn",
            "The conditions contain control characters",
        )
    if len(approval.conditions) > MAX_CONDITIONS:
        problems.add(
            "vilkaar",
            f"Vilkårene er for lange (højst {MAX_CONDITIONS} tegn)",
            f"The conditions are too long (at most {MAX_CONDITIONS} characters)",
        )
    return problems.items


def _date(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))


def next_iri(provider: ox.NamedNode, triples: list[ox.Triple]) -> ox.NamedNode:
    """The first free ``{provider}/approval/{n}``."""
    pattern = re.compile(re.escape(provider.value) + r"/approval/(\d+)$")
    numbers = [
        int(match.group(1))
        for t in triples
        if isinstance(t.subject, ox.NamedNode) and (match := pattern.match(t.subject.value))
    ]
    return ox.NamedNode(f"{provider.value}/approval/{max(numbers, default=0) + 1}")


def approval_triples(
    provider: ox.NamedNode, iri: ox.NamedNode, approval: NewApproval, authority: str
) -> list[ox.Triple]:
    triples = [
        ox.Triple(provider, sk("hasApproval"), iri),
        ox.Triple(iri, RDF_TYPE, sk("Approval")),
        ox.Triple(iri, sk("approvedBy"), ox.NamedNode(authority)),
        ox.Triple(iri, sk("approvalStatus"), ox.NamedNode(approval.status)),
        ox.Triple(iri, sk("validFrom"), _date(approval.valid_from)),
    ]
    if approval.valid_until is not None:
        triples.append(ox.Triple(iri, sk("validUntil"), _date(approval.valid_until)))
    if approval.conditions:
        triples.append(ox.Triple(iri, sk("conditions"), ox.Literal(approval.conditions)))
    if approval.function is not None:
        advise = "true" if approval.duty_to_advise else "false"
        triples += [
            ox.Triple(iri, sk("forSpecialtyFunction"), ox.NamedNode(approval.function)),
            ox.Triple(
                iri, sk("dutyToAdvise"), ox.Literal(advise, datatype=ox.NamedNode(XSD + "boolean"))
            ),
        ]
    return triples


class UnknownProvider(LookupError):
    """No graph holds the provider."""


def add_approval(
    store: Store, tpid: str, approval: NewApproval, authority: str
) -> tuple[ox.NamedNode | None, list[Problem]]:
    """Write the approval into the provider's graph; returns its IRI, or None and the problems.

    The caller has checked the form (``check``) and holds the editing lock (catalogue.audit).
    """
    graph, provider = provider_graph(tpid), provider_iri(tpid)
    existing = [q.triple for q in store.quads(graph)]
    if not existing:
        raise UnknownProvider(tpid)
    iri = next_iri(provider, existing)
    record = ProviderRecord(
        tpid, graph, existing + approval_triples(provider, iri, approval, authority)
    )
    problems = Problems(tpid)
    validate([record], problems)
    about_it = [p for p in problems.errors if p.node == iri.value]
    if about_it:
        return None, about_it
    store.replace_graphs({graph: record.triples})
    return iri, []
