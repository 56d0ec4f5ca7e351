"""Named queries as pages: /queries/ lists them, /queries/<name> has a form from the declared
parameters and shows the results, also as .json (SPARQL JSON) and .csv."""

from __future__ import annotations

import csv
import io

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
    page = html(pages.get("/queries/ontology_term_relations", query_string={"term": "not an iri"}))
    assert "not a valid iri" in page.select_one("[role=alert]").get_text()
    response = pages.get("/queries/ontology_term_relations.json", query_string={"term": "x y"})
    assert response.status_code == 400


def test_unknown_queries_are_404(pages: FlaskClient) -> None:
    assert pages.get("/queries/no_such_query").status_code == 404
    assert pages.get("/queries/no_such_query.csv").status_code == 404
