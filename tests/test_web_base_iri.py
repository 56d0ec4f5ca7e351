"""A deployment under another BASE_IRI (URI-space mapping, ``catalogue/publish.py``): the store
keeps the default base; every way out of the web app carries the public base and none carries the
default one; a client that knows only public IRIs finds the stored resources."""

from __future__ import annotations

import gzip
import json
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from catalogue import Catalogue, Settings
from catalogue.namespaces import BASE
from webapp import create_app

PUBLIC = "https://data.example.org/sk/"
PROVIDER = "id/provider/100002"
DEFAULT_FORMS = (BASE, quote(BASE, safe=""), quote(BASE, safe=":/"))
PAGES_TO_CRAWL = 30


def _clean(body: bytes, where: str) -> None:
    for form in DEFAULT_FORMS:
        assert form.encode() not in body, f"{where} carries the default base ({form})"


@pytest.fixture(scope="module")
def client(web_catalogue: Catalogue) -> FlaskClient:
    settings = Settings.from_env({"store": "memory", "base_iri": PUBLIC})
    app = create_app({"TESTING": True}, catalogue=Catalogue(settings, web_catalogue.store))
    return app.test_client()


def test_pages_answer_under_another_base(client: FlaskClient) -> None:
    for path in (f"/{PROVIDER}", f"/{PROVIDER}/report"):
        response = client.get(path)
        assert response.status_code == 200, path
        _clean(response.get_data(), path)


def test_no_page_reached_from_home_carries_the_default_base(client: FlaskClient) -> None:
    seen: set[str] = set()
    queue = ["/", f"/{PROVIDER}", "/queries/"]
    while queue and len(seen) < PAGES_TO_CRAWL:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        _clean(response.get_data(), path)
        for link in BeautifulSoup(response.text, "html.parser").select("a[href]"):
            href = urlsplit(link["href"])
            if not href.netloc and href.path.startswith("/") and not href.path.startswith("/-/"):
                queue.append(href.path)
    assert len(seen) >= 10, "the crawl reached too few pages to mean anything"


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_rdf_carries_the_public_base(client: FlaskClient, accept: str) -> None:
    response = client.get(f"/{PROVIDER}", headers={"Accept": accept})
    assert response.status_code == 200
    _clean(response.get_data(), accept)
    fmt = ox.RdfFormat.from_media_type(accept)
    assert fmt is not None
    subjects = {q.subject for q in ox.parse(response.get_data(), fmt)}
    assert ox.NamedNode(PUBLIC + PROVIDER) in subjects


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "csv"])
def test_report_downloads_carry_the_public_base(client: FlaskClient, ext: str) -> None:
    response = client.get(f"/{PROVIDER}/report.{ext}")
    assert response.status_code == 200
    _clean(response.get_data(), f"report.{ext}")
    if ext != "csv":
        assert PUBLIC.encode() in response.get_data()


def test_named_query_results_and_construct(client: FlaskClient) -> None:
    public = PUBLIC + PROVIDER
    page = client.get("/queries/browse_describe", query_string={"resource": public})
    assert page.status_code == 200
    _clean(page.get_data(), "/queries CONSTRUCT page")
    assert f"&lt;{public}&gt;" in page.text or public in page.text  # found by its public IRI
    listing = client.get("/queries/example_providers.json")
    if listing.status_code == 200:
        _clean(listing.get_data(), "/queries results")


def test_sparql_answers_and_inbound_iris(client: FlaskClient) -> None:
    select = f"SELECT ?p ?o WHERE {{ <{PUBLIC}{PROVIDER}> ?p ?o }}"
    answer = client.get(
        "/sparql",
        query_string={"query": select},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200
    _clean(answer.get_data(), "/sparql SELECT")
    assert json.loads(answer.get_data())["results"]["bindings"], "a public IRI found nothing"
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{PUBLIC}{PROVIDER}>) }}"
    graph = client.post("/sparql", data={"query": construct}, headers={"Accept": "text/turtle"})
    assert graph.status_code == 200
    _clean(graph.get_data(), "/sparql CONSTRUCT")
    assert PUBLIC.encode() in graph.get_data()


def test_void_dcat_and_dumps(client: FlaskClient) -> None:
    for path in ("/.well-known/void", "/catalog.ttl", "/sparql"):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200, path
        _clean(response.get_data(), path)
        assert PUBLIC.encode() in response.get_data(), path
    for name in ("catalogue.nq.gz", "catalogue.trig"):
        response = client.get(f"/-/dumps/{name}")
        assert response.status_code == 200
        body = response.get_data()
        body = gzip.decompress(body) if name.endswith(".gz") else body
        _clean(body, name)
        fmt = ox.RdfFormat.N_QUADS if ".nq" in name else ox.RdfFormat.TRIG
        assert ox.NamedNode(PUBLIC + PROVIDER) in {q.subject for q in ox.parse(body, fmt)}
        response.close()
