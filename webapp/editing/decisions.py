"""Recording a placement decision (indplaceringsafgørelse) in the editing area.

The form shows the computed verdict (the level matrix and the evidence) beside the decision, and
only an editor of the provider's supervising authority may record one (catalogue/decisions.py
checks the rest: level, date, reasons for the parameters it departs on). The flow is that of every
authority record (webapp/editing/authority_records.py).
"""

from __future__ import annotations

import datetime as dt

from flask import render_template, url_for
from werkzeug.wrappers import Response

from catalogue import decisions
from catalogue.browse import decisions as decided
from catalogue.browse.concepts import Level
from catalogue.browse.provider import Service, services
from catalogue.browse.rows import code
from catalogue.editors import Editor
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp
from webapp.editing.authority_records import RecordForm, basis_or_404, form_text, record_page
from webapp.i18n import current_language


def _read(found: decisions.Basis, editor: Editor, on: dt.date) -> decisions.NewDecision:
    level = form_text("level")
    return decisions.NewDecision(
        service=found.service,
        level=None if level == decisions.NOT_PLACED else level,
        by=editor.authority_iri,
        on=on,
        reason=form_text("reason"),
        guide_version=form_text("guide_version"),
        departures=tuple(
            decisions.Departure(p.iri, reason)
            for p in found.parameters
            if (reason := form_text(f"departure-{code(p.iri)}"))
        ),
    )


def _service(found: decisions.Basis, levels: list[Level], lang: str) -> Service | None:
    """The service as the provider page shows it (level matrix, evidence)."""
    shown = services(get_catalogue().store, found.provider, lang, levels)
    return next((s for s in shown if s.iri == found.service), None)


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
    found = basis_or_404(tpid, target_group)
    store, lang = get_catalogue().store, current_language()
    levels = decisions.specialised_levels(store, lang)
    form = RecordForm(
        kind=decisions.KIND,
        template="editing/decision.html",
        date_field="decided_on",
        read=lambda editor, on: _read(found, editor, on),
        check=lambda new, today: decisions.check(new, found, levels, today),
        record=lambda new, editor: decisions.record(store, new, found, editor),
        done=url_for("browse.provider", tpid=tpid),
        anchor="#placements",
    )
    return record_page(
        found,
        form,
        lambda: {
            "service": _service(found, levels, lang),
            "levels": levels,
            "history": decided.decisions(store, lang, service=found.service, history=True),
        },
    )
