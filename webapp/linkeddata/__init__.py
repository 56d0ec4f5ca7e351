"""Dereferenceable URIs: ``/ontology``, ``/ontology/<term>``, ``/vocab/...``, ``/id/...``,
``/shapes/...`` and ``/graph/...`` answer HTML to a browser and Turtle, JSON-LD, RDF/XML or
N-Triples by ``Accept`` or by an explicit extension, with ``Vary: Accept`` and 406 otherwise.

Resources with a page of their own in the browse pages (providers, specialer, specialfunktioner,
target groups) are served there: those routes are more specific and win. This blueprint documents
the ontology and answers for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from catalogue import queries
from catalogue.namespaces import BASE, GRAPH, SK, is_private
from webapp.browse import links
from webapp.browse.resource import choose, describe, graph_triples
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language
from webapp.linkeddata import documentation
from webapp.linkeddata.documentation import Concept, Scheme, Statement
from webapp.negotiation import rdf_response, serialize

bp = Blueprint("linkeddata", __name__, template_folder="../templates")


def visible_iri(*segments: str) -> str:
    """The stored IRI for a request path (its segments checked, 404 for odd or private ones)."""
    iri = links.stored_iri(*segments)
    if is_private(iri):
        abort(404)
    return iri


@dataclass(frozen=True)
class SchemePage:
    scheme: Scheme
    concepts: list[Concept]
    statements: list[Statement]
    path: str


@dataclass(frozen=True)
class ShapesPage:
    stem: str
    shape_names: list[str]
    turtle: str
    path: str
    iri: str


@dataclass(frozen=True)
class ResourcePage:
    iri: str
    label: str
    statements: list[Statement]
    path: str


def _label(triples: list[ox.Triple], fallback: str) -> str:
    lang = current_language()
    labels = {
        t.object.language: t.object.value
        for t in triples
        if isinstance(t.object, ox.Literal)
        and t.predicate.value.endswith(("#prefLabel", "#label", "/title"))
    }
    return labels.get(lang) or labels.get("da") or next(iter(labels.values()), fallback)


def resource_response(
    iri: str, fmt: str, path: str, triples: list[ox.Triple] | None = None
) -> Response:
    """The resource in ``fmt``: its statements as RDF, or as a page (404 when there are none)."""
    triples = describe(iri) if triples is None else triples
    if not triples:
        abort(404)
    if fmt != "html":
        return rdf_response(triples, fmt)
    page = ResourcePage(
        iri, _label(triples, documentation.compact(iri)), documentation.statements(triples), path
    )
    return Response(render_template("linkeddata/resource.html", ctx=page))


@bp.get("/ontology")
@bp.get("/ontology.<any(ttl, jsonld, rdf, nt):ext>")
def ontology(ext: str | None = None) -> Response:
    _, fmt = choose(f"ontology.{ext}" if ext else "ontology")
    store = get_catalogue().store
    if fmt != "html":
        return rdf_response(graph_triples(f"{GRAPH}ontology/model"), fmt)
    context = documentation.index(store, current_language())
    return Response(render_template("linkeddata/ontology.html", ctx=context))


@bp.get("/ontology/<name>")
def term(name: str) -> Response:
    name, fmt = choose(name)
    if fmt != "html":
        return resource_response(f"{SK}{name}", fmt, request.path)
    page = documentation.term_page(get_catalogue().store, name, current_language())
    if page is None:
        abort(404)
    return Response(render_template("linkeddata/term.html", ctx=page))


def _scheme_or_resource(iri: str, fmt: str, path: str) -> Response:
    """A concept scheme answers with its concepts (page or RDF); anything else as a resource."""
    store = get_catalogue().store
    lang = current_language()
    found = next((s for s in documentation.schemes(store, lang) if s.iri == iri), None)
    if found is None:
        return resource_response(iri, fmt, path)
    if fmt != "html":
        return rdf_response(queries.construct(store, "concept_scheme_statements", scheme=iri), fmt)
    return Response(
        render_template(
            "linkeddata/scheme.html",
            ctx=SchemePage(
                found,
                documentation.scheme_concepts(store, iri, lang),
                documentation.statements(describe(iri)),
                path,
            ),
        )
    )


@bp.get("/vocab/<scheme>")
def scheme(scheme: str) -> Response:
    slug, fmt = choose(scheme)
    return _scheme_or_resource(visible_iri("vocab", slug), fmt, f"/vocab/{slug}")


@bp.get("/vocab/<scheme>/<code>")
def concept(scheme: str, code: str) -> Response:
    code, fmt = choose(code)
    return resource_response(visible_iri("vocab", scheme, code), fmt, f"/vocab/{scheme}/{code}")


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    rest, fmt = choose(rest)
    return _scheme_or_resource(visible_iri("id", *rest.split("/")), fmt, f"/id/{rest}")


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """A named graph: its content as RDF; in HTML, its description (source file, hash)."""
    rest, fmt = choose(rest)
    iri = visible_iri("graph", *rest.split("/"))
    if fmt != "html":
        content = graph_triples(iri)
        if not content:
            abort(404)
        return rdf_response(content, fmt)
    return resource_response(iri, fmt, f"/graph/{rest}")


@bp.get("/shapes/<path:stem>")
def shapes(stem: str) -> Response:
    """A SHACL file (its shapes are ``{base}shapes/{stem}#{Name}``): the whole graph."""
    stem, fmt = choose(stem)
    triples = graph_triples(visible_iri("graph", "shapes", *stem.split("/")))
    if not triples:
        abort(404)
    if fmt != "html":
        return rdf_response(triples, fmt)
    prefix = f"{BASE}shapes/{stem}#"
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    names = sorted(s for s in subjects if s.startswith(prefix))
    return Response(
        render_template(
            "linkeddata/shapes.html",
            ctx=ShapesPage(
                stem,
                [n[len(prefix) :] for n in names],
                serialize(triples, "turtle").decode("utf-8"),
                f"/shapes/{stem}",
                f"{BASE}shapes/{stem}",
            ),
        )
    )
