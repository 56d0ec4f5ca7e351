"""A provider's compliance report for people: a print-friendly page and downloads of the same as
CSV, Turtle and JSON-LD, under /id/provider/<tpid>/report."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template

from catalogue.browse import provider as providers
from catalogue.browse import report as reports
from catalogue.browse.provider import Provider
from catalogue.browse.report import Check, ResultGroup
from catalogue.decisions import decisions_graph
from webapp.browse.links import stored_iri
from webapp.catalogue_ext import get_catalogue
from webapp.compliance.table import csv_text
from webapp.i18n import current_language
from webapp.negotiation import FORMATS, format_for_extension, serialize

bp = Blueprint("compliance", __name__, template_folder="../templates")


@dataclass(frozen=True)
class ReportContext:
    provider: Provider
    tpid: str
    groups: list[ResultGroup]
    checks: list[Check]


def report_context(tpid: str) -> ReportContext:
    store, lang = get_catalogue().store, current_language()
    iri = stored_iri("id/provider", tpid)
    found = providers.provider(store, iri, lang)
    if found is None:
        abort(404)
    target_groups = {s.iri: s.target_group.label for s in found.services}
    return ReportContext(
        provider=found,
        tpid=tpid,
        groups=reports.grouped(reports.results(store, iri, lang, target_groups)),
        checks=reports.checks(store, iri),
    )


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    response = Response(body, mimetype=None, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/id/provider/<tpid>/report")
def report(tpid: str) -> str:
    return render_template("compliance/report.html", ctx=report_context(tpid))


@bp.get("/id/provider/<tpid>/report.csv")
def report_csv(tpid: str) -> Response:
    ctx = report_context(tpid)
    body = csv_text(ctx.provider, [r for g in ctx.groups for r in g.results])
    return _download(body, "text/csv; charset=utf-8", f"rapport-{tpid}.csv")


@bp.get("/id/provider/<tpid>/report.<any(ttl, jsonld):ext>")
def report_rdf(tpid: str, ext: str) -> Response:
    stored_iri("id/provider", tpid)  # 404 for malformed keys
    store = get_catalogue().store
    triples = reports.report_triples(store, tpid)
    if not triples:
        abort(404)
    triples += [q.triple for q in store.quads(decisions_graph(tpid))]  # decided beside computed
    key = format_for_extension(ext) or "turtle"
    body = serialize(triples, key)  # the public base and the catalogue's prefixes
    return _download(body, f"{FORMATS[key].media_type}; charset=utf-8", f"rapport-{tpid}.{ext}")
