"""An authority record's IRI is a linked-data resource: a placement decision and a competence
assessment answer HTML to a browser and RDF by Accept or extension, from the provider's graph of
records only (the audit trail stays private), with their history (replaced, withdrawn)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from catalogue import Catalogue, assessments, decisions
from catalogue.compliance import check
from catalogue.editors import Editor
from catalogue.namespaces import BASE, PROV, SK
from tests.conftest import memory_catalogue
from tests.test_assessments import _new as new_assessment
from tests.test_planning import FUNCTION, provider, service_of
from webapp import create_app


@pytest.fixture(scope="module")
def recorded() -> Iterator[tuple[FlaskClient, list[ox.NamedNode], ox.NamedNode]]:
    catalogue = memory_catalogue()
    catalogue.store.oxigraph.extend(provider("960001"))
    list(check(catalogue.store))
    store = catalogue.store
    found = decisions.basis(store, service_of("960001"), "da")
    assert found is not None and found.authority is not None
    editor = Editor("lars", "oest", "unused")
    level = found.computed.iri if found.computed else None
    made = []
    for reason in ("Første vurdering", "Anden vurdering"):
        new = decisions.NewDecision(
            found.service, level, found.authority.iri, new_assessment().on, reason, "2"
        )
        made.append(decisions.record(store, new, found, editor))
    withdrawn, problems = decisions.withdraw(
        store, found, found.authority.iri, "Fejl i grundlaget", editor
    )
    assert withdrawn == made[1] and problems == []
    assessment = assessments.record(store, new_assessment(), found, editor)
    app = create_app({"TESTING": True}, catalogue=Catalogue(catalogue.settings, store))
    yield app.test_client(), made, assessment
    catalogue.close()


def _path(iri: ox.NamedNode) -> str:
    return "/" + iri.value[len(BASE) :]


def test_a_decision_iri_answers_rdf_from_the_public_graph_only(
    recorded: tuple[FlaskClient, list[ox.NamedNode], ox.NamedNode],
) -> None:
    client, (first, second), _ = recorded
    answer = client.get(_path(first), headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    assert "Accept" in answer.headers["Vary"]
    triples = list(ox.parse(answer.data, format=ox.RdfFormat.TURTLE, base_iri=BASE))
    about = {(t.subject.value, t.predicate.value) for t in triples}  # type: ignore[union-attr]
    assert (first.value, f"{SK}overallAssessment") in about
    assert (first.value, f"{PROV}invalidatedAtTime") in about  # replaced
    assert (second.value, f"{PROV}wasRevisionOf") in about  # by the second
    assert (first.value, f"{PROV}wasGeneratedBy") not in about  # the audit graph is private
    assert "id/editor/" not in answer.text and "foaf:name" not in answer.text
    by_extension = client.get(_path(first) + ".nt")
    assert by_extension.status_code == 200 and by_extension.mimetype == "application/n-triples"
    assert client.get(_path(first) + ".jsonld").status_code == 200


def test_a_decision_iri_answers_a_page_with_its_status(
    recorded: tuple[FlaskClient, list[ox.NamedNode], ox.NamedNode],
) -> None:
    client, (first, second), _ = recorded
    page = client.get(_path(first), headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = BeautifulSoup(page.text, "html.parser")
    assert html.h1 is not None and html.h1.get_text().startswith("Indplaceringsafgørelse: ")
    status = html.select_one(".record-status")
    assert status is not None and "Erstattet af" in status.get_text()
    assert status.a is not None and status.a["href"] == _path(second)
    assert "Første vurdering" in page.text
    alternates = {link["type"] for link in html.select("link[rel=alternate]")}
    assert "text/turtle" in alternates
    withdrawn = client.get(_path(second) + "?lang=en").text
    assert "Withdrawn: Fejl i grundlaget" in withdrawn


def test_an_assessment_iri_answers_with_its_ratings(
    recorded: tuple[FlaskClient, list[ox.NamedNode], ox.NamedNode],
) -> None:
    client, _, assessment = recorded
    rdf = client.get(_path(assessment), headers={"Accept": "application/n-triples"})
    assert rdf.status_code == 200
    triples = list(ox.parse(rdf.data, format=ox.RdfFormat.N_TRIPLES))
    ratings = {t.object for t in triples if t.predicate == ox.NamedNode(f"{SK}rating")}
    assert len(ratings) == 5
    assert {t.subject for t in triples if t.predicate.value == f"{SK}ratingValue"} == ratings
    page = BeautifulSoup(client.get(_path(assessment)).text, "html.parser")
    assert page.select_one(".record-status") is not None
    assert len(page.select("#parts ~ h3, section[aria-labelledby=parts] h3")) == 5
    assert FUNCTION.iri.rsplit("/", 1)[-1] in _path(assessment)


def test_unknown_or_odd_record_iris_are_not_found(
    recorded: tuple[FlaskClient, list[ox.NamedNode], ox.NamedNode],
) -> None:
    client, (first, _), _ = recorded
    assert client.get(_path(first)[:-1] + "9").status_code == 404
    assert client.get(_path(first)[:-1] + "x").status_code == 404
    other = _path(first).replace("960001", "960009")
    assert client.get(other).status_code == 404
    assert client.get(_path(first), headers={"Accept": "image/png"}).status_code == 406
