"""Recording a placement decision (indplaceringsafgørelse) in the editing area.

The form shows the computed verdict (the level matrix and the evidence) beside the decision, and
only an editor of the provider's supervising authority may record one (catalogue/decisions.py
checks the rest: level, date, reasons for the parameters it departs on).
"""

from __future__ import annotations

import datetime as dt
import re

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalogue import decisions
from catalogue.audit import Busy
from catalogue.browse import decisions as decided
from catalogue.browse.concepts import Level
from catalogue.browse.provider import Service, services
from catalogue.browse.rows import code
from catalogue.importing import Problem
from catalogue.namespaces import PROVIDER_KEY, provider_iri
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp, refused
from webapp.i18n import current_language

_TPID = PROVIDER_KEY  # a Tilbudsportalen id, or cvr{CVR}-{own reference} (§ 148 a)
_CODE = re.compile(r"^[a-z0-9-]{1,80}$")


def _form(found: decisions.Basis) -> tuple[decisions.NewDecision | None, list[Problem]]:
    try:
        on = dt.date.fromisoformat(request.form.get("decided_on", "").strip())
    except ValueError:
        return None, [
            Problem("", "dato", "Angiv afgørelsens dato", "Give the date of the decision")
        ]
    level = request.form.get("level", "").strip()
    editor = auth.current_editor()
    assert editor is not None
    return decisions.NewDecision(
        service=found.service,
        level=None if level == decisions.NOT_PLACED else level,
        by=editor.authority_iri,
        on=on,
        reason=request.form.get("reason", "").strip().replace("\r\n", "\n"),
        guide_version=request.form.get("guide_version", "").strip(),
        departures=tuple(
            decisions.Departure(p.iri, request.form.get(f"departure-{code(p.iri)}", "").strip())
            for p in found.parameters
            if request.form.get(f"departure-{code(p.iri)}", "").strip()
        ),
    ), []


def _service(found: decisions.Basis, lang: str) -> tuple[Service | None, list[Level]]:
    """The service as the provider page shows it (matrix, evidence) and the specialised levels."""
    store = get_catalogue().store
    specialised = decisions.specialised_levels(store, lang)
    shown = services(store, found.provider, lang, specialised)
    return next((s for s in shown if s.iri == found.service), None), specialised


@bp.get("/decisions")
@auth.editor_required
def undecided() -> str:
    """The services of the editor's authority that wait for a decision, with the computed level."""
    editor = auth.current_editor()
    assert editor is not None
    waiting = decided.undecided(get_catalogue().store, editor.authority_iri, current_language())
    return render_template("editing/undecided.html", waiting=waiting)


@bp.route("/provider/<tpid>/decision/<target_group>", methods=["GET", "POST"])
@auth.editor_required
def decision(tpid: str, target_group: str) -> str | Response | tuple[str, int]:
    if not (_TPID.fullmatch(tpid) and _CODE.fullmatch(target_group)):
        abort(404)
    store, lang = get_catalogue().store, current_language()
    found = decisions.basis(store, f"{provider_iri(tpid).value}/target-group/{target_group}", lang)
    editor = auth.current_editor()
    if found is None or editor is None:
        abort(404)
    if found.authority is None or found.authority.iri != editor.authority_iri:
        return refused(403, "editing.refused.other_authority")
    service, levels = _service(found, lang)
    history = decided.decisions(store, lang, service=found.service, history=True)

    def page(problems: list[Problem], form: object) -> str:
        return render_template(
            "editing/decision.html",
            found=found,
            service=service,
            levels=levels,
            history=history,
            problems=problems,
            form=form,
            today=dt.date.today().isoformat(),
        )

    if request.method == "GET":
        return page([], {})
    new, problems = _form(found)
    if new is not None:
        problems = decisions.check(new, found, levels, dt.date.today())
    if new is None or problems:
        return page(problems, request.form), 422
    try:
        iri = decisions.record(store, new, found, editor)
    except Busy:
        return refused(409)
    current_app.logger.info("editing: %s recorded %s", editor.name, iri.value)
    return redirect(with_language(url_for("browse.provider", tpid=tpid)) + "#placements", 303)
