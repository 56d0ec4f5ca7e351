"""The capacity overview: /capacity, with /capacity?function=<slug> choosing a specialfunktion
(and ?year= a planning year): qualified providers per region, need against supply, where
competence development adds the most places (webapp/browse/planning.py), and the decisions."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template, request

from catalogue import planning
from catalogue.browse import capacity as capacities
from catalogue.browse.capacity import FunctionCapacity
from catalogue.browse.decisions import Decision
from webapp.browse import bp
from webapp.browse.planning import PlanningContext, planning_context
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class CapacityContext:
    functions: list[FunctionCapacity]
    chosen: FunctionCapacity | None
    plan: PlanningContext | None  # need, supply and development for the chosen function
    decisions: list[Decision]  # in force in the chosen function's target group


def capacity_context() -> CapacityContext:
    store, lang = get_catalogue().store, current_language()
    regions = planning.regions(store, lang)
    overview = capacities.capacity(store, planning.functions(store, lang), regions)
    wanted = request.args.get("function", "")
    chosen = next((c for c in overview if c.function.code == wanted), None)
    if wanted and chosen is None:
        abort(404)  # an unknown function: not quietly another one (as /capacity.csv)
    chosen = chosen or (overview[0] if overview else None)
    plan = planning_context(chosen.function, regions) if chosen else None
    decided = capacities.function_decisions(store, chosen.function, lang) if chosen else []
    return CapacityContext(overview, chosen, plan, decided)


@bp.get("/capacity")
def capacity() -> str:
    return render_template("browse/capacity.html", ctx=capacity_context())
