"""What a specialfunktion demands, who nearly meets it, what a service lacks for the next level
and the data behind the level it holds, read through named queries (criteria_function,
compliance_near_misses, compliance_gaps, compliance_evidence), so the criteria text comes from
the shapes and is never written twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.rows import Concept, code, decimal, number, record, text
from catalogue.browse.search import index
from catalogue.store import Row, Store


@dataclass(frozen=True)
class Threshold:
    """A criterion's figures, as the shapes hold them (any may be absent)."""

    minimum: float | None = None
    maximum: float | None = None
    minimum_share: float | None = None
    minimum_count: int | None = None
    minimum_links: int | None = None
    accepted: str = ""


@dataclass(frozen=True)
class Criterion:
    parameter: str  # "3. Uddannelsesmæssige kompetencer", or "" for the function's own requirements
    level: str
    rank: int
    name: str
    description: str
    threshold: Threshold
    illustrative: bool


@dataclass(frozen=True)
class NearMiss:
    service: str
    provider: Concept
    municipality: str
    region: str
    region_code: str
    missing: int
    lacking: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GapItem:
    parameter: str
    criterion: str
    message: str
    found: str
    needed: str


@dataclass(frozen=True)
class Gap:
    """What a service lacks for one level above its placement."""

    level: str
    items: list[GapItem]


def _threshold(row: Row) -> Threshold:
    def whole(key: str) -> int | None:
        return number(row, key) if key in row else None

    return Threshold(
        minimum=decimal(row, "minimum"),
        maximum=decimal(row, "maximum"),
        minimum_share=decimal(row, "minimumShare"),
        minimum_count=whole("minimumCount"),
        minimum_links=whole("minimumLinks"),
        accepted=text(row, "accepted"),
    )


def _parameter(row: Row) -> str:
    label = text(row, "parameterLabel")
    return f"{text(row, 'notation')}. {label}" if label else ""


def function_criteria(store: Store, function: Concept, lang: str) -> list[Criterion]:
    """Every criterion of the specialfunktion: parameters in order, its own requirements last."""
    return cached(
        store, ("criteria", function.iri, lang), lambda: _function_criteria(store, function, lang)
    )


def _function_criteria(store: Store, function: Concept, lang: str) -> list[Criterion]:
    found: dict[str, Criterion] = {}
    for row in queries.run(store, "criteria_function", function=function.iri, lang=lang):
        found.setdefault(  # a shape naming several parameters keeps the first
            text(row, "shape"),
            record(
                Criterion,
                row,
                {"level": "levelLabel"},
                parameter=_parameter(row),
                name=short_name(text(row, "name"), function.label),
                threshold=_threshold(row),
            ),
        )
    return sorted(found.values(), key=lambda c: (c.parameter == "", c.parameter.zfill(40), c.rank))


def short_name(name: str, function_label: str) -> str:
    """A function's own criteria are named "<criterion>: <function>"; on its page the function
    is implied."""
    suffix = ": " + function_label
    return name[: -len(suffix)] if function_label and name.endswith(suffix) else name


def near_misses(store: Store, function: Concept, lang: str) -> list[NearMiss]:
    """Providers one or two criteria short of the function, with where they are (a national
    aggregate: cached per function and language)."""
    return cached(
        store, ("near-misses", function.iri, lang), lambda: _near_misses(store, function, lang)
    )


def _near_misses(store: Store, function: Concept, lang: str) -> list[NearMiss]:
    idx = index(store)
    misses = []
    for row in queries.run(store, "compliance_near_misses", function=function.iri, lang=lang):
        provider = text(row, "provider")
        doc = idx.document(provider)
        region = doc.region if doc else ""
        misses.append(
            NearMiss(
                service=text(row, "service"),
                provider=Concept(provider, text(row, "name", provider)),
                municipality=idx.label(doc.municipality, lang) if doc and doc.municipality else "",
                region=idx.label(region, lang) if region else "",
                region_code=code(region) if region else "",
                missing=number(row, "missing"),
                lacking=[
                    short_name(n, function.label) for n in text(row, "lacking").split(" | ") if n
                ],
            )
        )
    return misses


def _figure(row: Row, key: str) -> str:
    """A number as people write it (4, 0.25); other literals (true, false) as they are."""
    raw = text(row, key)
    try:
        value = float(raw)
    except ValueError:
        return raw
    return str(int(value)) if value == int(value) else f"{value:g}"


def gaps(store: Store, service: str, lang: str) -> list[Gap]:
    """The failing criteria on each level above the service's placement, lowest level first (none
    at the top): what the next level needs, then what each level above needs besides."""
    levels: dict[str, dict[str, GapItem]] = {}
    labels: dict[str, str] = {}
    for row in queries.run(store, "compliance_gaps", service=service, lang=lang):
        level = text(row, "level")
        labels[level] = text(row, "levelLabel")
        levels.setdefault(level, {}).setdefault(
            text(row, "result"),
            record(
                GapItem,
                row,
                parameter=_parameter(row),
                found=_figure(row, "found"),
                needed=_figure(row, "needed"),
            ),
        )
    return [Gap(labels[level], list(items.values())) for level, items in levels.items()]


@dataclass(frozen=True)
class MissingCompetence:
    competence: Concept
    courses: str


def missing_competences(store: Store, service: str, lang: str) -> list[MissingCompetence]:
    """Competences relevant for the service's target group that it has not recorded."""
    return [
        record(MissingCompetence, r)
        for r in queries.run(store, "browse_missing_competences", service=service, lang=lang)
    ]


@dataclass(frozen=True)
class Evidence:
    """One criterion of a level, with the provider's data it reads and whether it holds."""

    parameter: str
    criterion: str
    property_label: str
    data: str  # the values, by label; literals as they are
    values: int
    total: str  # the whole a share is taken of
    threshold: Threshold
    results: int  # results in the report for this criterion: none when it holds

    @property
    def holds(self) -> bool:
        return self.results == 0


def evidence(store: Store, service: str, level: str, lang: str) -> list[Evidence]:
    """Why a service holds (or misses) a level: each criterion with the data it read."""
    rows = queries.run(store, "compliance_evidence", service=service, level=level, lang=lang)
    return [
        record(Evidence, row, parameter=_parameter(row), threshold=_threshold(row)) for row in rows
    ]
