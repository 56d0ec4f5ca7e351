"""/catalog conforms to DCAT-AP-DK 2.0.2: zero violations with the official shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from catalogue import Catalogue

SHAPES_DIR = Path(__file__).resolve().parent / "data" / "dcat-ap-dk"  # vendored: see SOURCE.md


@pytest.fixture(scope="module")
def catalog_client(knowledge_catalogue: Catalogue) -> FlaskClient:
    from webapp import create_app

    return create_app({"TESTING": True}, catalogue=knowledge_catalogue).test_client()


@pytest.fixture(scope="module")
def catalog_graph(catalog_client: FlaskClient) -> Graph:
    response = catalog_client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


@pytest.mark.parametrize(
    "shapes_file", ["dcat-ap-dk_2.0.2_shacl_shapes.ttl", "dcat-ap-dk_2.0.2_shacl_shapes-strict.ttl"]
)
def test_catalog_conforms_to_dcat_ap_dk(catalog_graph: Graph, shapes_file: str) -> None:
    shapes = Graph().parse(SHAPES_DIR / shapes_file, format="turtle")
    conforms, _, text = validate(catalog_graph, shacl_graph=shapes)
    assert conforms, text


def test_the_shapes_would_see_a_catalogue_without_a_title(catalog_graph: Graph) -> None:
    """The check can fail: the same catalogue without its dct:title violates the normal shapes."""
    broken = Graph()
    for triple in catalog_graph:
        broken.add(triple)
    catalogue = next(broken.subjects(RDF.type, DCAT.Catalog))
    broken.remove((catalogue, DCTERMS.title, None))
    shapes = Graph().parse(SHAPES_DIR / "dcat-ap-dk_2.0.2_shacl_shapes.ttl", format="turtle")
    conforms, report, _ = validate(broken, shacl_graph=shapes)
    assert not conforms
    assert (None, SH.resultPath, DCTERMS.title) in report


def test_catalog_lists_the_whole_catalogue_and_every_knowledge_file(
    catalog_graph: Graph, knowledge_catalogue: Catalogue
) -> None:
    (catalog,) = catalog_graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(catalog_graph.objects(catalog, DCAT.dataset))
    knowledge = {g.value for g in knowledge_catalogue.store.graph_names()}
    assert URIRef("https://specialekatalog.example/id/dataset/catalogue") in datasets
    assert {str(d) for d in datasets} - {
        "https://specialekatalog.example/id/dataset/catalogue"
    } <= knowledge
    assert len(datasets) > 10
    services = set(catalog_graph.objects(catalog, DCAT.service))
    endpoint = {str(u) for s in services for u in catalog_graph.objects(s, DCAT.endpointURL)}
    assert endpoint == {"https://specialekatalog.example/sparql"}


def test_catalog_in_every_graph_format(catalog_client: FlaskClient, catalog_graph: Graph) -> None:
    for ext, parse_as in (("nt", "nt"), ("rdf", "xml")):
        response = catalog_client.get(f"/catalog.{ext}")
        assert response.status_code == 200
        assert len(Graph().parse(data=response.get_data(), format=parse_as)) == len(catalog_graph)


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_catalogue_as_a_page(catalog_client: FlaskClient) -> None:
    from bs4 import BeautifulSoup

    response = catalog_client.get("/catalog", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html["lang"] == "da" and page.title.get_text(strip=True)
    assert page.h1.get_text(strip=True) == "Specialekatalog"
    assert page.select("table.terms tbody tr"), "the catalogue's statements are listed"
    turtle = {link["href"] for link in page.select("link[rel=alternate]")}
    assert "/catalog.ttl" in turtle


def test_a_client_that_names_no_format_gets_turtle(catalog_client: FlaskClient) -> None:
    assert catalog_client.get("/catalog").mimetype == "text/turtle"
    assert catalog_client.get("/catalog", headers={"Accept": "*/*"}).mimetype == "text/turtle"
