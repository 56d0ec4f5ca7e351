"""A specialfunktion's providers: those that meet its criteria, filtered by region and sorted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.rows import Concept, code, danish_key, record, text
from catalogue.store import Store


@dataclass(frozen=True)
class QualifiedProvider:
    iri: str
    name: str
    tpid: str
    municipality: Concept | None
    region: Concept | None
    offer_types: str
    legal_bases: str
    approval_status: Concept | None
    duty_to_advise: bool


@dataclass(frozen=True)
class RegionOption:
    code: str
    label: str
    count: int
    selected: bool


SORTS = ("name", "municipality", "region", "near")
FAR = 99  # the distance of a region no road reaches (none in Denmark's five)
NEARBY = 1  # "nearby": the citizen's region and the regions at most this many borders away


@dataclass(frozen=True)
class RegionChoice:
    """Which regions a visitor looks in and how the providers are sorted."""

    home: str  # the citizen's region (code), or ""
    distances: dict[str, int]  # borders from the home region to each region (code)
    chosen: set[str]  # region codes to show; empty: every region
    sort: str  # one of SORTS


def choose_regions(
    store: Store,
    regions: Iterable[str],
    home: str,
    chosen: Iterable[str],
    nearby: bool,
    sort: str | None,
) -> RegionChoice:
    """The visitor's choice made sound: an unknown home region is none; ``nearby`` adds the home
    region and its neighbours; the sort is by nearness when a home region is known, else by name,
    and never by nearness without one."""
    home = home if home in set(regions) else ""
    distances = region_distances(store, home) if home else {}
    picked = set(chosen)
    if home and nearby:
        picked |= {region for region, borders in distances.items() if borders <= NEARBY}
    order = sort or ("near" if home else "name")
    if order not in SORTS or (order == "near" and not home):
        order = "name"
    return RegionChoice(home, distances, picked, order)


def region_distances(store: Store, home: str) -> dict[str, int]:
    """How many region borders lie between the home region and each region (codes), crossing
    to neighbours by land or a fixed link (browse_region_neighbours); the home region is 0."""
    rows = cached(
        store, ("region-neighbours",), lambda: queries.run(store, "browse_region_neighbours")
    )
    neighbours: dict[str, set[str]] = {}
    for row in rows:
        neighbours.setdefault(code(text(row, "region")), set()).add(code(text(row, "neighbour")))
    distances = {home: 0}
    ring, steps = {home}, 0
    while ring:  # breadth first: each ring of regions one border further out
        steps += 1
        ring = {n for r in ring for n in neighbours.get(r, ())} - distances.keys()
        distances.update(dict.fromkeys(ring, steps))
    return distances


def qualified_providers(store: Store, function: str, lang: str) -> list[QualifiedProvider]:
    """The providers that meet the function (a national aggregate: cached per function)."""
    return cached(
        store, ("qualified", function, lang), lambda: _qualified_providers(store, function, lang)
    )


def _qualified_providers(store: Store, function: str, lang: str) -> list[QualifiedProvider]:
    rows = queries.run(store, "browse_function_providers", function=function, lang=lang)
    return [record(QualifiedProvider, row, {"iri": "provider"}) for row in rows]


def _label(c: Concept | None) -> str:
    return danish_key(c.label) if c else "\uffff"


def arrange(
    providers: list[QualifiedProvider],
    regions: set[str],
    sort: str,
    distances: Mapping[str, int] | None = None,
) -> list[QualifiedProvider]:
    """Keep the providers in the chosen regions (all when none chosen), sorted by ``sort``;
    ``near`` sorts by the ``distances`` of their regions from the citizen's (region_distances)."""
    kept = [p for p in providers if not regions or (p.region and p.region.code in regions)]
    if sort == "near" and distances:
        return sorted(
            kept,
            key=lambda p: (
                distances.get(p.region.code, FAR) if p.region else FAR,
                _label(p.municipality),
                danish_key(p.name),
            ),
        )
    if sort == "municipality":
        return sorted(kept, key=lambda p: (_label(p.municipality), danish_key(p.name)))
    if sort == "region":
        return sorted(kept, key=lambda p: (_label(p.region), danish_key(p.name)))
    return sorted(kept, key=lambda p: danish_key(p.name))


def region_options(
    providers: list[QualifiedProvider], all_regions: list[Concept], chosen: set[str]
) -> list[RegionOption]:
    """Every region with the number of qualifying providers in it."""
    counts = Counter(code(p.region.iri) for p in providers if p.region)
    return [
        RegionOption(r.code, r.label, counts.get(r.code, 0), r.code in chosen) for r in all_regions
    ]
