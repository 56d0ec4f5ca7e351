"""A deployment under another BASE_IRI serves the same pages (URI-space mapping): the store keeps
the default base, pages look resources up by their stored IRI, RDF leaves with the public base."""

from __future__ import annotations

import pyoxigraph as ox
from flask.testing import FlaskClient

from catalogue import Catalogue, Settings
from webapp import create_app

PUBLIC = "https://data.example.dk/"


def _client(web_catalogue: Catalogue) -> FlaskClient:
    settings = Settings.from_env({"store": "memory", "base_iri": PUBLIC})
    return create_app(
        {"TESTING": True}, catalogue=Catalogue(settings, web_catalogue.store)
    ).test_client()


def test_pages_answer_under_another_base(web_catalogue: Catalogue) -> None:
    client = _client(web_catalogue)
    for path in ("/id/provider/100002", "/id/provider/100002/report"):
        assert client.get(path).status_code == 200, path


def test_rdf_carries_the_public_base(web_catalogue: Catalogue) -> None:
    response = _client(web_catalogue).get("/id/provider/100002", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    subjects = {t.subject for t in ox.parse(response.get_data(), ox.RdfFormat.TURTLE)}
    assert ox.NamedNode(PUBLIC + "id/provider/100002") in subjects
