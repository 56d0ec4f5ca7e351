"""Recording a competence assessment in the editing area.

The form lists the specialfunktion's competence profile, one rating on the scale and its evidence
per requirement, with the computed gaps of the service beside it; only an editor of the provider's
supervising authority may record one (catalogue/assessments.py checks the rest).
"""

from __future__ import annotations

import datetime as dt
import re

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalogue import assessments, decisions, planning
from catalogue.audit import Busy
from catalogue.browse.concepts import specialty_plan
from catalogue.importing import Problem
from catalogue.namespaces import PROVIDER_KEY, provider_iri
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp, refused
from webapp.i18n import current_language

_CODE = re.compile(r"^[a-z0-9-]{1,80}$")


def _day(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


def _form(
    found: decisions.Basis, function: str, profile: planning.Profile
) -> tuple[assessments.NewAssessment | None, list[Problem]]:
    on = _day("assessed_on")
    if on is None:
        return None, [
            Problem("", "dato", "Angiv vurderingens dato", "Give the date of the assessment")
        ]
    editor = auth.current_editor()
    assert editor is not None
    ratings = tuple(
        assessments.Rating(
            r.iri,
            request.form.get(f"rating-{n}", "").strip(),
            request.form.get(f"evidence-{n}", "").strip().replace("\r\n", "\n"),
        )
        for n, r in enumerate(profile.requirements)
        if request.form.get(f"rating-{n}", "").strip()
    )
    return assessments.NewAssessment(
        service=found.service,
        function=function,
        by=editor.authority_iri,
        on=on,
        conclusion=request.form.get("conclusion", "").strip().replace("\r\n", "\n"),
        follow_up=_day("follow_up"),
        ratings=ratings,
    ), []


@bp.route("/provider/<tpid>/assessment/<target_group>/<function>", methods=["GET", "POST"])
@auth.editor_required
def assessment(tpid: str, target_group: str, function: str) -> str | Response | tuple[str, int]:
    if not (
        PROVIDER_KEY.fullmatch(tpid) and _CODE.fullmatch(target_group) and _CODE.fullmatch(function)
    ):
        abort(404)
    store, lang = get_catalogue().store, current_language()
    found = decisions.basis(store, f"{provider_iri(tpid).value}/target-group/{target_group}", lang)
    chosen = next(
        (f for s in specialty_plan(store, lang) for f in s.functions if f.code == function), None
    )
    editor = auth.current_editor()
    if found is None or chosen is None or editor is None:
        abort(404)
    profile = planning.profile(store, chosen, lang)
    if profile is None:
        abort(404)
    if found.authority is None or found.authority.iri != editor.authority_iri:
        return refused(403, "editing.refused.other_authority")
    steps = assessments.steps(store, lang)

    def page(problems: list[Problem], form: object) -> str:
        return render_template(
            "editing/assessment.html",
            found=found,
            function=chosen,
            profile=profile,
            steps=steps,
            gaps=planning.function_gaps(store, found.service, chosen.iri, lang),
            current=assessments.latest(store, found.service, chosen.iri, lang),
            problems=problems,
            form=form,
            today=dt.date.today().isoformat(),
        )

    if request.method == "GET":
        return page([], {})
    new, problems = _form(found, chosen.iri, profile)
    if new is not None:
        known = {s.iri for s in steps}
        problems = assessments.check(new, found, profile, known, dt.date.today())
    if new is None or problems:
        return page(problems, request.form), 422
    try:
        iri = assessments.record(store, new, found, editor)
    except Busy:
        return refused(409)
    current_app.logger.info("editing: %s recorded %s", editor.name, iri.value)
    target = url_for("browse.service_gaps", service=found.service, function=chosen.code)
    return redirect(with_language(target), 303)
