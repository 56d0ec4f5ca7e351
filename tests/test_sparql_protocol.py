"""The SPARQL 1.1 Protocol at /sparql, spoken by real clients against the app under waitress:
SPARQLWrapper for SELECT, ASK and CONSTRUCT in every result format, rdflib's SPARQLStore, and
every protocol error case (4xx)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from catalogue import Catalogue, Settings
from catalogue.namespaces import GRAPH, VOCAB
from tests.conftest import serving
from webapp import create_app

SD = "http://www.w3.org/ns/sparql-service-description#"
LEVELS = VOCAB["level"]
LEVEL_QUERY = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?level ?label WHERE {{
  ?level skos:inScheme <{LEVELS}> ; skos:prefLabel ?label FILTER(LANG(?label) = "da")
}} ORDER BY ?level"""
LEVEL_CONSTRUCT = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {{ ?level skos:prefLabel ?label }} WHERE {{
  ?level skos:inScheme <{LEVELS}> ; skos:prefLabel ?label
}}"""
ASK_LEVEL = f"ASK {{ <{LEVELS}/hoej> ?p ?o }}"
ASK_NOTHING = "ASK { <urn:x:nothing> ?p ?o }"


@pytest.fixture(scope="module")
def endpoint(knowledge_catalogue: Catalogue) -> Iterator[str]:
    settings = Settings.from_env({"store": "memory", "sparql_timeout_s": "5"})
    app = create_app(catalogue=Catalogue(settings, knowledge_catalogue.store))
    with serving(app) as url:
        yield f"{url}/sparql"
    if "sparql" in app.extensions:
        app.extensions["sparql"].close()


@pytest.fixture(scope="module")
def expected_levels(knowledge_catalogue: Catalogue) -> dict[str, str]:
    rows = knowledge_catalogue.store.select(LEVEL_QUERY)
    assert len(rows) == 4
    return {row["level"].value: row["label"].value for row in rows}


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod("POST" if method != "GET" else "GET")
    if method == POSTDIRECTLY:
        client.setRequestMethod(POSTDIRECTLY)
    client.setTimeout(30)
    return client


METHODS = ["GET", POST, POSTDIRECTLY]


@pytest.mark.parametrize("method", METHODS)
def test_select_json(endpoint: str, expected_levels: dict[str, str], method: str) -> None:
    result = wrapper(endpoint, LEVEL_QUERY, JSON, method).queryAndConvert()
    got = {b["level"]["value"]: b["label"]["value"] for b in result["results"]["bindings"]}
    assert got == expected_levels


@pytest.mark.parametrize("method", METHODS)
def test_select_xml(endpoint: str, expected_levels: dict[str, str], method: str) -> None:
    document = wrapper(endpoint, LEVEL_QUERY, XML, method).queryAndConvert()
    ns = "{http://www.w3.org/2005/sparql-results#}"
    root = ET.fromstring(document.toxml())
    got = {}
    for result in root.iter(f"{ns}result"):
        values = {b.get("name"): "".join(b.itertext()).strip() for b in result.iter(f"{ns}binding")}
        got[values["level"]] = values["label"]
    assert got == expected_levels


def test_select_csv(endpoint: str, expected_levels: dict[str, str]) -> None:
    text = wrapper(endpoint, LEVEL_QUERY, CSV).queryAndConvert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["level", "label"]
    assert dict(rows[1:]) == expected_levels


def test_select_tsv(endpoint: str, expected_levels: dict[str, str]) -> None:
    text = wrapper(endpoint, LEVEL_QUERY, TSV).queryAndConvert().decode("utf-8")
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows[0] == ["?level", "?label"]
    assert dict(rows[1:]) == {f"<{k}>": f'"{v}"@da' for k, v in expected_levels.items()}


@pytest.mark.parametrize("method", METHODS)
def test_ask_json_and_xml(endpoint: str, method: str) -> None:
    assert wrapper(endpoint, ASK_LEVEL, JSON, method).queryAndConvert()["boolean"] is True
    assert wrapper(endpoint, ASK_NOTHING, JSON, method).queryAndConvert()["boolean"] is False
    document = wrapper(endpoint, ASK_LEVEL, XML, method).queryAndConvert()
    assert "true" in document.toxml()


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_ask_csv_and_tsv(endpoint: str, fmt: str) -> None:
    assert wrapper(endpoint, ASK_LEVEL, fmt).queryAndConvert().decode().strip() == "true"
    assert wrapper(endpoint, ASK_NOTHING, fmt).queryAndConvert().decode().strip() == "false"


def _levels_graph(knowledge_catalogue: Catalogue) -> Graph:
    graph = Graph()
    for triple in knowledge_catalogue.store.construct(LEVEL_CONSTRUCT):
        graph.add(
            (
                URIRef(triple.subject.value),
                SKOS.prefLabel,
                Literal(triple.object.value, lang=triple.object.language),
            )
        )
    return graph


def _parsed(data: bytes, parse_as: str) -> Graph:
    """rdflib parses Turtle and RDF/XML; JSON-LD is read with pyoxigraph (rdflib 7.6's JSON-LD
    parser only works through its deprecated ConjunctiveGraph)."""
    if parse_as != "json-ld":
        return Graph().parse(data=data, format=parse_as)
    graph = Graph()
    for quad in ox.parse(data, ox.RdfFormat.JSON_LD):
        lang = quad.object.language if isinstance(quad.object, ox.Literal) else None
        graph.add(
            (
                URIRef(quad.subject.value),
                URIRef(quad.predicate.value),
                Literal(quad.object.value, lang=lang),
            )
        )
    return graph


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("fmt", "parse_as"), [(TURTLE, "turtle"), (N3, "turtle"), (XML, "xml"), (JSONLD, "json-ld")]
)
def test_construct_in_each_format(
    endpoint: str, knowledge_catalogue: Catalogue, fmt: str, parse_as: str, method: str
) -> None:
    result = wrapper(endpoint, LEVEL_CONSTRUCT, fmt, method).query()
    graph = _parsed(result.response.read(), parse_as)
    assert len(graph) == 8
    assert set(graph) == set(_levels_graph(knowledge_catalogue))


def test_construct_as_ntriples_by_accept(endpoint: str, knowledge_catalogue: Catalogue) -> None:
    response = httpx.get(
        endpoint, params={"query": LEVEL_CONSTRUCT}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")
    graph = Graph().parse(data=response.text, format="nt")
    assert set(graph) == set(_levels_graph(knowledge_catalogue))


def test_describe(endpoint: str) -> None:
    response = httpx.get(
        endpoint, params={"query": f"DESCRIBE <{LEVELS}/hoej>"}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(f"{LEVELS}/hoej"), RDF.type, SKOS.Concept) in graph


def test_rdflib_sparqlstore(endpoint: str, expected_levels: dict[str, str]) -> None:
    store = SPARQLStore(endpoint, returnFormat="json")
    graph = Graph(store=store)
    rows = graph.query(LEVEL_QUERY)
    assert {str(row.level): str(row.label) for row in rows} == expected_levels
    assert graph.query(ASK_LEVEL).askAnswer is True
    constructed = graph.query(LEVEL_CONSTRUCT).graph
    assert len(constructed) == 8
    store.close()


def test_dataset_parameters_choose_the_graphs(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> }"

    def count(params: list[tuple[str, str]]) -> int:
        response = httpx.get(
            endpoint,
            params=[("query", query), *params],
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    everything = count([])
    levels_only = count([("default-graph-uri", f"{GRAPH}ontology/levels")])
    assert levels_only == 4 < everything
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{SKOS.Concept}> }} }}"
    response = httpx.post(
        endpoint,
        data={"query": named, "named-graph-uri": f"{GRAPH}ontology/levels"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == 4


def test_service_description(endpoint: str) -> None:
    response = httpx.get(endpoint, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    services = list(graph.subjects(RDF.type, URIRef(SD + "Service")))
    assert len(services) == 1
    # the configured base, not the address the request came to (its Host header is the client's)
    configured = URIRef(Settings.from_env({}).base_iri + "sparql")
    assert (services[0], URIRef(SD + "endpoint"), configured) in graph
    assert endpoint.split("/")[2] not in response.text
    assert (services[0], URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph


def test_cors_open_for_reads(endpoint: str) -> None:
    preflight = httpx.options(
        endpoint,
        headers={
            "Origin": "https://other.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    response = httpx.get(
        endpoint, params={"query": ASK_LEVEL}, headers={"Origin": "https://other.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_result_headers_flag_truncation(endpoint: str) -> None:
    response = httpx.get(
        endpoint,
        params={"query": LEVEL_QUERY},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.headers["x-result-truncated"] == "false"
    assert response.headers["x-result-rows"] == "4"


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("method", "params", "body", "content_type", "status"),
    [
        ("GET", [("query", "")], None, None, 400),
        ("GET", [("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")] * 2, None, None, 400),
        ("GET", [("query", "SELECT * WHERE { ?s ?p }")], None, None, 400),
        ("GET", [("query", "NOT SPARQL AT ALL")], None, None, 400),
        ("GET", [("update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")], None, None, 400),
        ("GET", [("query", "ASK {}"), ("update", "CLEAR ALL")], None, None, 400),
        ("GET", [("query", "ASK {}"), ("default-graph-uri", "not an iri")], None, None, 400),
        (
            "GET",
            [("query", "ASK {}"), ("named-graph-uri", "http://elsewhere.example/g")],
            None,
            None,
            400,
        ),
        ("POST", [], "update=CLEAR%20ALL", FORM, 400),
        ("POST", [], "query=ASK%20%7B%7D&query=ASK%20%7B%7D", FORM, 400),
        ("POST", [("query", "ASK {}")], "query=ASK%20%7B%7D", FORM, 400),
        ("POST", [("query", "ASK {}")], "ASK {}", "application/sparql-query", 400),
        ("POST", [], "CLEAR ALL", "application/sparql-update", 400),
        ("POST", [], "ASK {}", "text/plain", 415),
        ("POST", [], b"ASK { \xff }", "application/sparql-query", 400),
        ("PUT", [], "ASK {}", "application/sparql-query", 405),
        ("DELETE", [], None, None, 405),
    ],
)
def test_protocol_errors_are_4xx_with_a_message(
    endpoint: str,
    method: str,
    params: list[tuple[str, str]],
    body: str | bytes | None,
    content_type: str | None,
    status: int,
) -> None:
    headers = {"Accept": "application/sparql-results+json"}
    if content_type:
        headers["Content-Type"] = content_type
    response = httpx.request(method, endpoint, params=params, content=body, headers=headers)
    assert response.status_code == status
    assert response.text.strip()


def test_unacceptable_result_format_is_406(endpoint: str) -> None:
    response = httpx.get(endpoint, params={"query": LEVEL_QUERY}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_browser_gets_the_editor_with_a_results_table(endpoint: str) -> None:
    response = httpx.get(endpoint, params={"query": LEVEL_QUERY}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.count("<tr>") == 5
    assert "format=csv" in response.text
