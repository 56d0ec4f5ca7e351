"""One provider in the editing area: record an approval (godkendelse), and read the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalogue import approvals, queries
from catalogue.audit import Activity, Busy, audited, history
from catalogue.browse.provider import Identity, identity
from catalogue.browse.rows import text
from catalogue.decisions import decisions_graph
from catalogue.editors import Editor
from catalogue.importing import Problem
from catalogue.namespaces import PROVIDER_KEY, provider_graph, provider_iri
from webapp.browse.links import with_language
from webapp.catalogue_ext import get_catalogue
from webapp.editing import auth, bp, recheck, refused
from webapp.i18n import current_language

_TPID = PROVIDER_KEY  # a Tilbudsportalen id, or cvr{CVR}-{own reference} (§ 148 a)


class Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("approval refused")
        self.problems = problems


@dataclass(frozen=True)
class ProviderContext:
    tpid: str
    identity: Identity
    authority: str  # IRI of the socialtilsyn that supervises the provider
    editor: Editor

    @property
    def may_edit(self) -> bool:
        return self.authority == self.editor.authority_iri


def _provider(tpid: str) -> ProviderContext:
    if not _TPID.fullmatch(tpid):
        abort(404)
    store, iri = get_catalogue().store, provider_iri(tpid)
    found = identity(store, iri.value, current_language())
    rows = queries.run(store, "editing_provider_authority", provider=iri)
    editor = auth.current_editor()
    if found is None or editor is None:
        abort(404)
    return ProviderContext(tpid, found, text(rows[0], "authority") if rows else "", editor)


def _date(field: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(field, "").strip())
    except ValueError:
        return None


def _form() -> tuple[approvals.NewApproval | None, list[Problem]]:
    valid_from = _date("valid_from")
    if valid_from is None:
        return None, [
            Problem("", "dato", "Angiv 'gyldig fra' som en dato", "Give 'valid from' as a date")
        ]
    until = request.form.get("valid_until", "").strip()
    valid_until = _date("valid_until") if until else None
    if until and valid_until is None:
        return None, [
            Problem("", "dato", "Angiv 'gyldig til' som en dato", "Give 'valid until' as a date")
        ]
    function = request.form.get("function", "").strip()
    return approvals.NewApproval(
        status=request.form.get("status", "").strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        conditions=request.form.get("conditions", "").strip().replace("\r\n", "\n"),
        function=function or None,
        duty_to_advise=request.form.get("duty_to_advise") == "on",
    ), []


def _labels(function: str | None) -> tuple[str, str]:
    """What the audit trail calls the approval, in Danish and English."""
    if function is None:
        return "Generel godkendelse registreret", "General approval recorded"
    store = get_catalogue().store
    names = {
        lang: next(
            (
                f.label
                for _, fs in approvals.choices(store, lang).functions
                for f in fs
                if f.iri == function
            ),
            function,
        )
        for lang in ("da", "en")
    }
    return (
        f"Godkendelse registreret: {names['da']}",
        f"Approval recorded: {names['en']}",
    )


@bp.route("/provider/<tpid>/approval", methods=["GET", "POST"])
@auth.editor_required
def approval(tpid: str) -> str | Response | tuple[str, int]:
    ctx = _provider(tpid)
    if not ctx.may_edit:
        return refused(403, "editing.refused.other_authority")
    store = get_catalogue().store
    known = approvals.choices(store, current_language())
    if request.method == "GET":
        return render_template("editing/approval.html", ctx=ctx, known=known, problems=[], form={})
    new, problems = _form()
    if new is not None:
        problems = approvals.check(new, known, tpid)
    if new is None or problems:
        page = render_template(
            "editing/approval.html", ctx=ctx, known=known, problems=problems, form=request.form
        )
        return page, 422
    label_da, label_en = _labels(new.function)
    activity = Activity(ctx.editor, label_da, label_en, graphs=[provider_graph(tpid)])
    try:
        with audited(store, activity):
            iri, problems = approvals.add_approval(store, tpid, new, ctx.editor.authority_iri)
            if iri is None:
                raise Refused(problems)
            activity.generated.append(iri)
    except Busy:
        return refused(409)
    except Refused as refusal:
        page = render_template(
            "editing/approval.html",
            ctx=ctx,
            known=known,
            problems=refusal.problems,
            form=request.form,
        )
        return page, 422
    current_app.logger.info("editing: %s recorded %s", ctx.editor.name, activity.generated[0].value)
    recheck([tpid])
    return redirect(with_language(url_for("browse.provider", tpid=tpid)), 303)


@bp.get("/provider/<tpid>/history", endpoint="history")
@auth.editor_required
def history_page(tpid: str) -> str:
    ctx = _provider(tpid)
    store, lang = get_catalogue().store, current_language()
    entries = history(store, provider_graph(tpid), lang) + history(
        store, decisions_graph(tpid), lang
    )  # the provider's data and approvals, and the authority's placement decisions
    entries.sort(key=lambda e: e.started, reverse=True)
    return render_template("editing/history.html", ctx=ctx, entries=entries)
