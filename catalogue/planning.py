"""Competences and capacity planning, read through named queries.

- A specialfunktion's competence profile (competence_profile): the requirements its specialist
  group identified; the measurable ones are criteria the compliance check tests.
- From gap to development (competence_gaps, competence_courses): for one service and one function,
  every criterion that does not hold, with what the provider has against what is needed, how many
  staff or values are short, and the course types and course offers that build the competence.
- Need against supply (planning_need_supply): per planning year, function and region.
- Where development adds most (planning_development): per region, the near misses' missing
  criteria ranked by the qualified places closing each would add.

The criteria, thresholds, links and figures are data (shapes/competence-profiles/, ontology/); this
module only reads, counts and sorts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.concepts import scheme, specialty_plan
from catalogue.browse.rows import Concept, code, concept, danish_key, flag, record, text
from catalogue.namespaces import VOCAB
from catalogue.store import Store

MYNDIGHED = "myndighed"  # audience codes in ontology/competence-planning.ttl
UDFOERER = "udfoerer"


def functions(store: Store, lang: str) -> list[Concept]:
    """Every specialfunktion of the specialty plan, in its order (knowledge: cached)."""
    return cached(
        store,
        ("planning-functions", lang),
        lambda: [f for s in specialty_plan(store, lang) for f in s.functions],
    )


def regions(store: Store, lang: str) -> list[Concept]:
    """The five regions in their order (knowledge: cached)."""
    return cached(
        store, ("planning-regions", lang), lambda: scheme(store, str(VOCAB["region"]), lang)
    )


# --- profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    iri: str
    name: str
    kind: str
    held_by: str
    amount: str
    external: bool
    mandatory: bool
    rationale: str
    source: str
    measurable: bool
    competences: list[Concept]
    illustrative: bool


REQUIREMENT_COLUMNS = {"iri": "requirement", "kind": "kindLabel", "held_by": "heldByLabel"}


@dataclass(frozen=True)
class Profile:
    iri: str
    version: str
    group: str
    requirements: list[Requirement]


def profile(store: Store, function: Concept, lang: str) -> Profile | None:
    """The function's competence profile, measurable and mandatory requirements first."""
    return cached(
        store, ("competence-profile", function.iri, lang), lambda: _profile(store, function, lang)
    )


def _profile(store: Store, function: Concept, lang: str) -> Profile | None:
    rows = queries.run(store, "competence_profile", function=function.iri, lang=lang)
    if not rows:
        return None
    requirements: dict[str, Requirement] = {}
    for r in rows:
        key = text(r, "requirement")
        if key not in requirements:
            requirements[key] = record(Requirement, r, REQUIREMENT_COLUMNS, competences=[])
        requirement = requirements[key]
        if competence := concept(r, "competence"):
            requirement.competences.append(competence)
    first = rows[0]
    return Profile(
        text(first, "profile"),
        text(first, "version"),
        text(first, "groupLabel"),
        list(requirements.values()),
    )


# --- courses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseOffer:
    iri: str
    label: str
    course_type: str
    hours: float | None
    ects: float | None
    audience: str  # audience code: myndighed or udfoerer
    audience_label: str
    ages: tuple[str, ...]
    illustrative: bool


OFFER_COLUMNS = {"iri": "offer", "label": "offerLabel", "course_type": "courseTypeLabel"}


@dataclass
class Development:
    """What builds one competence: the course types suited to it and the concrete offers."""

    course_types: list[str] = field(default_factory=list)
    offers: list[CourseOffer] = field(default_factory=list)
    source: str = ""  # where the course types come from (seed 004, or the project's own)

    def for_audience(self, audience: str) -> list[CourseOffer]:
        return [o for o in self.offers if o.audience == audience]


def courses(store: Store, lang: str) -> dict[str, Development]:
    """Per competence IRI: its course types and course offers."""
    return cached(store, ("competence-courses", lang), lambda: _courses(store, lang))


def _courses(store: Store, lang: str) -> dict[str, Development]:
    found: dict[str, Development] = defaultdict(Development)
    for r in queries.run(store, "competence_courses", lang=lang):
        entry = found[text(r, "competence")]
        if not text(r, "offer"):
            entry.course_types.append(text(r, "courseTypeLabel"))
            entry.source = text(r, "linkSource")
            continue
        entry.offers.append(
            record(
                CourseOffer,
                r,
                OFFER_COLUMNS,
                audience=code(text(r, "audience")),
                ages=tuple(sorted(text(r, "ages").split())),
            )
        )
    return dict(found)


# --- from gap to development -----------------------------------------------------------------


@dataclass
class GapItem:
    """One criterion of the function that the service does not meet."""

    criterion: str
    name: str
    message: str
    path: str
    evidence: str
    found: int | None
    needed: int | None
    requirement: bool  # a competence-profile requirement (else a guide or framework criterion)
    held_by: str
    external: bool | None
    missing: list[Concept] = field(default_factory=list)  # list values not recorded
    competences: list[Concept] = field(default_factory=list)
    members: int | None = None  # values in the criterion's list

    @property
    def short(self) -> int | None:
        """How many staff (or list values) are missing to reach the threshold."""
        found = self.found
        if found is None and self.members is not None:
            found = self.members - len(self.missing)
        if found is None or self.needed is None:
            return None
        return max(self.needed - found, 0)

    @property
    def have(self) -> int | None:
        if self.found is None and self.members is not None:
            return self.members - len(self.missing)
        return self.found


def function_gaps(store: Store, service: str, function: str, lang: str) -> list[GapItem]:
    """Every criterion of the function the service fails (by its latest check), profile
    requirements first, with the missing list values and the competences concerned."""
    items: dict[str, GapItem] = {}
    for r in queries.run(store, "competence_gaps", service=service, function=function, lang=lang):
        key = text(r, "criterion")
        item = items.get(key)
        if item is None:
            item = items[key] = record(GapItem, r, {"held_by": "heldByLabel"})
        missing = concept(r, "missingValue", "missingLabel")
        if missing and missing not in item.missing:
            item.missing.append(missing)
        competence = concept(r, "competence")
        if competence and competence not in item.competences:
            item.competences.append(competence)
    for item in items.values():
        if item.missing and item.competences:  # a list of competences: the ones not recorded
            item.competences = [c for c in item.competences if c in item.missing]
    return list(items.values())


# --- need against supply ------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedSupply:
    year: int
    function: str
    region: str
    needed: int
    supply: int
    providers: int
    illustrative: bool

    @property
    def difference(self) -> int:
        return self.supply - self.needed

    @property
    def short(self) -> bool:
        return self.supply < self.needed


def need_supply(store: Store) -> list[NeedSupply]:
    """Every need figure with the supply it meets (a national aggregate: cached, keyed by the
    store's state, since a placement decision changes the supply: never served stale)."""
    return cached(store, "planning-need-supply", lambda: _need_supply(store), fresh=True)


def _need_supply(store: Store) -> list[NeedSupply]:
    return [record(NeedSupply, r) for r in queries.run(store, "planning_need_supply")]


def planning_years(figures: list[NeedSupply]) -> list[int]:
    return sorted({f.year for f in figures})


# --- where development adds most ---------------------------------------------------------------


@dataclass(frozen=True)
class NearMissService:
    service: str
    provider: Concept
    region: str
    places: int
    lacking: frozenset[str]  # criteria IRIs


@dataclass
class DevelopmentGap:
    """One missing criterion in one region: the near misses lacking it and the places closing it
    would qualify."""

    region: Concept
    criterion: str
    name: str
    requirement: bool
    providers: int = 0  # near-miss providers lacking it
    providers_alone: int = 0  # of those, the ones for which it is the only missing criterion
    places_alone: int = 0  # places of those for which it is the only missing criterion
    places_all: int = 0  # places of all near misses lacking it (closing it and the other gap)
    competences: list[Concept] = field(default_factory=list)

    @property
    def rank_key(self) -> tuple[int, int, str]:
        return (-self.places_alone, -self.places_all, danish_key(self.name))


def near_miss_services(
    store: Store, function: str, lang: str
) -> tuple[list[NearMissService], dict[str, tuple[str, bool]]]:
    """The function's near misses (one or two criteria short) with region and places, and the
    name of each missing criterion and whether it is a competence requirement (a national
    aggregate: cached per function and language)."""
    return cached(
        store,
        ("planning-near-misses", function, lang),
        lambda: _near_miss_services(store, function, lang),
    )


def _near_miss_services(
    store: Store, function: str, lang: str
) -> tuple[list[NearMissService], dict[str, tuple[str, bool]]]:
    services: dict[str, NearMissService] = {}
    lacking: dict[str, set[str]] = defaultdict(set)
    names: dict[str, tuple[str, bool]] = {}
    for r in queries.run(store, "planning_development", function=function, lang=lang):
        service, criterion = text(r, "service"), text(r, "criterion")
        lacking[service].add(criterion)
        names[criterion] = (text(r, "criterionName", criterion), flag(r, "requirement") is True)
        if service not in services:
            services[service] = record(NearMissService, r, lacking=frozenset())
    misses = [
        NearMissService(s.service, s.provider, s.region, s.places, frozenset(lacking[k]))
        for k, s in services.items()
    ]
    return misses, names


def development(
    store: Store, function: Concept, regions: list[Concept], lang: str
) -> list[DevelopmentGap]:
    """Per region (in the order given), the missing criteria of the function's near misses,
    ranked by the additional qualified places closing each gap would give (cached)."""
    return cached(
        store,
        ("planning-development", function.iri, lang),
        lambda: _development(store, function, regions, lang),
    )


def _development(
    store: Store, function: Concept, regions: list[Concept], lang: str
) -> list[DevelopmentGap]:
    misses, names = near_miss_services(store, function.iri, lang)
    found = profile(store, function, lang)
    competences = {q.iri: q.competences for q in (found.requirements if found else [])}
    result: list[DevelopmentGap] = []
    for region in regions:
        gaps: dict[str, DevelopmentGap] = {}
        for miss in (m for m in misses if m.region == region.iri):
            for criterion in miss.lacking:
                name, requirement = names.get(criterion, (criterion, False))
                gap = gaps.setdefault(
                    criterion,
                    DevelopmentGap(
                        region,
                        criterion,
                        name,
                        requirement,
                        competences=competences.get(criterion, []),
                    ),
                )
                gap.providers += 1
                gap.places_all += miss.places
                if len(miss.lacking) == 1:
                    gap.providers_alone += 1
                    gap.places_alone += miss.places
        result += sorted(gaps.values(), key=lambda g: g.rank_key)
    return result
