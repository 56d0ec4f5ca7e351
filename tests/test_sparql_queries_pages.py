"""Named queries as pages: /queries/ lists them, /queries/<name> has a form from the declared
parameters and shows the results, also as .json (SPARQL JSON) and .csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from catalogue import Catalogue, queries


@pytest.fixture(scope="module")
def pages(knowledge_catalogue: Catalogue) -> FlaskClient:
    from webapp import create_app

    return create_app({"TESTING": True}, catalogue=knowledge_catalogue).test_client()


def html(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_index_lists_every_named_query_with_its_title(pages: FlaskClient) -> None:
    page = html(pages.get("/queries/?lang=en"))
    titles = {a.get_text() for a in page.select("dl.term-list dt a")}
    assert titles == {q.title_en for q in queries.registry().values()}


def test_query_page_has_a_form_from_the_parameters_and_a_results_table(
    pages: FlaskClient, knowledge_catalogue: Catalogue
) -> None:
    page = html(pages.get("/queries/ontology_term_relations?lang=en"))
    fields = {i["name"]: i for i in page.select("form.params input")}
    assert set(fields) == {"term", "lang"}
    assert fields["term"]["type"] == "url" and fields["term"].has_attr("required")
    assert fields["lang"]["value"] == "en"
    assert page.select("table.results") == []  # no term yet: nothing run

    term = "https://specialekatalog.example/ontology#Provider"
    page = html(pages.get("/queries/ontology_term_relations", query_string={"term": term}))
    expected = queries.run(
        knowledge_catalogue.store, "ontology_term_relations", term=term, lang="da"
    )
    assert len(page.select("table.results tbody tr")) == len(expected) > 0
    downloads = {a.get_text(): a["href"] for a in page.select(".downloads a")}
    assert set(downloads) == {"SPARQL JSON", "CSV"}

    as_json = pages.get(downloads["SPARQL JSON"]).get_json()
    as_csv = list(csv.DictReader(io.StringIO(pages.get(downloads["CSV"]).get_data(as_text=True))))
    assert len(as_json["results"]["bindings"]) == len(as_csv) == len(expected)
    assert as_json["head"]["vars"][:2] == ["term", "lang"]


def test_bad_parameter_values_are_explained_not_run(pages: FlaskClient) -> None:
    response = pages.get("/queries/ontology_term_relations", query_string={"term": "not an iri"})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    alert = page.select_one("[role=alert]")
    assert alert is not None and "Parameteren term skal være af typen iri" in alert.get_text()
    response = pages.get("/queries/ontology_term_relations.json", query_string={"term": "x y"})
    assert response.status_code == 400


def test_unknown_queries_are_404(pages: FlaskClient) -> None:
    assert pages.get("/queries/no_such_query").status_code == 404
    assert pages.get("/queries/no_such_query.csv").status_code == 404


# --- issue 14: spreadsheet formulas, pages of long answers, answers kept per store generation ---

SCHEME = "https://specialekatalog.example/vocab/hostile-scheme"
HOSTILE_LABELS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB"]


@pytest.fixture
def hostile() -> Iterator[FlaskClient]:
    from tests.conftest import memory_catalogue
    from webapp import create_app

    catalogue = memory_catalogue()
    skos = "http://www.w3.org/2004/02/skos/core#"
    graph = ox.NamedNode("https://specialekatalog.example/graph/provider/900102")
    quads = []
    for n, label in enumerate(HOSTILE_LABELS):
        concept = ox.NamedNode(f"{SCHEME}/c{n}")
        quads += [
            ox.Quad(concept, ox.NamedNode(skos + "inScheme"), ox.NamedNode(SCHEME), graph),
            ox.Quad(
                concept, ox.NamedNode(skos + "prefLabel"), ox.Literal(label, language="da"), graph
            ),
            ox.Quad(concept, ox.NamedNode(skos + "notation"), ox.Literal(f"-{n}"), graph),
        ]
    catalogue.store.add(quads)
    app = create_app({"TESTING": True}, catalogue=catalogue)
    yield app.test_client()
    app.extensions["sparql"].close()


def test_csv_cells_never_start_a_spreadsheet_formula(hostile: FlaskClient) -> None:
    response = hostile.get("/queries/browse_scheme.csv", query_string={"scheme": SCHEME})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(row["label"] for row in rows) == sorted("'" + label for label in HOSTILE_LABELS)
    assert all(row["notation"].startswith("'-") for row in rows)
    as_json = hostile.get("/queries/browse_scheme.json", query_string={"scheme": SCHEME}).json
    assert as_json is not None  # the JSON keeps the values exactly
    labels = {b["label"]["value"] for b in as_json["results"]["bindings"]}
    assert labels == set(HOSTILE_LABELS)


def test_long_answers_come_in_pages(hostile: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import webapp.queries

    monkeypatch.setattr(webapp.queries, "PAGE_ROWS", 2)
    seen = []
    url = f"/queries/browse_scheme.json?scheme={SCHEME}&lang=da"
    for _ in range(5):
        response = hostile.get(url)
        assert response.status_code == 200
        document = response.json
        assert document is not None
        seen += [b["concept"]["value"] for b in document["results"]["bindings"]]
        if "Link" not in response.headers:
            break
        url = response.headers["Link"].split(">")[0].lstrip("<")
    assert sorted(seen) == [f"{SCHEME}/c{n}" for n in range(len(HOSTILE_LABELS))]
    page = hostile.get(f"/queries/browse_scheme?scheme={SCHEME}&lang=da")
    assert 'rel="next"' in page.get_data(as_text=True)
    assert hostile.get(f"/queries/browse_scheme.json?scheme={SCHEME}&page=0").status_code == 400


def test_repeated_named_queries_are_answered_from_memory_until_the_store_changes(
    hostile: FlaskClient,
) -> None:
    url = f"/queries/browse_scheme.json?scheme={SCHEME}&lang=da"
    first = hostile.get(url)
    service = hostile.application.extensions["sparql"]
    pool = service._pool
    calls: list[object] = []
    original = pool.run

    def counted(request: dict[str, object], *args: object) -> object:
        calls.append(request)
        return original(request, *args)

    pool.run = counted
    assert hostile.get(url).get_data() == first.get_data()
    assert calls == []
    catalogue = hostile.application.extensions["catalogue"]
    catalogue.store.add(
        [
            ox.Quad(
                ox.NamedNode(f"{SCHEME}/c9"),
                ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme"),
                ox.NamedNode(SCHEME),
                ox.NamedNode("https://specialekatalog.example/graph/provider/900102"),
            )
        ]
    )
    changed = hostile.get(url)
    assert len(calls) == 1 and f"{SCHEME}/c9" in changed.get_data(as_text=True)
