"""The compliance report for people (print page, CSV, Turtle, JSON-LD) and the RDF twins of the
resource pages."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from catalogue import Catalogue
from webapp import create_app

SK = "https://specialekatalog.example/ontology#"
BASE = "https://specialekatalog.example/"


@pytest.fixture(scope="module")
def web(web_catalogue: Catalogue) -> FlaskClient:
    app: Flask = create_app({"TESTING": True}, catalogue=web_catalogue)
    return app.test_client()


def parsed(data: bytes, media_type: str) -> Graph:
    """Parse with the store's own parser (rdflib's JSON-LD parser warns under filterwarnings)."""
    triples = ox.parse(data, ox.RdfFormat.from_media_type(media_type))
    nt = ox.serialize((q.triple for q in triples), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=nt, format="nt")


def stored_graph(catalogue: Catalogue, name: str) -> Graph:
    data = ox.serialize(
        [q.triple for q in catalogue.store.quads(ox.NamedNode(BASE + name))],
        format=ox.RdfFormat.N_TRIPLES,
    )
    return Graph().parse(data=data, format="nt")


def test_report_page_groups_results_by_parameter(web: FlaskClient) -> None:
    soup = BeautifulSoup(web.get("/id/provider/100002/report").text, "html.parser")
    assert "Solsikkens Børnehus" in soup.h1.text
    captions = [c.text for c in soup.select("table.results caption")]
    assert captions == ["Praksiserfaring", "Uddannelsesmæssige kompetencer"]
    first = soup.select_one("table.results tbody tr")
    cells = [c.get_text(strip=True) for c in first.find_all(["th", "td"])]
    assert cells[:5] == [
        "Autismespektrum",
        "Højt specialiseret",
        "Praksiserfaring, højt specialiseret: andel med 3+ års erfaring",
        "2 af 9 medarbejdere har mindst 3 års erfaring med målgruppen; 5 kræves",
        "2",
    ]
    competence = soup.select("table.results")[1].select_one("tbody tr").find_all("td")
    assert competence[3].text == "Autismepædagogik"  # a concept value shows its label
    assert soup.select_one("table.checks time")["datetime"].startswith("2025-06-01")
    assert soup.select_one("script[src$='print.js']") and soup.select_one("button.print-button")
    assert {link["type"] for link in soup.select("link[rel=alternate]")} == {
        "text/csv",
        "text/turtle",
        "application/ld+json",
    }


def test_report_csv_has_a_row_per_parameter_and_level(web: FlaskClient) -> None:
    response = web.get("/id/provider/100002/report.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Målgruppe",
        "Afgjort indplacering",
        "Vejledende beregning",
        "Parameter",
        "Niveau",
        "Opfyldt",
        "Meddelelse",
        "Fundet værdi",
        "Krævet værdi",
    ]
    assert len(rows) == 1 + 8 * 3
    assert {r[1] for r in rows[1:]} == {"Ikke afgjort"}  # no decision in the fixture
    failing = [r for r in rows[1:] if r[5] == "nej"]
    assert [(r[3], r[4]) for r in failing] == [
        ("Praksiserfaring", "Højt specialiseret"),
        ("Uddannelsesmæssige kompetencer", "Højt specialiseret"),
    ]
    assert failing[0][6].startswith("2 af 9") and failing[0][7] == "2"
    assert failing[0][8] == "5", failing  # the threshold, the share of 9 made a count
    english = web.get("/id/provider/100002/report.csv?lang=en").text
    assert "Value found" in english and "no" in english


@pytest.mark.parametrize("ext", ["ttl", "jsonld"])
def test_report_downloads_are_the_stored_report_graph(
    web: FlaskClient, web_catalogue: Catalogue, ext: str
) -> None:
    response = web.get(f"/id/provider/100002/report.{ext}")
    assert response.status_code == 200
    downloaded = parsed(response.data, response.mimetype)
    assert isomorphic(downloaded, stored_graph(web_catalogue, "graph/report/100002"))


def test_report_of_unknown_provider_is_404(web: FlaskClient) -> None:
    for url in (
        "/id/provider/999/report",
        "/id/provider/999/report.ttl",
        "/id/provider/999/report.csv",
    ):
        assert web.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "accept", "subject"),
    [
        ("/id/provider/100001", "text/turtle", "id/provider/100001"),
        ("/id/provider/100001.ttl", None, "id/provider/100001"),
        ("/id/speciality/autisme", "application/ld+json", "id/speciality/autisme"),
        (
            "/id/specialty-function/autisme-boern-udfordrende-adfaerd.nt",
            None,
            "id/specialty-function/autisme-boern-udfordrende-adfaerd",
        ),
        (
            "/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
            "application/rdf+xml",
            "vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
        ),
    ],
)
def test_resource_pages_answer_rdf_when_asked(
    web: FlaskClient, url: str, accept: str | None, subject: str
) -> None:
    response = web.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and "Accept" in response.headers["Vary"]
    graph = parsed(response.data, response.mimetype)
    assert (URIRef(BASE + subject), None, None) in graph


def test_provider_rdf_is_its_whole_record(web: FlaskClient, web_catalogue: Catalogue) -> None:
    response = web.get("/id/provider/100001", headers={"Accept": "text/turtle"})
    graph = parsed(response.data, response.mimetype)
    assert isomorphic(graph, stored_graph(web_catalogue, "graph/provider/100001"))
    assert (None, URIRef(SK + "dutyToAdvise"), None) in graph


def test_html_pages_link_their_machine_readable_forms(web: FlaskClient) -> None:
    soup = BeautifulSoup(web.get("/id/provider/100001").text, "html.parser")
    alternates = {link["type"]: link["href"] for link in soup.select("link[rel=alternate]")}
    assert alternates["text/turtle"] == "/id/provider/100001.ttl"
    assert alternates["application/ld+json"] == "/id/provider/100001.jsonld"
    visible = [a["href"] for a in soup.select(".machine-readable a")]
    assert "/id/provider/100001.ttl" in visible
    assert web.get("/id/provider/100001", headers={"Accept": "image/png"}).status_code == 406
