"""Target group pages: /vocab/target-group/<code>."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template

from catalogue.browse import target_groups
from catalogue.browse.guide_status import GuideStatus, guide_status
from catalogue.browse.target_groups import TargetGroup
from webapp.browse import bp, resource
from webapp.browse.links import stored_iri
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class TargetGroupContext:
    target_group: TargetGroup
    jsonld: str
    guide: GuideStatus | None = None  # the target group's guide: version, status, placement rule


def target_group_context(code: str) -> TargetGroupContext:
    iri = stored_iri("vocab/target-group", code)
    found = target_groups.target_group(get_catalogue().store, iri, current_language())
    if found is None:
        abort(404)
    guide = guide_status(get_catalogue().store, iri, current_language())
    return TargetGroupContext(found, resource.embedded_jsonld(iri), guide)


@bp.get("/vocab/target-group/<code>")
def target_group(code: str) -> str | Response:
    code, fmt = resource.choose(code)
    if fmt != "html":
        return resource.description(stored_iri("vocab/target-group", code), fmt)
    return render_template("browse/target_group.html", ctx=target_group_context(code))
