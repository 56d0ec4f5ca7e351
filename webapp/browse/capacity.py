"""The capacity overview: /capacity, with /capacity?function=<slug> choosing a specialfunktion."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

from catalogue.browse import capacity as capacities
from catalogue.browse.capacity import FunctionCapacity
from catalogue.browse.concepts import scheme, specialty_plan
from catalogue.namespaces import VOCAB
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class CapacityContext:
    functions: list[FunctionCapacity]
    chosen: FunctionCapacity | None


def capacity_context() -> CapacityContext:
    store, lang = get_catalogue().store, current_language()
    functions = [f for s in specialty_plan(store, lang) for f in s.functions]
    regions = scheme(store, str(VOCAB["region"]), lang)
    overview = capacities.capacity(store, functions, regions)
    wanted = request.args.get("function", "")
    chosen = next((c for c in overview if c.function.code == wanted), None)
    return CapacityContext(overview, chosen or (overview[0] if overview else None))


@bp.get("/capacity")
def capacity() -> str:
    return render_template("browse/capacity.html", ctx=capacity_context())
