"""National counts for the home page: providers, services, placements per level, approved and
qualified providers per specialfunktion."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.rows import Concept, number, text
from catalogue.store import Store


@dataclass(frozen=True)
class LevelCount:
    level: Concept
    services: int  # computed (vejledende beregning)
    decided: int  # decisions in force at the level


@dataclass(frozen=True)
class FunctionCount:
    function: Concept
    approved: int
    qualified: int


@dataclass(frozen=True)
class NationalCounts:
    providers: int
    services: int
    placements: list[LevelCount]
    functions: list[FunctionCount]


def _national(store: Store, lang: str) -> NationalCounts:
    totals = queries.run(store, "browse_national_counts")
    row = totals[0] if totals else {}
    return NationalCounts(
        providers=number(row, "providers"),
        services=number(row, "services"),
        placements=[
            LevelCount(
                Concept(text(r, "level"), text(r, "label")),
                number(r, "services"),
                number(r, "decided"),
            )
            for r in queries.run(store, "browse_placements_by_level", lang=lang)
        ],
        functions=[
            FunctionCount(
                Concept(text(r, "function"), text(r, "label")),
                number(r, "approved"),
                number(r, "qualified"),
            )
            for r in queries.run(store, "browse_function_counts", lang=lang)
        ],
    )


def national(store: Store, lang: str) -> NationalCounts:
    """The national counts, reused for a minute (they scan the whole catalogue)."""
    return cached(store, ("national", lang), lambda: _national(store, lang))
