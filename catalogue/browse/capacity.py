"""The capacity overview: per specialfunktion, how many providers qualify in each region, with
the regions that have none or only one flagged. Need against supply and the development ranking
are in catalogue/planning.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.concepts import links
from catalogue.browse.decisions import Decision, decisions
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


def function_decisions(store: Store, function: Concept, lang: str) -> list[Decision]:
    """The decisions in force on services of the function's target group (read by a national
    query: cached per function and language and keyed by the store's state, so a decision just
    recorded is on the next page, never an older list)."""

    def build() -> list[Decision]:
        groups = links(store, function.iri, lang).get("target_groups", [])
        return [d for g in groups for d in decisions(store, lang, target_group=g.iri)]

    return cached(store, ("capacity-decisions", function.iri, lang), build, fresh=True)
