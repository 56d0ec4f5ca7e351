"""What the editing forms of the authority records share (catalogue/authority_records.py): the
service from the URL, the rule that only an editor of the provider's supervising authority may
record, the form's date, the page with the problems, and recording under the audited lock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import pyoxigraph as ox
from flask import abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from catalogue import authority_records as records
from catalogue.audit import Busy
from catalogue.editors import Editor
from catalogue.importing import Problem
from catalogue.namespaces import PROVIDER_KEY, provider_iri
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, refused
from webapp.i18n import current_language

CODE = re.compile(r"^[a-z0-9-]{1,80}$")  # a target group's or a specialty function's code
N = TypeVar("N")  # a kind's new record


def basis_or_404(tpid: str, target_group: str, *codes: str) -> records.Basis:
    """The basis of the service named by the URL (``tpid``: a Tilbudsportalen id, or
    cvr{CVR}-{own reference} for § 148 a); 404 when the URL names none."""
    if not (PROVIDER_KEY.fullmatch(tpid) and all(map(CODE.fullmatch, (target_group, *codes)))):
        abort(404)
    service = f"{provider_iri(tpid).value}/target-group/{target_group}"
    found = records.basis(get_catalogue().store, service, current_language())
    if found is None:
        abort(404)
    return found


def form_text(name: str) -> str:
    return request.form.get(name, "").strip().replace("\r\n", "\n")


def form_day(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class RecordForm(Generic[N]):
    """One kind's form: how its record is read from the request, checked and recorded."""

    kind: records.Kind
    template: str
    date_field: str  # the form field of the record's date
    read: Callable[[Editor, dt.date], N]  # the record the editor gives, dated
    check: Callable[[N, dt.date], list[Problem]]  # its problems, given today
    record: Callable[[N, Editor], ox.NamedNode]
    done: str  # the page the editor goes to when it is recorded
    anchor: str = ""  # and where on it ("#placements")


def record_page(
    found: records.Basis, form: RecordForm[N], context: Callable[[], dict[str, object]]
) -> str | Response | tuple[str, int]:
    """GET: the form; POST: check and record it, or the form again with the problems (422)."""
    editor = auth.current_editor()
    if editor is None:
        abort(404)
    if found.authority is None or found.authority.iri != editor.authority_iri:
        return refused(403, "editing.refused.other_authority")
    today = dt.date.today()

    def page(problems: list[Problem], given: object) -> str:
        return render_template(
            form.template,
            found=found,
            problems=problems,
            form=given,
            today=today.isoformat(),
            **context(),
        )

    if request.method == "GET":
        return page([], {})
    on = form_day(form.date_field)
    if on is None:
        kind = form.kind
        return page(
            [
                Problem(
                    "",
                    "dato",
                    f"Angiv {kind.of_da} dato",
                    f"Give the date of the {kind.noun_en}",
                )
            ],
            request.form,
        ), 422
    new = form.read(editor, on)
    problems = form.check(new, today)
    if problems:
        return page(problems, request.form), 422
    try:
        iri = form.record(new, editor)
    except Busy:
        return refused(409)
    current_app.logger.info("editing: %s recorded %s", editor.name, iri.value)
    return redirect(with_language(form.done) + form.anchor, 303)
