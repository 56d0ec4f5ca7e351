"""Capacity planning on the capacity view (/capacity) and a service's competence gaps.

- need against supply per region for the chosen specialfunktion and planning year, and the ranked
  development table (near misses' missing criteria by the qualified places closing each adds),
  downloadable as CSV (/capacity.csv?function=<slug>);
- /capacity/gaps?service=<iri>&function=<slug>: what one service lacks for a specialfunktion,
  with staff counts found against needed and the course types and course offers that build the
  missing competences (journey 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template, request

from catalogue import assessments, planning, queries
from catalogue.browse.cache import cached
from catalogue.browse.rows import Concept, record
from catalogue.planning import Development, DevelopmentGap, GapItem, NearMissService, Profile
from catalogue.store import Store
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.compliance.table import table_csv
from webapp.i18n import current_language, translate

CSV_COLUMNS = (
    "provider.region",
    "planning.criterion",
    "planning.near_misses",
    "planning.providers_alone",
    "planning.places_alone",
    "planning.places_all",
    "planning.competences",
    "gap.courses",
    "planning.offers_udfoerer",
    "planning.offers_myndighed",
)


@dataclass(frozen=True)
class RegionPlan:
    region: Concept
    needed: int | None  # no need figure for the region
    supply: int
    providers: int

    @property
    def difference(self) -> int | None:
        return None if self.needed is None else self.supply - self.needed

    @property
    def short(self) -> bool:
        return self.needed is not None and self.supply < self.needed


NEAR_MISSES_SHOWN = 10  # per region on the page, the most places first (the CSV has every gap)


@dataclass(frozen=True)
class DevelopmentRow:
    """One row of the ranked development table, with what builds each missing competence."""

    gap: DevelopmentGap
    competences: list[tuple[str, str]]  # (competence, its course types)
    course_types: list[str]
    offers_udfoerer: list[str]
    offers_myndighed: list[str]


@dataclass(frozen=True)
class RegionMisses:
    shown: list[NearMissService]  # the NEAR_MISSES_SHOWN with most places
    more: int  # how many more there are


@dataclass(frozen=True)
class PlanningContext:
    function: Concept
    year: int | None
    years: list[int]
    regions: list[RegionPlan]
    region: Concept | None  # ?region=<code>: the development table of one region
    development: list[DevelopmentRow]
    near_misses: dict[str, RegionMisses]  # region IRI -> near misses there
    illustrative: bool

    @property
    def most_places(self) -> int:
        return max((r.gap.places_all for r in self.development), default=0)


def planning_context(function: Concept, regions: list[Concept]) -> PlanningContext:
    store, lang = get_catalogue().store, current_language()
    figures = [f for f in planning.need_supply(store) if f.function == function.iri]
    years = planning.planning_years(figures)
    asked = request.args.get("year", "")
    number = asked.isascii() and asked.isdigit()  # "²" is a digit that int() refuses
    year = int(asked) if number and int(asked) in years else (years[-1] if years else None)
    here = {f.region: f for f in figures if f.year == year}
    plans = [
        RegionPlan(
            r,
            here[r.iri].needed if r.iri in here else None,
            here[r.iri].supply if r.iri in here else 0,
            here[r.iri].providers if r.iri in here else 0,
        )
        for r in regions
    ]
    region = next((r for r in regions if r.code == request.args.get("region")), None)
    table = development_table(store, function, regions, lang)
    misses = cached(
        store,
        ("planning-near-miss-list", function.iri, lang),
        lambda: _near_miss_list(store, function, lang),
    )
    if region is not None:
        table = [row for row in table if row.gap.region == region]
        misses = {k: v for k, v in misses.items() if k == region.iri}
    return PlanningContext(
        function=function,
        year=year,
        years=years,
        regions=plans,
        region=region,
        development=table,
        near_misses=misses,
        illustrative=any(f.illustrative for f in here.values()),
    )


def _near_miss_list(store: Store, function: Concept, lang: str) -> dict[str, RegionMisses]:
    misses, _names = planning.near_miss_services(store, function.iri, lang)
    by_region: dict[str, list[NearMissService]] = {}
    for miss in sorted(misses, key=lambda m: (-m.places, m.provider.label)):
        by_region.setdefault(miss.region, []).append(miss)
    return {
        region: RegionMisses(found[:NEAR_MISSES_SHOWN], max(len(found) - NEAR_MISSES_SHOWN, 0))
        for region, found in by_region.items()
    }


def development_table(
    store: Store, function: Concept, regions: list[Concept], lang: str
) -> list[DevelopmentRow]:
    """The ranked development table with the course types and offers of each row (cached per
    function and language, like the ranking it is made of)."""

    def build() -> list[DevelopmentRow]:
        courses = planning.courses(store, lang)

        def builds(c: Concept) -> Development:
            return courses.get(c.iri, Development())

        def offers(gap: DevelopmentGap, audience: str) -> list[str]:
            found = (o.label for c in gap.competences for o in builds(c).for_audience(audience))
            return list(dict.fromkeys(found))

        return [
            DevelopmentRow(
                gap,
                [(c.label, ", ".join(builds(c).course_types)) for c in gap.competences],
                list(dict.fromkeys(t for c in gap.competences for t in builds(c).course_types)),
                offers(gap, planning.UDFOERER),
                offers(gap, planning.MYNDIGHED),
            )
            for gap in planning.development(store, function, regions, lang)
        ]

    return cached(store, ("planning-development-table", function.iri, lang), build)


def development_rows(ctx: PlanningContext) -> list[list[str]]:
    """The ranked development table as CSV rows: one per region and missing criterion."""
    return [
        [
            row.gap.region.label,
            row.gap.name,
            str(row.gap.providers),
            str(row.gap.providers_alone),
            str(row.gap.places_alone),
            str(row.gap.places_all),
            ", ".join(label for label, _types in row.competences),
            ", ".join(row.course_types),
            "; ".join(row.offers_udfoerer),
            "; ".join(row.offers_myndighed),
        ]
        for row in ctx.development
    ]


def _function(slug: str) -> Concept:
    store, lang = get_catalogue().store, current_language()
    chosen = next((f for f in planning.functions(store, lang) if f.code == slug), None)
    if chosen is None:
        abort(404)
    return chosen


@bp.get("/capacity.csv")
def capacity_csv() -> Response:
    """The development table of ?function=<slug> (and ?region=<code>) as CSV."""
    store, lang = get_catalogue().store, current_language()
    function = _function(request.args.get("function", ""))
    ctx = planning_context(function, planning.regions(store, lang))
    header = [translate(k) for k in CSV_COLUMNS]
    response = Response(
        table_csv(header, development_rows(ctx)), content_type="text/csv; charset=utf-8"
    )
    name = "-".join(
        ["kompetenceudvikling", function.code, *([ctx.region.code] if ctx.region else [])]
    )
    name += ".csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.app_template_global("competence_assessment")
def competence_assessment(service: str, function: str) -> assessments.Assessment | None:
    """The authority's current competence assessment of a service for a function (provider page,
    beside the computed qualification)."""
    store, lang = get_catalogue().store, current_language()
    return assessments.latest(store, service, function, lang)


@dataclass(frozen=True)
class ServiceGaps:
    service: str
    provider: Concept
    function: Concept
    region: str
    places: int
    meets: bool | None  # None: the service was not checked against the function
    items: list[GapItem]
    profile: Profile | None
    courses: dict[str, Development]
    assessment: assessments.Assessment | None  # the authority's current one, beside the computed


@bp.get("/capacity/gaps")
def service_gaps() -> str:
    store, lang = get_catalogue().store, current_language()
    service = request.args.get("service", "")
    function = _function(request.args.get("function", ""))
    rows = queries.run(
        store, "competence_service", service=service, function=function.iri, lang=lang
    )
    if not service or not rows:
        abort(404)
    gaps = record(
        ServiceGaps,
        rows[0],
        {"region": "regionLabel"},
        service=service,
        function=function,
        items=planning.function_gaps(store, service, function.iri, lang),
        profile=planning.profile(store, function, lang),
        courses=planning.courses(store, lang),
        assessment=assessments.latest(store, service, function.iri, lang),
    )
    return render_template("browse/competence_gaps.html", gaps=gaps)
