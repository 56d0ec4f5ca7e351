"""Recording a competence assessment in the editing area.

The form lists the specialfunktion's competence profile, one rating on the scale and its evidence
per requirement, with the computed gaps of the service beside it; only an editor of the provider's
supervising authority may record one (catalogue/assessments.py checks the rest). The flow is that
of every authority record (webapp/editing/authority_records.py).
"""

from __future__ import annotations

import datetime as dt

from flask import abort, url_for
from werkzeug.wrappers import Response

from catalogue import assessments, planning
from catalogue.browse.concepts import specialty_plan
from catalogue.editors import Editor
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp
from webapp.editing.authority_records import (
    RecordForm,
    basis_or_404,
    form_day,
    form_text,
    record_page,
)
from webapp.i18n import current_language


def _read(
    found: assessments.Basis, function: str, profile: planning.Profile, editor: Editor, on: dt.date
) -> assessments.NewAssessment:
    ratings = tuple(
        assessments.Rating(r.iri, value, form_text(f"evidence-{n}"))
        for n, r in enumerate(profile.requirements)
        if (value := form_text(f"rating-{n}"))
    )
    return assessments.NewAssessment(
        service=found.service,
        function=function,
        by=editor.authority_iri,
        on=on,
        conclusion=form_text("conclusion"),
        follow_up=form_day("follow_up"),
        ratings=ratings,
    )


@bp.route("/provider/<tpid>/assessment/<target_group>/<function>", methods=["GET", "POST"])
@auth.editor_required
def assessment(tpid: str, target_group: str, function: str) -> str | Response | tuple[str, int]:
    found = basis_or_404(tpid, target_group, function)
    store, lang = get_catalogue().store, current_language()
    chosen = next(
        (f for s in specialty_plan(store, lang) for f in s.functions if f.code == function), None
    )
    profile = planning.profile(store, chosen, lang) if chosen else None
    if chosen is None or profile is None:
        abort(404)
    steps = assessments.steps(store, lang)
    form = RecordForm(
        kind=assessments.KIND,
        template="editing/assessment.html",
        date_field="assessed_on",
        read=lambda editor, on: _read(found, chosen.iri, profile, editor, on),
        check=lambda new, today: assessments.check(
            new, found, profile, {s.iri for s in steps}, today
        ),
        record=lambda new, editor: assessments.record(store, new, found, editor),
        done=url_for("browse.service_gaps", service=found.service, function=chosen.code),
    )
    return record_page(
        found,
        form,
        lambda: {
            "function": chosen,
            "profile": profile,
            "steps": steps,
            "gaps": planning.function_gaps(store, found.service, chosen.iri, lang),
            "current": assessments.latest(store, found.service, chosen.iri, lang),
        },
    )
