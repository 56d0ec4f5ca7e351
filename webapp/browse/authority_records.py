"""The authority records' own URIs (catalogue/authority_records.py): a placement decision
``/id/provider/{key}/target-group/{tg}/decision/{n}`` and a competence assessment
``.../assessment/{function}/{n}`` answer HTML to a browser and RDF by ``Accept`` or extension, like
every resource. Only the provider's graph of records is read: the audit trail stays private."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, abort, render_template

from catalogue import assessments, decisions, queries
from catalogue.authority_records import Basis, Kind, basis, decisions_graph
from catalogue.namespaces import PROV, SK, term
from webapp.browse import bp, resource
from webapp.browse.links import local_path, stored_iri
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language
from webapp.linkeddata.documentation import Statement, statements
from webapp.negotiation import rdf_response


@dataclass(frozen=True)
class Part:
    """A departure of a decision or a rating of an assessment."""

    iri: str
    statements: list[Statement]


@dataclass(frozen=True)
class RecordPage:
    iri: str
    path: str
    kind: Kind
    found: Basis | None  # None when no provider serves the service any more
    statements: list[Statement]
    parts: list[Part] = field(default_factory=list)
    replaced_by: str = ""
    withdrawal_reason: str = ""
    invalidated: bool = False


def _about(triple: ox.Triple) -> str:
    subject = triple.subject
    return subject.value if isinstance(subject, ox.NamedNode) else ""


def _page(iri: str, path: str, kind: Kind, service: str, triples: list[ox.Triple]) -> RecordPage:
    own = [t for t in triples if _about(t) == iri]
    parts = sorted({_about(t) for t in triples if _about(t).startswith(iri + "/")})

    def value(predicate: ox.NamedNode) -> str:
        found = (t.object for t in own if t.predicate == predicate)
        return next((o.value for o in found if isinstance(o, ox.Literal)), "")

    newer = [_about(t) for t in triples if t.predicate == term(PROV, "wasRevisionOf")]
    return RecordPage(
        iri=iri,
        path=path,
        kind=kind,
        found=basis(get_catalogue().store, service, current_language()),
        statements=statements(own),
        parts=[Part(p, statements([t for t in triples if _about(t) == p])) for p in parts],
        replaced_by=next((n for n in newer if n != iri), ""),
        withdrawal_reason=value(term(SK, "withdrawalReason")),
        invalidated=bool(value(term(PROV, "invalidatedAtTime"))),
    )


def _record(kind: Kind, tpid: str, target_group: str, series: list[str], number: str) -> Response:
    number, fmt = resource.choose(number)
    if not number.isdigit():
        abort(404)
    service = stored_iri("id/provider", tpid, "target-group", target_group)
    iri = stored_iri(
        "id/provider", tpid, "target-group", target_group, kind.segment, *series, number
    )
    store = get_catalogue().store
    graph = decisions_graph(tpid).value
    triples = queries.construct(store, "authority_record", record=iri, graph=graph)
    if not any(_about(t) == iri for t in triples):
        abort(404)
    if fmt != "html":
        return rdf_response(triples, fmt)
    page = _page(iri, local_path(iri) or "", kind, service, triples)
    return Response(render_template("browse/authority_record.html", ctx=page))


@bp.get("/id/provider/<tpid>/target-group/<target_group>/decision/<number>")
def decision_record(tpid: str, target_group: str, number: str) -> Response:
    return _record(decisions.KIND, tpid, target_group, [], number)


@bp.get("/id/provider/<tpid>/target-group/<target_group>/assessment/<function>/<number>")
def assessment_record(tpid: str, target_group: str, function: str, number: str) -> Response:
    return _record(assessments.KIND, tpid, target_group, [function], number)
