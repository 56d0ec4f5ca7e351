"""No public route shows the private audit trail (issue 14, finding 2).

Every GET route of the app's URL map is called, with its path variables and its graph / resource /
IRI parameters pointing at private data (the audit graph, an editor, an audit activity), and every
named query with each of its IRI parameters set so. The audit records carry markers no visitor can
know (the activity's random IRI, an uploaded file's name, the activity's label); none of them may
appear in any answer. Both on the embedded store (public queries read a snapshot without private
graphs) and on a remote Oxigraph server, which holds the private graphs in the dataset it answers
from (there named queries that read them, or name private data, are refused).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue, queries
from catalogue.audit import AUDIT_GRAPH, Activity, UploadedFile, audited, editor_iri
from catalogue.editors import Editor
from catalogue.namespaces import BASE
from tests.conftest import OxigraphServer, memory_catalogue
from webapp import create_app

EDITOR = Editor("lars-tilsyn", "oest", "unused")
PROVIDER_GRAPH = ox.NamedNode(f"{BASE}graph/provider/900101")
SUBJECT = ox.NamedNode(f"{BASE}id/provider/900101")
FILE_NAME = "hemmelig-upload-7731.csv"
LABEL = "revisionsmarkoer-5521"
ACTIVITY = Activity(
    EDITOR,
    LABEL,
    LABEL,
    graphs=[PROVIDER_GRAPH],
    files=[UploadedFile.of(FILE_NAME, b"tpid\n900101\n")],
)
SECRET = ACTIVITY.iri.value.rsplit("/", 1)[1]  # the activity's random id
MARKERS = (SECRET.encode(), FILE_NAME.encode(), LABEL.encode())
PRIVATE_IRIS = (AUDIT_GRAPH.value, editor_iri(EDITOR).value)
PATH_VALUES = ("audit", "editor/lars-tilsyn", "lars-tilsyn", "graph/audit", "900101")
SAMPLE = {"integer": "1", "decimal": "1", "date": "2026-01-01", "boolean": "true"}


@pytest.fixture(
    scope="module",
    params=["embedded", pytest.param("remote", marks=[pytest.mark.remote, pytest.mark.slow])],
)
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    catalogue = memory_catalogue()
    triple = ox.Triple(SUBJECT, ox.NamedNode(f"{BASE}ontology#capacity"), ox.Literal("3"))
    with audited(catalogue.store, ACTIVITY):
        catalogue.store.replace_graphs({PROVIDER_GRAPH: [triple]})
    if request.param == "remote":  # the same data on the server
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        _empty(server)
        quads = list(catalogue.store.quads())
        catalogue.close()
        catalogue = Catalogue.open(server.settings())
        catalogue.store.add(quads)
    stored = b"".join(str(q).encode() for q in catalogue.store.quads(AUDIT_GRAPH))
    assert all(marker in stored for marker in MARKERS), "the audit trail lacks the markers"
    app = create_app({"TESTING": True}, catalogue=catalogue)
    yield app
    service = app.extensions.get("sparql")
    if service is not None:
        service.close()
    catalogue.close()
    if request.param == "remote":
        _empty(server)


def _empty(server: OxigraphServer) -> None:
    store = server.store()
    store.clear()
    store.close()


def _leaks(client: FlaskClient, url: str) -> list[str]:
    response = client.get(url, headers={"Accept": "text/html, text/turtle;q=0.9, */*;q=0.1"})
    body = response.get_data()
    response.close()
    assert response.status_code < 500, url
    return [url for marker in MARKERS if marker in body]


def _route_urls(app: Flask) -> Iterator[str]:
    names = ("graph", "resource", "iri", "uri", "subject", "provider")
    params = "&".join(f"{name}={PRIVATE_IRIS[0]}" for name in names)
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        variables = sorted(rule.arguments)
        if "name" in variables:
            continue  # the named queries: below, each with its own parameters
        for n in range(len(PATH_VALUES) if variables else 1):
            values = {}
            for variable in variables:
                choices = sorted(getattr(rule._converters[variable], "items", PATH_VALUES))
                values[variable] = choices[n % len(choices)]
            with app.test_request_context():
                path = rule.build(values, append_unknown=False)
            if path is not None:
                yield f"{path[1]}?{params}"
                yield f"{path[1]}?resource={PRIVATE_IRIS[1]}&graph={PRIVATE_IRIS[1]}"


def test_every_route_with_private_parameters_shows_no_audit_record(app: Flask) -> None:
    client = app.test_client()
    urls = list(_route_urls(app))
    assert len(urls) > 40, "the URL map was not enumerated"
    leaks = [leak for url in urls for leak in _leaks(client, url)]
    assert leaks == []


def _named_urls(query: queries.NamedQuery) -> Iterator[str]:
    iri_params = [p.name for p in query.params if p.type == "iri"]
    for private in PRIVATE_IRIS:
        args = {p.name: SAMPLE.get(p.type, "da") for p in query.params}
        args.update(dict.fromkeys(iri_params, private))
        text = "&".join(f"{k}={v}" for k, v in args.items())
        for suffix in ("", ".json", ".csv"):
            yield f"/queries/{query.name}{suffix}?{text}"


def test_every_named_query_with_private_parameters_shows_no_audit_record(app: Flask) -> None:
    client = app.test_client()
    named = [q for q in queries.registry().values() if any(p.type == "iri" for p in q.params)]
    assert named, "no named query takes an IRI"
    leaks = [leak for q in named for url in _named_urls(q) for leak in _leaks(client, url)]
    assert leaks == []
