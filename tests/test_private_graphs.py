"""The audit trail names editors: it never reaches the public SPARQL endpoint, the dumps or the
resource URIs (only signed-in editors read it, on the history page)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from catalogue import Catalogue
from catalogue.audit import AUDIT_GRAPH, Activity, audited
from catalogue.editors import Editor
from catalogue.namespaces import BASE
from catalogue.sparql import QueryService
from webapp import create_app

EDITOR = Editor("lars-tilsyn", "oest", "unused")
PROVIDER_GRAPH = ox.NamedNode(f"{BASE}graph/provider/900101")
SUBJECT = ox.NamedNode(f"{BASE}id/provider/900101")


@pytest.fixture
def audited_catalogue(catalogue: Catalogue) -> Catalogue:
    triple = ox.Triple(SUBJECT, ox.NamedNode(f"{BASE}ontology#capacity"), ox.Literal("3"))
    with audited(catalogue.store, Activity(EDITOR, "import", "import", graphs=[PROVIDER_GRAPH])):
        catalogue.store.replace_graphs({PROVIDER_GRAPH: [triple]})
    assert list(catalogue.store.quads(AUDIT_GRAPH)), "the audit trail was not written"
    return catalogue


@pytest.fixture
def public(audited_catalogue: Catalogue) -> Iterator[FlaskClient]:
    yield create_app({"TESTING": True}, catalogue=audited_catalogue).test_client()


def test_public_queries_do_not_see_the_audit_trail(audited_catalogue: Catalogue) -> None:
    service = QueryService(audited_catalogue)
    try:
        for text in (
            'ASK { ?s ?p "lars-tilsyn" }',
            f"ASK {{ GRAPH <{AUDIT_GRAPH.value}> {{ ?s ?p ?o }} }}",
            "ASK { ?a a <http://www.w3.org/ns/prov#Person> }",
        ):
            assert b'"boolean": false' in service.run(service.check(text), "json").body, text
        visible = service.check(f"ASK {{ <{SUBJECT.value}> ?p ?o }}")
        assert b'"boolean": true' in service.run(visible, "json").body
    finally:
        service.close()


def test_dumps_leave_out_the_audit_trail(public: FlaskClient) -> None:
    response = public.get("/-/dumps/catalogue.nq.gz")
    assert response.status_code == 200
    data = gzip.decompress(response.get_data())
    response.close()
    assert b"lars-tilsyn" not in data and AUDIT_GRAPH.value.encode() not in data
    assert SUBJECT.value.encode() in data


@pytest.mark.parametrize("path", ["/graph/audit", "/id/editor/lars-tilsyn"])
def test_private_resources_are_not_dereferenceable(public: FlaskClient, path: str) -> None:
    assert public.get(path, headers={"Accept": "text/turtle"}).status_code == 404
