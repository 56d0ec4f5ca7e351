"""webapp.negotiation: choosing a format, Vary, the RDF answer and the URI-space mapping."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask import Flask, request

from catalogue.namespaces import BASE
from catalogue.publish import UriSpace
from webapp import uri_space
from webapp.negotiation import (
    FORMATS,
    RESOURCE_FORMATS,
    negotiate,
    not_acceptable,
    rdf_response,
    split_extension,
)

SUBJECT = ox.NamedNode(BASE + "id/provider/1")
LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
TRIPLES = [ox.Triple(SUBJECT, LABEL, ox.Literal('Bostedet "Kastanjen" <æøå>', language="da"))]


def make_app(base: str = BASE) -> Flask:
    app = Flask(__name__)
    uri_space.init_app(app, UriSpace(base))

    @app.get("/r/<path:rest>")
    def resource(rest: str):  # type: ignore[no-untyped-def]
        _, ext = split_extension(rest)
        fmt = negotiate(request, RESOURCE_FORMATS, extension=ext)
        if fmt is None:
            return not_acceptable(RESOURCE_FORMATS)
        if fmt == "html":
            return "<p>page</p>"
        return rdf_response(TRIPLES, fmt)

    return app


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("application/x-turtle", "text/turtle"),
    ],
)
def test_accept_chooses_the_format_and_varies(accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = make_app().test_client().get("/r/x", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == expected
    assert "Accept" in response.vary


def test_unacceptable_gives_406_with_vary() -> None:
    response = make_app().test_client().get("/r/x", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert "Accept" in response.vary


@pytest.mark.parametrize(
    ("ext", "fmt"), [("ttl", "turtle"), ("jsonld", "jsonld"), ("rdf", "rdfxml"), ("nt", "ntriples")]
)
def test_extension_wins_over_accept_and_round_trips(ext: str, fmt: str) -> None:
    response = make_app().test_client().get(f"/r/x.{ext}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    parsed = ox.parse(response.get_data(), FORMATS[fmt].rdf)
    assert [quad.triple for quad in parsed] == TRIPLES


def test_split_extension_keeps_unknown_extensions() -> None:
    assert split_extension("id/provider/1.ttl") == ("id/provider/1", "turtle")
    assert split_extension("id/provider/1.exe") == ("id/provider/1.exe", None)
    assert split_extension("vocab/a.b/c") == ("vocab/a.b/c", None)


def test_uri_space_mapping_publishes_the_deployment_base() -> None:
    app = make_app("https://data.example.dk/katalog/")
    response = app.test_client().get("/r/x.nt")
    body = response.get_data(as_text=True)
    assert "<https://data.example.dk/katalog/id/provider/1>" in body
    assert BASE not in body
