"""The capacity overview: per specialfunktion, how many providers qualify in each region, with
the regions that have none or only one flagged."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.criteria import missing_competences, near_misses
from catalogue.browse.rows import Concept, number, text
from catalogue.store import Store

SCARCE = 1  # a region with this many qualified providers or fewer is flagged


@dataclass(frozen=True)
class RegionCapacity:
    region: Concept
    qualified: int

    @property
    def scarce(self) -> bool:
        return self.qualified <= SCARCE


@dataclass(frozen=True)
class FunctionCapacity:
    function: Concept
    regions: list[RegionCapacity]

    @property
    def total(self) -> int:
        return sum(r.qualified for r in self.regions)

    @property
    def most(self) -> int:
        return max((r.qualified for r in self.regions), default=0)


def _counts(store: Store) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in queries.run(store, "capacity_by_region"):
        counts[text(row, "function")][text(row, "region")] = number(row, "providers")
    return dict(counts)


def capacity(
    store: Store, functions: list[Concept], regions: list[Concept]
) -> list[FunctionCapacity]:
    """Qualified providers per region for each function (regions with none included)."""
    counts = cached(store, "capacity-by-region", lambda: _counts(store))
    return [
        FunctionCapacity(
            f, [RegionCapacity(r, counts.get(f.iri, {}).get(r.iri, 0)) for r in regions]
        )
        for f in functions
    ]


@dataclass(frozen=True)
class Shortfall:
    """One criterion or competence that near-miss providers in a region lack."""

    name: str
    lacking: int  # near-miss providers that lack it
    would_qualify: int | None = None  # of those, how many lack nothing else (criteria only)
    courses: str = ""  # kinds of course that build it (competences only)


@dataclass(frozen=True)
class RegionGaps:
    region: Concept
    near_misses: int
    criteria: list[Shortfall]
    competences: list[Shortfall]


def _region_gaps(
    store: Store, function: Concept, regions: list[Concept], lang: str
) -> list[RegionGaps]:
    misses = near_misses(store, function, lang)
    result = []
    for region in regions:
        here = [m for m in misses if m.region_code == region.code]
        if not here:
            continue
        lacking = Counter(name for m in here for name in m.lacking)
        alone = Counter(m.lacking[0] for m in here if len(m.lacking) == 1)
        competences: Counter[str] = Counter()
        courses: dict[str, str] = {}
        for miss in here:
            for missing in missing_competences(store, miss.service, lang):
                competences[missing.competence.label] += 1
                courses[missing.competence.label] = missing.courses
        result.append(
            RegionGaps(
                region=region,
                near_misses=len(here),
                criteria=[Shortfall(n, c, alone.get(n, 0)) for n, c in lacking.most_common()],
                competences=[
                    Shortfall(n, c, courses=courses[n]) for n, c in competences.most_common()
                ],
            )
        )
    return result


def region_gaps(
    store: Store, function: Concept, regions: list[Concept], lang: str
) -> list[RegionGaps]:
    """Per region: the near misses for the function, the criteria they lack (and how many more
    providers closing each alone would qualify), and the competences they miss with courses."""
    return cached(
        store,
        ("region-gaps", function.iri, lang),
        lambda: _region_gaps(store, function, regions, lang),
    )
