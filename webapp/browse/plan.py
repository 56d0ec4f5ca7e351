"""Speciale and specialfunktion pages: /id/speciality/<slug> and /id/specialty-function/<slug>."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template, request

from catalogue.browse import concepts, functions
from catalogue.browse.concepts import ConceptDetail
from catalogue.browse.criteria import Criterion, NearMiss, function_criteria, near_misses
from catalogue.browse.decisions import Placement, placements
from catalogue.browse.functions import QualifiedProvider, RegionOption
from catalogue.browse.guide_status import GuideStatus, guide_status
from catalogue.browse.rows import Concept
from catalogue.browse.statistics import FunctionCount, national
from catalogue.namespaces import VOCAB
from webapp.browse import bp, resource
from webapp.browse.links import stored_iri
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class SpecialityContext:
    speciality: ConceptDetail
    specialist_group: ConceptDetail | None
    jsonld: str
    function_counts: dict[str, FunctionCount]


@dataclass(frozen=True)
class FunctionContext:
    function: ConceptDetail
    speciality: ConceptDetail | None
    specialist_group: ConceptDetail | None
    providers: list[QualifiedProvider]
    total: int
    regions: list[RegionOption]
    sort: str
    home: str  # the citizen's region (code), or ""
    distances: dict[str, int]  # borders from the citizen's region to each region (code)
    criteria: list[Criterion]
    near_misses: list[NearMiss]
    jsonld: str
    placements: dict[str, Placement]  # provider IRI -> its decided and computed placement
    guide: GuideStatus | None = None  # the target group's guide: version, status, placement rule


def _detail(iri: str) -> ConceptDetail | None:
    return concepts.concept(get_catalogue().store, iri, current_language())


def _specialist_group(speciality: ConceptDetail | None) -> ConceptDetail | None:
    if speciality is None:
        return None
    groups = speciality.linked("specialist_groups")
    return _detail(groups[0].iri) if groups else None


def speciality_context(slug: str) -> SpecialityContext:
    speciality = _detail(stored_iri("id/speciality", slug))
    if speciality is None:
        abort(404)
    counts = national(get_catalogue().store, current_language()).functions
    return SpecialityContext(
        speciality,
        _specialist_group(speciality),
        resource.embedded_jsonld(speciality.iri),
        {c.function.iri: c for c in counts},
    )


def function_context(slug: str) -> FunctionContext:
    function = _detail(stored_iri("id/specialty-function", slug))
    if function is None:
        abort(404)
    broader = function.linked("broader")
    speciality = _detail(broader[0].iri) if broader else None
    store, lang = get_catalogue().store, current_language()
    all_regions = concepts.scheme(store, str(VOCAB["region"]), lang)
    choice = functions.choose_regions(
        store,
        (r.code for r in all_regions),
        request.args.get("home", ""),
        request.args.getlist("region"),
        bool(request.args.get("nearby")),
        request.args.get("sort"),
    )
    chosen = choice.chosen
    qualified = functions.qualified_providers(store, function.iri, lang)
    named = Concept(function.iri, function.label)
    return FunctionContext(
        function=function,
        speciality=speciality,
        specialist_group=_specialist_group(speciality),
        providers=functions.arrange(qualified, chosen, choice.sort, choice.distances),
        total=len(qualified),
        regions=functions.region_options(qualified, all_regions, chosen),
        sort=choice.sort,
        home=choice.home,
        distances=choice.distances,
        criteria=function_criteria(store, named, lang),
        near_misses=[
            m for m in near_misses(store, named, lang) if not chosen or m.region_code in chosen
        ],
        jsonld=resource.embedded_jsonld(function.iri),
        placements={
            placement.provider: placement
            for placement in placements(store, lang, function=function.iri).values()
        },
        guide=next(
            (guide_status(store, g.iri, lang) for g in function.linked("target_groups")), None
        ),
    )


@bp.get("/id/speciality/<slug>")
def speciality(slug: str) -> str | Response:
    slug, fmt = resource.choose(slug)
    if fmt != "html":
        return resource.description(stored_iri("id/speciality", slug), fmt)
    return render_template("browse/speciality.html", ctx=speciality_context(slug))


@bp.get("/id/specialty-function/<slug>")
def specialty_function(slug: str) -> str | Response:
    slug, fmt = resource.choose(slug)
    if fmt != "html":
        return resource.description(stored_iri("id/specialty-function", slug), fmt)
    return render_template("browse/specialty_function.html", ctx=function_context(slug))
