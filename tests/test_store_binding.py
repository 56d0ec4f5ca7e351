"""Parameters written into the query text for a remote server (catalogue.store.binding) give the
answers the embedded store gives with ``substitutions``: every named query, on the checked demo
catalogue, with values picked from that catalogue."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from catalogue import Catalogue, queries
from catalogue.namespaces import XSD
from catalogue.store import Term
from catalogue.store.binding import BindingError, bind_values

PREFIX = "PREFIX sk: <https://specialekatalog.example/ontology#>\n"
PREFIX += "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
# A value for each parameter name the named queries use: the first few of these, in order.
PICK = {
    "function": "SELECT ?x { ?x a sk:SpecialtyFunction } ORDER BY ?x",
    "service": "SELECT DISTINCT ?x { ?q a sk:Qualification ; sk:service ?x } ORDER BY ?x",
    "provider": "SELECT ?x { ?x a sk:Provider } ORDER BY ?x",
    "targetGroup": "SELECT ?x { ?x a sk:TargetGroup } ORDER BY ?x",
    "graph": "SELECT DISTINCT ?x { GRAPH ?x { ?p a sk:Provider } } ORDER BY ?x",
    "scheme": "SELECT ?x { ?x a skos:ConceptScheme } ORDER BY ?x",
    "resource": "SELECT ?x { ?x a sk:Provider } ORDER BY ?x",
    "report": "SELECT ?x { ?x a <http://www.w3.org/ns/shacl#ValidationReport> } ORDER BY ?x",
    "municipality": "SELECT ?x { ?x a sk:Municipality } ORDER BY ?x",
    "region": "SELECT ?x { ?x a sk:Region } ORDER BY ?x",
    "level": "SELECT ?x { ?x a sk:Level } ORDER BY ?x",
    "top": "SELECT ?x { ?x a sk:TargetGroup } ORDER BY ?x",
    "term": "SELECT ?x { ?x a sk:Level } ORDER BY ?x",
    "concept": "SELECT ?x { ?x a sk:Level } ORDER BY ?x",
    "kind": "SELECT ?x { ?x a sk:ParameterKind } ORDER BY ?x",
    "authority": "SELECT ?x { ?x a sk:SupervisoryAuthority } ORDER BY ?x",
    # the checked demo holds no authority records: the query must answer (nothing) the same
    "record": "SELECT ?x { ?x a sk:Provider } ORDER BY ?x",
}
SAMPLES = 3


def _values(catalogue: Catalogue, param: queries.Param) -> list[Term]:
    if param.type == "string":
        return [ox.Literal("da"), ox.Literal("en")]
    if param.type == "boolean":
        return [ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))]
    rows = catalogue.store.select(PREFIX + PICK[param.name])
    # the first, the middle and the last: not only the alphabetically first function
    picked = [rows[0], rows[len(rows) // 2], rows[-1]] if rows else []
    return [row["x"] for row in picked][:SAMPLES]


def _cell(term: object) -> str:
    """A term as text; the parts of a GROUP_CONCAT in sorted order (the engine may join them in
    any order, and does differ between runs of one plan)."""
    if not isinstance(term, ox.Literal):
        return str(term or "")
    text = term.value
    for separator in (", ", " | "):
        text = separator.join(sorted(text.split(separator)))
    return f"{text}@{term.language}^^{term.datatype}"


def _answer(store: ox.Store, text: str, substitutions: dict[ox.Variable, Any]) -> object:
    result = store.query(text, substitutions=substitutions, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(tuple(_cell(row[n]) for n in names) for row in result)
    return sorted(str(triple) for triple in result)


PARAMETERISED = sorted(name for name, query in queries.registry().items() if query.params)


@pytest.mark.parametrize("name", PARAMETERISED)
def test_values_in_the_text_answer_as_substitutions_do(
    checked_catalogue: Catalogue, name: str
) -> None:
    query = queries.get(name)
    store = checked_catalogue.store.oxigraph  # type: ignore[attr-defined]
    text = query.text_for(checked_catalogue.store)
    cases: list[dict[str, Term]] = [{}]
    for param in query.params:
        values = _values(checked_catalogue, param)
        assert values or param.optional, f"no value in the demo catalogue for {param.name}"
        with_value = [{**case, param.name: value} for case in cases for value in values]
        cases = with_value + (cases if param.optional else [])
    compared = 0
    for case in cases[:12]:
        expected = _answer(store, text, {ox.Variable(k): v for k, v in case.items()})
        assert _answer(store, bind_values(text, case), {}) == expected, case
        compared += 1
    assert compared


def test_values_keep_strings_iris_and_comments() -> None:
    text = 'SELECT ?x WHERE {\n  # ?x in a comment\n  ?x <http://e/?x> "?x" . FILTER(?x != ?y)\n}'
    bound = bind_values(text, {"x": ox.NamedNode("http://e/a")})
    assert bound == (
        "SELECT ?x WHERE { BIND(<http://e/a> AS ?x) \n  # ?x in a comment\n"
        '  <http://e/a> <http://e/?x> "?x" . FILTER(<http://e/a> != ?y)\n}'
    )


def test_a_subquery_and_minus_keep_their_own_scope() -> None:
    store = ox.Store()
    a, b, p = (ox.NamedNode(f"http://e/{n}") for n in "abp")
    for s, o in ((a, b), (b, a), (b, b)):
        store.add(ox.Quad(s, p, o))
    for text in (
        "SELECT ?x ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?x ?q ?o } } }",
        "SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?q ?o } GROUP BY ?x } }",
        "SELECT ?x ?o WHERE { ?s ?q ?o MINUS { ?x ?q ?o } }",
        "SELECT * WHERE { ?x ?q ?o FILTER NOT EXISTS { ?o ?q ?x } }",
        "ASK { ?x ?q ?x }",
        "CONSTRUCT { ?x ?q ?o } WHERE { ?x ?q ?o }",
    ):
        expected = _answer(store, text, {ox.Variable("x"): a})
        assert _answer(store, bind_values(text, {"x": a}), {}) == expected, text


def test_an_update_binds_in_its_where_group_and_keeps_its_templates() -> None:
    store = ox.Store()
    a, b, p = (ox.NamedNode(f"http://e/{n}") for n in "abp")
    store.add(ox.Quad(a, p, b))
    update = "DELETE { ?x ?q ?o } INSERT { ?o ?q ?x } WHERE { ?x ?q ?o }"
    bound = bind_values(update, {"x": a})
    assert (
        bound == "DELETE { ?x ?q ?o } INSERT { ?o ?q ?x } WHERE {"
        " BIND(<http://e/a> AS ?x)  <http://e/a> ?q ?o }"
    )
    store.update(bound)
    assert [str(q.triple) for q in store] == [str(ox.Triple(b, p, a))]


def test_a_query_without_a_group_is_refused() -> None:
    with pytest.raises(BindingError):
        bind_values("DESCRIBE ?x", {"x": ox.NamedNode("http://e/a")})
