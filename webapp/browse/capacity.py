"""The capacity overview: /capacity, with /capacity?function=<slug> choosing a specialfunktion."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template, request

from catalogue.browse import capacity as capacities
from catalogue.browse.capacity import FunctionCapacity, RegionGaps
from catalogue.browse.concepts import links, scheme, specialty_plan
from catalogue.browse.decisions import Decision, decisions
from catalogue.namespaces import VOCAB
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.compliance.table import table_csv
from webapp.i18n import current_language, translate

CSV_COLUMNS = (
    "provider.region",
    "capacity.kind",
    "capacity.shortfall",
    "capacity.lacking",
    "capacity.would_qualify",
    "gap.courses",
)


@dataclass(frozen=True)
class CapacityContext:
    functions: list[FunctionCapacity]
    chosen: FunctionCapacity | None
    gaps: list[RegionGaps]
    decisions: list[Decision]  # in force in the chosen function's target group


def capacity_context() -> CapacityContext:
    store, lang = get_catalogue().store, current_language()
    functions = [f for s in specialty_plan(store, lang) for f in s.functions]
    regions = scheme(store, str(VOCAB["region"]), lang)
    overview = capacities.capacity(store, functions, regions)
    wanted = request.args.get("function", "")
    chosen = next((c for c in overview if c.function.code == wanted), None)
    chosen = chosen or (overview[0] if overview else None)
    gaps = capacities.region_gaps(store, chosen.function, regions, lang) if chosen else []
    groups = links(store, chosen.function.iri, lang).get("target_groups", []) if chosen else []
    decided = [d for g in groups for d in decisions(store, lang, target_group=g.iri)]
    return CapacityContext(overview, chosen, gaps, decided)


def gap_rows(gaps: list[RegionGaps]) -> list[list[str]]:
    """The competence-development table: one row per region and criterion or competence."""
    rows = []
    for g in gaps:
        for s in g.criteria:
            rows.append(
                [
                    g.region.label,
                    translate("capacity.kind_criterion"),
                    s.name,
                    str(s.lacking),
                    str(s.would_qualify),
                    "",
                ]
            )
        for s in g.competences:
            rows.append(
                [
                    g.region.label,
                    translate("capacity.kind_competence"),
                    s.name,
                    str(s.lacking),
                    "",
                    s.courses,
                ]
            )
    return rows


@bp.get("/capacity")
def capacity() -> str:
    return render_template("browse/capacity.html", ctx=capacity_context())


@bp.get("/capacity.csv")
def capacity_csv() -> Response:
    ctx = capacity_context()
    if ctx.chosen is None:
        abort(404)
    header = [translate(k) for k in CSV_COLUMNS]
    response = Response(
        table_csv(header, gap_rows(ctx.gaps)), content_type="text/csv; charset=utf-8"
    )
    name = f"kompetencegab-{ctx.chosen.function.code}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
