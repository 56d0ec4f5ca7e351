"""The lexical query guard, and injection through the app's own parametrised queries (A8)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.sparql.guard import Limits, QueryRefused, check
from tests.conftest import examples

LIMITS = Limits(max_bytes=32768, max_depth=64)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://ex.org/> ASK { ?s ex:service ?o }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("BASE <http://x/> DESCRIBE <a>", "DESCRIBE"),
        ('SELECT * WHERE { ?s ?p "SERVICE LOAD { { { ((( #" }', "SELECT"),
        ("SELECT * WHERE { ?s <http://x/SERVICE> ?service } # SERVICE <http://x>", "SELECT"),
        (
            "SELECT ?load ?drop WHERE { ?load ?drop ?insert FILTER(?load < 3 && ?drop > 1) }",
            "SELECT",
        ),
        ('SELECT * WHERE { ?s ?p """multi\nline { ( [ SERVICE"""@da }', "SELECT"),
        (
            "SELECT * FROM <https://specialekatalog.example/graph/ontology/levels> "
            "WHERE { ?s ?p ?o }",
            "SELECT",
        ),
    ],
)
def test_accepts_harmless_queries(query: str, form: str) -> None:
    assert check(query, LIMITS).form == form


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "SELECT * WHERE { SERVICE <http://x> { } }",
        "SELECT * WHERE { service <http://x> { } }",
        "SELECT * WHERE { \\u0053ERVICE <http://x> { } }",
        'SELECT * WHERE { ?s ?p "\\u0022" SERVICE <http://x> {} }',
        "LOAD <http://x>",
        "INSERT DATA { <a:a> <a:b> <a:c> }",
        "SELECT * FROM <http://elsewhere.example/g> WHERE { ?s ?p ?o }",
        "SELECT * FROM <graph/relative> WHERE { ?s ?p ?o }",
        "SELECT * FROM unknown:prefix WHERE { ?s ?p ?o }",
        "SELECT * WHERE " + "{" * 65 + "}" * 65,
        "SELECT * WHERE { " + "x" * 40000 + " }",
        "no query form here",
    ],
)
def test_refuses(query: str) -> None:
    with pytest.raises(QueryRefused):
        check(query, LIMITS)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("{}()[]<>\"'#\\u0053ERVICE?$:. \n\tselect")), max_size=300
    )
)
def test_never_fails_otherwise_on_any_text(text: str) -> None:
    try:
        check(text, LIMITS)
    except QueryRefused:
        pass


INJECTION = st.lists(
    st.sampled_from(list("\"'}{#\n\\<>.;?$ ()") + ["\\u0022", "da", "en", " UNION ", "x"]),
    max_size=20,
).map("".join)


@pytest.fixture(scope="module")
def page_client(knowledge_catalogue):  # type: ignore[no-untyped-def]
    from webapp import create_app

    return create_app({"TESTING": True}, catalogue=knowledge_catalogue).test_client()


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=INJECTION)
def test_named_query_parameters_are_bound_not_formatted(
    page_client: FlaskClient, value: str
) -> None:
    """A8: whatever the value, the result is what the query means for that value as a literal:
    schemes labelled in that language if it is one, otherwise in Danish (the fallback)."""
    got = page_client.get("/queries/concept_schemes.json", query_string={"lang": value})
    assert got.status_code == 200
    fallback = page_client.get("/queries/concept_schemes.json", query_string={"lang": "xx"})
    labels = [b["label"]["value"] for b in got.get_json()["results"]["bindings"]]
    expected = [b["label"]["value"] for b in fallback.get_json()["results"]["bindings"]]
    if value.strip() not in ("da", "en"):
        assert labels == expected
    assert len(labels) == len(expected)


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=INJECTION)
def test_iri_parameters_are_validated(page_client: FlaskClient, value: str) -> None:
    response = page_client.get(
        "/queries/ontology_term_relations.json",
        query_string={"term": "https://specialekatalog.example/ontology#" + value, "lang": "da"},
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        for binding in response.get_json()["results"]["bindings"]:
            assert binding["term"]["value"].endswith(value.strip()) or not value.strip()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?x { BIND(" + "!" * 20_000 + "true AS ?x) }",
        "SELECT ?x { BIND(" + "1+" * 10_000 + "1 AS ?x) }",
        "SELECT * { ?s ?p ?o " + "BIND(1 AS ?v) " * 3_000 + "}",
        "SELECT * { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 1_500 + "}",
    ],
)
def test_inputs_that_crash_the_engine_are_refused_before_a_worker(query: str) -> None:
    """Each of these overflows the engine's stack (a worker crash per request, issue 14 item 5)."""
    with pytest.raises(QueryRefused) as caught:
        check(query, Limits(max_bytes=64_000, max_depth=64))
    assert caught.value.key == "too_complex"
