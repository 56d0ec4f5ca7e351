"""One provider: identity, offer, approvals, quality, and per target group the placement and the
matrix of the eight parameters by the three specialised levels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from catalogue import queries
from catalogue.browse.concepts import Level, levels, links
from catalogue.browse.criteria import (
    Evidence,
    Gap,
    MissingCompetence,
    evidence,
    gaps,
    missing_competences,
)
from catalogue.browse.decisions import Decision, Placement, decisions, placements
from catalogue.browse.rows import Concept, decimal, flag, is_http, number, record, text
from catalogue.store import Store


@dataclass(frozen=True)
class Approval:
    status: Concept | None
    authority: Concept | None
    valid_from: str
    valid_until: str
    conditions: str
    function: Concept | None
    duty_to_advise: bool


@dataclass(frozen=True)
class QualityScore:
    theme: Concept
    score: float
    assessed_on: str


@dataclass(frozen=True)
class MatrixRow:
    """One parameter: whether its criteria hold at each specialised level (None: not checked)."""

    parameter: Concept
    notation: str
    holds: list[bool | None]


@dataclass(frozen=True)
class Qualification:
    function: Concept
    meets: bool


@dataclass(frozen=True)
class Service:
    iri: str
    target_group: Concept
    placed_at: Level | None
    age_groups: str
    sub_groups: str
    matrix: list[MatrixRow] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)  # per level above the placement
    missing_competences: list[MissingCompetence] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)  # the criteria of its placement
    placement: Placement | None = None  # the authority's decision first, the computed one beside
    decision: Decision | None = None  # the decision in force, with its reasons


@dataclass(frozen=True)
class Identity:
    iri: str
    name: str
    tpid: str
    cvr: str
    street: str
    postal_code: str
    city: str
    municipality: Concept | None
    region: Concept | None
    operator_type: Concept | None
    capacity: int | None
    website: str
    authority: Concept | None
    enhanced_supervision: bool


@dataclass(frozen=True)
class Provider:
    identity: Identity
    offer_types: list[Concept]
    legal_bases: list[Concept]
    approvals: list[Approval]
    quality: list[QualityScore]
    levels: list[Level]
    services: list[Service]

    @property
    def qualifies_for(self) -> list[Concept]:
        return [q.function for s in self.services for q in s.qualifications if q.meets]


def identity(store: Store, iri: str, lang: str) -> Identity | None:
    rows = queries.run(store, "browse_provider", provider=iri, lang=lang)
    if not rows:
        return None
    row = rows[0]
    website = text(row, "website")
    return record(
        Identity,
        row,
        {"enhanced_supervision": "enhanced"},
        iri=iri,
        website=website if is_http(website) else "",
    )


def _matrix(store: Store, service: str, lang: str, ranks: list[int]) -> list[MatrixRow]:
    """The service's verdicts (compliance_verdicts) as one row per parameter."""
    cells: dict[str, dict[int, bool]] = defaultdict(dict)
    labels: dict[str, tuple[str, str]] = {}
    for row in queries.run(store, "compliance_verdicts", service=service, lang=lang):
        parameter = text(row, "parameter")
        labels[parameter] = (text(row, "parameterLabel", parameter), text(row, "notation"))
        cells[parameter][number(row, "rank")] = bool(flag(row, "holds"))
    ordered = sorted(cells, key=lambda p: (labels[p][1].zfill(3), labels[p][0]))
    return [
        MatrixRow(Concept(p, labels[p][0]), labels[p][1], [cells[p].get(r) for r in ranks])
        for p in ordered
    ]


def services(store: Store, iri: str, lang: str, specialised: list[Level]) -> list[Service]:
    ranks = [level.rank for level in specialised]
    qualifications: dict[str, list[Qualification]] = defaultdict(list)
    for row in queries.run(store, "browse_provider_qualifications", provider=iri, lang=lang):
        function = Concept(text(row, "function"), text(row, "functionLabel"))
        qualifications[text(row, "service")].append(
            Qualification(function, bool(flag(row, "meets")))
        )
    decided = placements(store, lang, provider=iri)
    result = []
    for row in queries.run(store, "browse_provider_services", provider=iri, lang=lang):
        service = text(row, "service")
        level = text(row, "level")
        matrix = _matrix(store, service, lang, ranks)
        placement = decided.get(service)
        in_force = (
            decisions(store, lang, service=service) if placement and placement.decided else []
        )
        checked = bool(matrix)  # target groups without criteria have no verdicts, gaps or needs
        result.append(
            record(
                Service,
                row,
                iri=service,
                placed_at=Level(level, text(row, "levelLabel"), number(row, "rank"))
                if level
                else None,
                matrix=matrix,
                qualifications=qualifications.get(service, []),
                gaps=gaps(store, service, lang) if checked else [],
                evidence=evidence(store, service, level, lang) if checked and level else [],
                missing_competences=missing_competences(store, service, lang) if checked else [],
                placement=placement,
                decision=in_force[0] if in_force else None,
            )
        )
    return result


def provider(store: Store, iri: str, lang: str) -> Provider | None:
    """Everything the provider page shows, or None for an unknown provider."""
    ident = identity(store, iri, lang)
    if ident is None:
        return None
    linked = links(store, iri, lang)
    specialised = [level for level in levels(store, lang) if level.rank > 0]
    return Provider(
        identity=ident,
        offer_types=linked.get("offer_types", []),
        legal_bases=linked.get("legal_bases", []),
        approvals=[
            record(Approval, r)
            for r in queries.run(store, "browse_provider_approvals", provider=iri, lang=lang)
        ],
        quality=[
            QualityScore(
                Concept(text(r, "theme"), text(r, "themeLabel")),
                decimal(r, "score") or 0.0,
                text(r, "assessedOn"),
            )
            for r in queries.run(store, "browse_provider_quality", provider=iri, lang=lang)
        ],
        levels=specialised,
        services=services(store, iri, lang, specialised),
    )
