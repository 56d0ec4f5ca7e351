"""Resource pages are their resources' URIs: the same path answers HTML to a browser and RDF to a
client that asks for it (by ``Accept`` or an explicit extension such as ``.ttl``)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, abort, request

from catalogue import queries
from webapp.catalogue_ext import get_catalogue
from webapp.negotiation import (
    RESOURCE_FORMATS,
    negotiate,
    not_acceptable,
    rdf_response,
    serialize,
    split_extension,
)

# Every "<", ">" and "&" in JSON text sits inside a string, where \u escapes mean the same; so the
# escaped text is the same JSON and can never close the <script> element it is embedded in.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def choose(key: str) -> tuple[str, str]:
    """The key without its format extension, and the format this request gets."""
    stem, extension = split_extension(key, RESOURCE_FORMATS)
    fmt = negotiate(request, RESOURCE_FORMATS, extension=extension)
    if fmt is None:
        abort(not_acceptable(RESOURCE_FORMATS))
    return stem, fmt


def describe(iri: str) -> list[ox.Triple]:
    return queries.construct(get_catalogue().store, "browse_describe", resource=iri)


def graph_triples(graph_iri: str) -> list[ox.Triple]:
    return queries.construct(get_catalogue().store, "browse_describe_graph", graph=graph_iri)


def embedded_jsonld(iri: str, graph_iri: str | None = None) -> str:
    """The resource as JSON-LD, safe to put inside ``<script type="application/ld+json">``."""
    triples = graph_triples(graph_iri) if graph_iri else describe(iri)
    return serialize(triples, "jsonld").decode("utf-8").translate(_SCRIPT_SAFE)


def description(iri: str, fmt: str) -> Response:
    """Every statement about ``iri`` in ``fmt``; 404 when there are none."""
    triples = describe(iri)
    if not triples:
        abort(404)
    return rdf_response(triples, fmt)


def graph(graph_iri: str, fmt: str) -> Response:
    """The content of one named graph (a provider's record) in ``fmt``; 404 when empty."""
    triples = graph_triples(graph_iri)
    if not triples:
        abort(404)
    return rdf_response(triples, fmt)
