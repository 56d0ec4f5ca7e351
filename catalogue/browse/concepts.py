"""Concepts of the specialty plan and the vocabularies: the specialty plan tree, one concept with
its definition, and the concepts it links to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from catalogue import queries
from catalogue.browse.rows import Concept, number, record, text
from catalogue.namespaces import SK, SKOS, VOCAB
from catalogue.store import Store

LEVEL_SCHEME = str(VOCAB["level"])

# Relation names the pages use, keyed by the property IRI of browse_links.rq.
RELATIONS = {
    str(SKOS.broader): "broader",
    str(SKOS.narrower): "narrower",
    str(SKOS.related): "related",
    str(SK.targetGroup): "target_groups",
    str(SK.subTargetGroup): "sub_target_groups",
    str(SK.ageGroup): "age_groups",
    str(SK.level): "levels",
    str(SK.requiredOfferType): "required_offer_types",
    str(SK.requiredLegalBasis): "required_legal_bases",
    str(SK.specialistGroup): "specialist_groups",
    str(SK.offerType): "offer_types",
    str(SK.legalBasis): "legal_bases",
    str(SK.developedBy): "course_types",
}


@dataclass(frozen=True)
class SpecialityItem:
    iri: str
    label: str
    functions: list[Concept]


@dataclass(frozen=True)
class ConceptDetail:
    iri: str
    label: str
    definition: str
    scope_note: str
    notation: str
    scheme: Concept | None
    illustrative: bool
    links: dict[str, list[Concept]] = field(default_factory=dict)

    def linked(self, relation: str) -> list[Concept]:
        return self.links.get(relation, [])


def specialty_plan(store: Store, lang: str) -> list[SpecialityItem]:
    """The specialer, each with its specialfunktioner, labelled in ``lang``."""
    grouped: dict[str, SpecialityItem] = {}
    for row in queries.run(store, "specialty_plan", lang=lang):
        iri = text(row, "speciality")
        item = grouped.setdefault(iri, SpecialityItem(iri, text(row, "specialityLabel", iri), []))
        if "function" in row:
            item.functions.append(Concept(text(row, "function"), text(row, "functionLabel")))
    return list(grouped.values())


def links(store: Store, iri: str, lang: str) -> dict[str, list[Concept]]:
    """The concepts ``iri`` points to, grouped by relation name (see ``RELATIONS``)."""
    grouped: dict[str, list[Concept]] = defaultdict(list)
    for row in queries.run(store, "browse_links", resource=iri, lang=lang):
        relation = RELATIONS.get(text(row, "rel"))
        target = text(row, "target")
        if relation and target:
            grouped[relation].append(Concept(target, text(row, "targetLabel", target)))
    return dict(grouped)


def concept(store: Store, iri: str, lang: str) -> ConceptDetail | None:
    """One concept with its definition and links, or None when the store does not know it."""
    rows = queries.run(store, "browse_concept", concept=iri, lang=lang)
    if not rows:
        return None
    row = rows[0]
    return record(
        ConceptDetail, row, iri=iri, label=text(row, "label", iri), links=links(store, iri, lang)
    )


def scheme(store: Store, scheme_iri: str, lang: str) -> list[Concept]:
    """The concepts of one scheme in rank, then label order."""
    rows = queries.run(store, "browse_scheme", scheme=scheme_iri, lang=lang)
    return [Concept(text(r, "concept"), text(r, "label", text(r, "concept"))) for r in rows]


@dataclass(frozen=True)
class Level:
    iri: str
    label: str
    rank: int


def levels(store: Store, lang: str) -> list[Level]:
    """The specialisation levels in rank order (0 = almenområdet)."""
    rows = queries.run(store, "browse_scheme", scheme=LEVEL_SCHEME, lang=lang)
    return [Level(text(r, "concept"), text(r, "label"), number(r, "rank")) for r in rows]
