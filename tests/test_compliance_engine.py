"""The compiled engine never silently differs from the reference: what it does not implement
exactly is refused (shape and feature named) and validated by pyshacl instead."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from catalogue import Catalogue
from catalogue.compliance import CheckError, check, fastpath, kinds
from catalogue.compliance.check import (
    WHOLE_STORE_FROM,
    engine_for,
    engine_name,
    provider_ids,
    record_quads,
)
from catalogue.compliance.check import refused as refused_shapes
from catalogue.compliance.compiler import compile_shapes, core_components
from catalogue.compliance.fastpath import BATCH, WORKERS, FastPath, _balanced, _weight, lossy
from catalogue.compliance.results import same_results
from catalogue.compliance.safety import joinable, unsafe
from catalogue.demo import generate
from catalogue.importing.writer import write_records
from catalogue.loading import load_knowledge
from catalogue.store import Store, scratch_store
from tests.conftest import demo_catalogue_with
from tests.shapes.engines import PREFIXES, run

XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P .
ex:P sh:path ex:p ; sh:datatype {datatype} .
"""


def _values(results: list) -> set[str]:
    return {str(r.value) for r in results}


@pytest.mark.parametrize("cls", ["rdfs:Class", "owl:Class"])
def test_a_shape_that_is_a_class_targets_its_instances_and_subclass_instances(cls: str) -> None:
    found = run(
        f"""
        ex:Person a {cls}, sh:NodeShape ; sh:property ex:Age .
        ex:Age sh:path ex:age ; sh:minCount 2 .
        """,
        """
        ex:a a ex:Person ; ex:age 5 .
        ex:Kid rdfs:subClassOf ex:Person . ex:b a ex:Kid .
        ex:c ex:age 1 .
        """,
    )
    assert found.refused == {}
    assert {r.focus.value for r in found.compiled_only} == {
        "http://example.org/a",
        "http://example.org/b",
    }
    assert found.differences() == []


def test_ill_formed_literals_violate_sh_datatype_with_the_data_term_as_value() -> None:
    found = run(
        DATATYPES.format(datatype="xsd:byte"),
        'ex:a a ex:T ; ex:p "c"^^xsd:byte , "300"^^xsd:byte , "12"^^xsd:byte .',
    )
    assert "http://example.org/P" in found.refused
    assert "xsd:byte" in found.refused["http://example.org/P"]
    assert _values(found.compiled) == {
        '"c"^^<http://www.w3.org/2001/XMLSchema#byte>',
        '"300"^^<http://www.w3.org/2001/XMLSchema#byte>',
    }
    assert found.differences() == []


@pytest.mark.parametrize(
    ("datatype", "good", "bad"),
    [
        ("xsd:integer", '"12"^^xsd:integer', '"1.0"^^xsd:integer'),
        ("xsd:decimal", '"1.5"^^xsd:decimal', '"x"^^xsd:decimal'),
        ("xsd:boolean", '"true"^^xsd:boolean', '"maybe"^^xsd:boolean'),
        ("xsd:date", '"2020-02-29"^^xsd:date', '"2020-13-01"^^xsd:date'),
        ("xsd:string", '"a"', '"a"@da'),
        ("rdf:langString", '"a"@da', '"a"'),
    ],
)
def test_compiled_datatype_check_tells_ill_formed_literals(
    datatype: str, good: str, bad: str
) -> None:
    found = run(
        DATATYPES.format(datatype=datatype), f"ex:a a ex:T ; ex:p {good} , {bad} , ex:iri ."
    )
    assert found.refused == {}
    assert len(found.compiled_only) == 2  # the bad literal and the IRI
    assert found.differences() == []


@pytest.mark.parametrize(
    ("literal", "changed"),
    [
        (ox.Literal("12", datatype=ox.NamedNode(XSD + "byte")), True),
        (ox.Literal("2020-01-01T00:00:00Z", datatype=ox.NamedNode(XSD + "dateTimeStamp")), True),
        (ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")), True),
        (ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")), False),
        (ox.Literal("c", datatype=ox.NamedNode(XSD + "byte")), False),  # kept as written
        (ox.Literal("a", language="da"), False),
    ],
)
def test_records_the_store_would_change_are_told(literal: ox.Literal, changed: bool) -> None:
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), literal)
    assert lossy([quad]) is changed


def test_data_the_store_would_rewrite_is_validated_by_the_reference() -> None:
    found = run(DATATYPES.format(datatype="xsd:integer"), 'ex:a a ex:T ; ex:p "12"^^xsd:byte .')
    assert found.refused == {}
    assert len(found.compiled) == 1  # xsd:byte is not xsd:integer: pyshacl says so
    assert found.differences() == []


REFUSED = {
    "sh:in with a blank node": ("sh:path ex:p ; sh:in ( [ ] )", "sh:in"),
    "sh:hasValue not canonical": ('sh:path ex:p ; sh:hasValue "1"^^xsd:byte', "canonical"),
    "SPARQL constraint outside the joinable form": (
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o } GROUP BY $this '
        'HAVING (COUNT(?o) > 100)" ]',
        "COUNT without DISTINCT",
    ),
    "closed property shape": ("sh:path ex:p ; sh:closed true", "sh:closed"),
    "flags": ('sh:path ex:p ; sh:pattern "a" ; sh:flags "x"', "sh:flags"),
    "rdfs:Literal datatype": ("sh:path ex:p ; sh:datatype rdfs:Literal", "sh:datatype"),
    "deactivated not boolean": (
        'sh:path ex:p ; sh:minCount 1 ; sh:deactivated "true"',
        "sh:deactivated",
    ),
}


@pytest.mark.parametrize("construct", sorted(REFUSED))
def test_what_the_compiler_does_not_implement_is_refused_by_name_and_validated_by_pyshacl(
    construct: str,
) -> None:
    text, feature = REFUSED[construct]
    found = run(
        f"""
        ex:Shape sh:targetClass ex:T ; {text} .
        ex:Other a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:Q .
        ex:Q sh:path ex:q ; sh:minCount 1 .
        """,
        'ex:a a ex:T ; ex:p "b" , ex:b . ex:b a ex:U .',
    )
    reason = found.refused["http://example.org/Shape"]
    assert reason.startswith("http://example.org/Shape: ") and feature in reason
    assert "http://example.org/Other" not in found.refused
    assert found.reference  # ex:Other's result at least
    assert found.differences() == []


def test_a_shape_that_refers_to_a_refused_shape_is_refused() -> None:
    found = run(
        """
        ex:Root a sh:NodeShape ; sh:targetClass ex:T ; sh:node ex:Inner .
        ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:datatype xsd:long ] .
        """,
        'ex:a a ex:T ; ex:p "x" .',
    )
    assert (
        "refers to the refused shape http://example.org/Inner"
        in found.refused["http://example.org/Root"]
    )
    assert len(found.compiled) == 1
    assert found.differences() == []


@pytest.mark.parametrize(
    ("select", "problem"),
    [
        (
            "SELECT $this WHERE { ?x ?p ?o OPTIONAL { ?a ?b ?x OPTIONAL { $this ?q ?a } } }",
            "nested",
        ),
        ("SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?o ?q ?r } } }", "sub-SELECT"),
        ("SELECT $this (COUNT(DISTINCT ?x) AS ?n) WHERE { $this ?p ?x }", "GROUP BY"),
        ("SELECT $this (COUNT(?x) AS ?n) WHERE { $this ?p ?x } GROUP BY $this", "DISTINCT"),
        ("SELECT $this (SUM(?x) AS ?n) WHERE { $this ?p ?x } GROUP BY $this", "SUM"),
        ("SELECT $this WHERE { ?s ?p ?o OPTIONAL { BIND ($this AS ?z) } }", "BIND"),
        ("SELECT $this WHERE { $this ?p ?o } LIMIT 1", "LIMIT"),
        ("SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }", "VALUES"),
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?q ?o } }", "MINUS"),
        ("SELECT ?x WHERE { ?x ?p ?o BIND (?x AS $this) }", "AS"),
    ],
)
def test_validators_that_a_join_would_answer_differently_are_unsafe(
    select: str, problem: str
) -> None:
    reason = unsafe(select)
    assert reason is not None and problem in reason


def test_validators_in_the_joinable_form_are_safe() -> None:
    select = """SELECT $this ?path (COUNT(DISTINCT ?m) AS ?found) WHERE {
        FILTER (!BOUND($g) || EXISTS { $this ex:group $g })
        BIND (ex:p AS ?path)
        OPTIONAL { $this ex:p ?m . FILTER NOT EXISTS { ?m ex:q $this } }
    } GROUP BY $this ?path HAVING (COUNT(DISTINCT ?m) < 2)"""
    assert unsafe(select) is None


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("SELECT $this WHERE { $this ?p ?o FILTER (?o > $min) }", True),
        ("SELECT $this WHERE { OPTIONAL { $this $path ?o } BIND ($path AS ?p) }", True),
        ("SELECT $this WHERE { $this ?p ?o FILTER NOT EXISTS { ?o ?q $min } }", True),
        (
            "SELECT $this WHERE { OPTIONAL { $this $path ?o } } GROUP BY $this "
            "HAVING (COUNT(DISTINCT ?o) < $min)",
            True,
        ),
        # evaluated apart from the join, or before it
        ("SELECT $this WHERE { OPTIONAL { SELECT ?o WHERE { ?o a $min } } }", False),
        ("SELECT $this WHERE { { $this ?p $min } UNION { $this ?q ?o } }", False),
        ("SELECT $this WHERE { $this ?p ?o MINUS { ?o ?q $min } }", False),
        ("SELECT $this WHERE { $this ?p ?o OPTIONAL { { ?o ?q $min } } }", False),
        ("SELECT $this WHERE { $this ?p ?o OPTIONAL { BIND ($min AS ?m) } }", False),
        # the outermost query would aggregate, order or cut several constraints together
        ("SELECT $this (COUNT(DISTINCT ?o) AS ?n) WHERE { $this ?p ?o FILTER (?o > $min) }", False),
        ("SELECT $this WHERE { $this ?p ?o FILTER (?o > $min) } ORDER BY ?o", False),
        ("SELECT $this WHERE { $this ?p ?o FILTER (?o > $min) } LIMIT 5", False),
        ("SELECT $this $min WHERE { $this ?p ?o }", False),
    ],
)
def test_a_parameter_is_joined_only_where_its_substitution_gives_the_same_answers(
    select: str, expected: bool
) -> None:
    assert joinable(select, "min" if "$min" in select else "path") is expected


def test_constraints_that_differ_in_parameter_values_run_as_one_pattern() -> None:
    """On one record, constraints with the same validator and focus share one branch (their
    values in a VALUES block); each still gives its own results, as pyshacl does."""
    shapes = """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property ex:P1 , ex:P2 , ex:P3 , ex:C1 , ex:C2 , ex:D1 , ex:D2 .
        ex:P1 sh:path ex:p ; sh:minCount 2 ; sh:maxCount 2 .
        ex:P2 sh:path ex:q ; sh:minCount 1 ; sh:maxCount 0 .
        ex:P3 sh:path ex:r ; sh:minCount 3 ; sh:minInclusive 2 .
        ex:C1 sh:path ex:p ; sh:class ex:K .
        ex:C2 sh:path ex:q ; sh:class ex:L .
        ex:D1 sh:path ex:p ; sh:datatype xsd:integer .
        ex:D2 sh:path ex:r ; sh:datatype xsd:string .
        ex:L rdfs:subClassOf ex:K .
        """
    data = """
        ex:a a ex:T ; ex:p ex:x , 5 ; ex:q ex:y ; ex:r 1 , "s" .
        ex:x a ex:K . ex:y a ex:K .
        ex:b a ex:T ; ex:r 4 .
        """
    found = run(shapes, data)
    assert found.refused == {}
    assert found.differences() == []
    components = {r.component.value.removeprefix(str(SH)) for r in found.compiled_only}
    assert components >= {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "ClassConstraintComponent",
        "DatatypeConstraintComponent",
        "MinInclusiveConstraintComponent",
    }
    planned = found.fast.planned(scratch_store(found.fast.criteria.reference), narrow=False)
    tasks = planned.tasks
    branches = [b for q in FastPath.batches(tasks, range(len(tasks)), joined=True) for b in q]
    assert len(branches) < len(tasks)  # some branches hold several constraints
    assert sorted(i for members in branches for i in members) == list(range(len(tasks)))
    # one record's batches: one per query thread, balanced by the length of their texts
    queries = FastPath.batches(tasks, range(len(tasks)), joined=True)
    assert len(queries) >= min(WORKERS, len(branches)) and all(len(q) <= BATCH for q in queries)
    sizes = [sum(_weight(tasks, m) for m in q) for q in queries]
    assert max(sizes) - min(sizes) <= max(_weight(tasks, m) for m in branches)


def test_balanced_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The heaviest branch first into the lightest batch; never more than ``size`` a batch."""
    monkeypatch.setattr(fastpath, "WORKERS", 2)
    branches = [[i] for i in range(7)]
    weights = [10, 1, 1, 1, 1, 1, 5]
    assert _balanced(branches, weights, 20) == [[[0]], [[6], [1], [2], [3], [4], [5]]]
    lopsided = _balanced([[i] for i in range(40)], [1000] + [1] * 39, 20)
    assert sorted(map(len, lopsided)) == [20, 20]  # the light ones do not all go one way
    many = _balanced(branches, [1] * 7, 2)
    assert len(many) == 4 and all(len(b) <= 2 for b in many)
    assert sorted(m[0] for b in many for m in b) == list(range(7))
    assert _balanced([], [], 20) == []


def test_cardinality_one_has_validators_of_its_own_with_the_same_results() -> None:
    """sh:minCount 1 and sh:maxCount 1 on a predicate path run cheaper validators (core.ttl,
    engine:validatorForValue); two values that are equal numbers but not the same term are two
    values, as SHACL counts them."""
    found = run(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P , ex:Q , ex:R .
        ex:P sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 .
        ex:Q sh:path ex:q ; sh:minCount 2 ; sh:maxCount 2 .
        ex:R sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:maxCount 1 .
        """,
        """
        ex:a a ex:T .
        ex:b a ex:T ; ex:p 1 , "1"^^xsd:decimal ; ex:q 1 .
        ex:c a ex:T ; ex:p ex:d ; ex:q 1 , 2 , 3 .
        ex:d ex:q 4 , 5 .
        ex:e ex:p 1 , 2 .
        """,
    )
    assert found.refused == {} and found.differences() == []
    failing = {
        (r.focus.value.rsplit("/", 1)[-1], r.component.value.split("#")[-1])
        for r in found.compiled_only
    }
    assert ("a", "MinCountConstraintComponent") in failing
    assert ("b", "MaxCountConstraintComponent") in failing
    assert ("c", "MaxCountConstraintComponent") in failing
    assert not any(focus == "e" for focus, _ in failing)
    special = [
        c
        for shape in found.fast.plan.shapes.values()
        for c in shape.constraints
        if "NOT EXISTS" in c.query or "sameTerm" in c.query
    ]
    assert len(special) == 2  # ex:P's two; the others keep the components' own validators


def test_a_record_with_no_focus_node_has_no_results() -> None:
    found = run(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:minCount 1 ; sh:datatype xsd:integer .
        """,
        'ex:a a ex:U ; ex:p "x" .',
    )
    assert found.compiled_only == [] and found.differences() == []


def test_records_checked_at_once_by_several_threads_each_get_their_own_results(
    demo_catalogue: Catalogue,
) -> None:
    """A server's threads share the engine (and its scratch store): each record is validated
    alone, whatever runs beside it."""
    store = demo_catalogue.store
    fast = engine_for(store).fast
    tpids = provider_ids(store)[:8]
    records = {t: record_quads(store, t) for t in tpids}
    alone = {t: fast.run_record(q) for t, q in records.items()}
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            together = pool.map(lambda t: fast.run_record(records[t]), tpids)
            for tpid, results in zip(tpids, together, strict=True):
                assert same_results(results, alone[tpid]) == ({}, {}), tpid


def test_an_unsafe_custom_component_is_refused_for_the_shapes_that_use_it() -> None:
    found = run(
        """
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:limit ] ;
            sh:nodeValidator [ sh:select "SELECT $this WHERE { $this ?p ?o } LIMIT 1" ] .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:T ; ex:limit 1 .
        ex:Plain a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:Q .
        ex:Q sh:path ex:q ; sh:minCount 1 .
        """,
        "ex:a a ex:T ; ex:p 1 .",
    )
    assert "LIMIT" in found.refused["http://example.org/Shape"]
    assert set(found.refused) == {"http://example.org/Shape"}
    assert found.differences() == []


def test_an_ill_formed_literal_is_not_in_range_as_shacl_says() -> None:
    """SPARQL cannot compare an ill-formed literal, so sh:maxInclusive reports it (pyshacl 0.40
    lets it pass: a known deviation, left out of the differential comparison)."""
    found = run(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:maxInclusive 2 .
        """,
        'ex:a a ex:T ; ex:p "2020-13-01"^^xsd:date , "x"^^xsd:integer , 1 .',
    )
    assert _values(found.compiled_only) == {
        '"2020-13-01"^^<http://www.w3.org/2001/XMLSchema#date>',
        '"x"^^<http://www.w3.org/2001/XMLSchema#integer>',
    }


def test_a_check_on_any_store_gives_the_reports_of_the_embedded_store(
    any_store: Store,
) -> None:
    """On the Oxigraph server the records are validated in an embedded working copy: the same
    results and placements as on an embedded store holding the same data."""
    reference = scratch_store()
    for store in (any_store, reference):
        load_knowledge(store)
        write_records(store, generate(WHOLE_STORE_FROM + 2, 3))
    got = {c.tpid: c for c in check(any_store)}
    expected = {c.tpid: c for c in check(reference)}
    assert set(got) == set(expected) and len(got) == WHOLE_STORE_FROM + 2
    for tpid, c in expected.items():
        assert same_results(got[tpid].results, c.results) == ({}, {}), tpid
        assert got[tpid].outcome == c.outcome, tpid


def test_a_triple_held_by_two_graphs_gives_one_result() -> None:
    """The store's union default graph repeats such a triple; pyshacl's data graph is a set."""
    shapes = """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:in ( "A" ) ; sh:lessThan ex:q .
        """
    both = shapes + 'ex:a a ex:T ; ex:p "D" ; ex:q 1 , 2 .'
    found = run(both, both)  # the data is in the criteria graph and in the record
    assert len(found.compiled_only) == 3  # sh:in once, sh:lessThan once per pair
    assert found.differences() == []


def test_the_report_names_both_engines_when_shapes_were_refused() -> None:
    found = run(
        """
        ex:Shape sh:targetClass ex:T ; sh:path ex:p ; sh:datatype xsd:long .
        ex:Other a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:Q .
        ex:Q sh:path ex:q ; sh:minCount 1 .
        """,
        "ex:a a ex:T .",
    )
    compiled = SimpleNamespace(fast=found.fast)
    name, version = engine_name(compiled, "fast")  # type: ignore[arg-type]
    assert "pyshacl for the 1 shape(s) it refused: http://example.org/Shape" in name
    assert "pyshacl" in version and "pyoxigraph" in version
    assert engine_name(compiled, "pyshacl")[0] == "pyshacl"  # type: ignore[arg-type]


ASK_COMPONENTS = '''
ex:Lang a sh:ConstraintComponent ; sh:parameter [ sh:path ex:lang ] ;
    sh:validator [ sh:ask """
        ASK { FILTER (isLiteral($value) && langMatches(LANG($value), $lang)) }""" ] .
ex:Back a sh:ConstraintComponent ; sh:parameter [ sh:path ex:back ] ;
    sh:validator [ sh:ask """ASK WHERE { $value $back $this }""" ] .
ex:Twice a sh:ConstraintComponent ; sh:parameter [ sh:path ex:twice ] ;
    sh:validator [ sh:prefixes ex:pfx ; sh:ask """
        # a value reached along the path by two different routes
        ASK { FILTER ($twice) $this $PATH ?other . FILTER (?other != $value) }""" ] .
ex:pfx sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
'''


def test_ask_validators_are_compiled_on_node_and_property_shapes() -> None:
    found = run(
        ASK_COMPONENTS
        + """
        ex:N a sh:NodeShape ; sh:targetClass ex:T ; ex:back ex:q .
        ex:P a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ex:p ; ex:lang "en" ] ,
                [ sh:path [ sh:zeroOrMorePath ex:p ] ; ex:lang "da" ] ,
                [ sh:path ( ex:p ex:p ) ; ex:twice true ] ,
                [ sh:path ex:r ; ex:back ex:q ] .
        """,
        """
        ex:a a ex:T ; ex:p "x"@en, "y"@da, ex:b ; ex:r ex:b ; ex:q ex:a .
        ex:b a ex:T ; ex:p "z"@en-GB, ex:a ; ex:q ex:a .
        ex:c a ex:T ; ex:p ex:d . ex:d ex:p ex:e .
        """,
    )
    assert found.refused == {}
    components = {r.component.value.removeprefix("http://example.org/") for r in found.compiled}
    assert components == {"Lang", "Back", "Twice"}
    values = {(r.focus.value[-1], str(r.value)) for r in found.compiled_only if r.path is None}
    # ex:N: ex:b and ex:c have no ex:q back to themselves
    assert values == {("b", "<http://example.org/b>"), ("c", "<http://example.org/c>")}
    assert found.differences() == []


ASK_REFUSED = {
    "ASK with $value in a nested OPTIONAL": (
        "ASK { ?x ?p ?y OPTIONAL { $value ?q ?y } }",
        "nested group",
    ),
    "ASK with a solution modifier": ("ASK { $this ?p $value } LIMIT 1", "solution modifier"),
    "ASK binding $value": ("ASK { BIND (1 AS $value) }", "binds $value with AS"),
    "ASK with $shapesGraph": ("ASK { $value ?p $shapesGraph }", "$shapesGraph"),
    "ASK in GRAPH": ("ASK { GRAPH ?g { $value ?p ?o } }", "GRAPH"),
    "ASK with a PREFIX": ("PREFIX ex: <http://example.org/> ASK { $value ex:p 1 }", "PREFIX"),
}


@pytest.mark.parametrize("construct", sorted(ASK_REFUSED))
def test_ask_validators_outside_the_joinable_form_are_refused(construct: str) -> None:
    ask, feature = ASK_REFUSED[construct]
    shapes = f"""
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:c ] ;
            sh:validator [ sh:ask \"\"\"{ask}\"\"\" ] .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; ex:c true ] .
        """
    plan, _ = compile_shapes(rdflib.Graph().parse(data=PREFIXES + shapes, format="turtle"))
    assert "http://example.org/Shape" in plan.refused
    assert feature in " ".join(plan.refused.values()), plan.refused


@pytest.mark.parametrize(
    ("component", "feature"),
    [
        ('sh:validator [ sh:select "SELECT $this WHERE { }" ]', "ASK validator"),
        ('sh:propertyValidator [ sh:ask "ASK { }" ]', "SELECT validator"),
        (
            'sh:propertyValidator [ sh:select "SELECT $this WHERE { $this ?p $shapesGraph }" ]',
            "$shapesGraph",
        ),
        (
            'sh:validator [ sh:ask "ASK { FILTER ($value = 1) }" ] ; '
            "sh:parameter [ sh:path ex:value ]",
            "a parameter named value",
        ),
    ],
)
def test_validators_the_engine_cannot_run_exactly_are_refused(component: str, feature: str) -> None:
    shapes = f"""
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:c ] ; {component} .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:T ;
            sh:property [ sh:path ex:p ; ex:c 1 ; ex:value 1 ] .
        """
    plan, _ = compile_shapes(rdflib.Graph().parse(data=PREFIXES + shapes, format="turtle"))
    assert feature in " ".join(plan.refused.values()), plan.refused


def test_the_catalogue_criteria_are_compiled_whole(knowledge_catalogue: Catalogue) -> None:
    """docs/ENGINE.md says so: no shape of the criteria in shapes/ goes to the reference engine."""
    assert refused_shapes(knowledge_catalogue.store) == {}


def test_the_engine_documentation_names_every_feature_the_compiler_reads() -> None:
    """docs/ENGINE.md for shape authors lists what catalogue/compliance/kinds.py and core.ttl
    make the compiler read: a feature added there and not documented fails here."""
    doc = (Path(__file__).parent.parent / "docs" / "ENGINE.md").read_text(encoding="utf-8")
    core = {p for c in core_components().values() for p, _ in c.parameters}
    read = {*kinds.DESCRIPTIVE, *kinds.STRUCTURAL, *core}
    names = {"sh:" + str(p).removeprefix(str(SH)) for p in read}
    assert sorted(n for n in names if f"`{n}" not in doc) == []


def test_the_inverse_of_a_sequence_path_is_walked_backwards() -> None:
    """^(p/q) from x: the nodes y with y p z and z q x (SPARQL 1.1, 9.3). pyshacl 0.40 walks ^p
    then ^q instead (it finds n2 here), so the differential test generates no such path; the
    compiled engine agrees with rdflib's SPARQL evaluation of the same path."""
    data = "ex:n0 ex:p ex:n0 . ex:n2 ex:q ex:n0 . ex:n3 ex:p ex:n4 . ex:n4 ex:q ex:n0 ."
    found = run(
        "ex:S a sh:NodeShape ; sh:targetNode ex:n0 ; "
        "sh:property [ sh:path [ sh:inversePath ( ex:p ex:q ) ] ; sh:nodeKind sh:Literal ] .",
        data,
    )
    graph = rdflib.Graph().parse(data=PREFIXES + data, format="turtle")
    query = "SELECT ?v WHERE { ex:n0 ^(ex:p/ex:q) ?v }"
    sparql = {str(row[0]) for row in graph.query(query, initNs={"ex": "http://example.org/"})}  # type: ignore[index]
    assert sparql == {"http://example.org/n3"}
    assert {r.value.value for r in found.compiled_only} == sparql  # type: ignore[union-attr]
    assert {r.value.value for r in found.reference_compiled} != sparql  # pyshacl's departure


MESSAGE_SHAPES = '''
ex:Named a sh:ConstraintComponent ; sh:parameter [ sh:path ex:named ] ;
    sh:message "component: {$named}" ;
    sh:nodeValidator [ sh:message "validator: needs {$named}, has {?count}"@en ; sh:select """
        SELECT $this (COUNT(DISTINCT ?name) AS ?count) WHERE { OPTIONAL { $this ex:name ?name } }
        GROUP BY $this HAVING (COUNT(DISTINCT ?name) < $named)""" ; sh:prefixes ex:pfx ] .
ex:Said a sh:ConstraintComponent ; sh:parameter [ sh:path ex:said ] ;
    sh:message "component: {$said}" ;
    sh:nodeValidator [ sh:select """
        SELECT $this ?message WHERE { $this ex:said ?message . FILTER ($said) }""" ;
        sh:prefixes ex:pfx ] .
ex:Plain a sh:ConstraintComponent ; sh:parameter [ sh:path ex:plain ] ;
    sh:message "component: at least {$plain}" ;
    sh:nodeValidator [ sh:prefixes ex:pfx ; sh:select """
        SELECT $this WHERE { FILTER NOT EXISTS { $this ex:missing ?x } FILTER ($plain > 0) }""" ] .
ex:pfx sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:ByDefault a sh:NodeShape ; sh:targetClass ex:T ; ex:plain 1 .
ex:ByValidator a sh:NodeShape ; sh:targetClass ex:T ; ex:named 2 .
ex:ByShape a sh:NodeShape ; sh:targetClass ex:T ; ex:named 3 ; sh:message "shape: {$named}" .
ex:ByComponent a sh:NodeShape ; sh:targetClass ex:T ; ex:said false ;
    sh:sparql [ sh:message "constraint: {?value}" ; sh:prefixes ex:pfx ;
        sh:select "SELECT $this ?value WHERE { $this ex:name ?value }" ] ,
      [ sh:prefixes ex:pfx ;
        sh:select "SELECT $this ?message WHERE { $this ex:said ?message }" ] .
ex:BySolution a sh:NodeShape ; sh:targetClass ex:T ; ex:said true .
'''


def test_result_messages_come_from_the_solution_the_constraint_the_validator_or_the_shape() -> None:
    """SHACL 5.3.2 and 6.3: a solution's ?message; else the SPARQL constraint's sh:message (or the
    shape's); for a component, the shape's sh:message, else ?message, else the validator's
    sh:message, else the component's; {$param} and {?var} filled from the solution."""
    found = run(MESSAGE_SHAPES, 'ex:a a ex:T ; ex:name "A" ; ex:said "from the data"@da .')
    assert found.refused == {}
    messages = {
        (r.shape.value.removeprefix("http://example.org/"), m.value, m.language)
        for r in found.compiled
        for m in r.messages
    }
    assert messages == {
        ("ByValidator", "validator: needs 2, has 1", "en"),
        ("ByShape", "shape: 3", None),
        ("ByComponent", "constraint: A", None),
        ("ByComponent", "from the data", "da"),
        ("BySolution", "from the data", "da"),
        ("ByDefault", "component: at least 1", None),
    }
    assert found.differences() == []


def test_criteria_neither_engine_can_run_stop_the_check_with_a_clear_error() -> None:
    """A shape using $shapesGraph is refused by the compiled engine, and pyshacl 0.40 cannot run
    it either: the check stops before writing anything and names the shape and the feature."""
    store = demo_catalogue_with(3, 2).store
    before = set(store.quads())
    graph = ox.NamedNode("https://specialekatalog.example/graph/shapes/needs-shapes-graph")
    shape = "https://specialekatalog.example/shapes/needs-shapes-graph#S"
    ttl = f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{shape}> a sh:NodeShape ;
            sh:targetClass <https://specialekatalog.example/ontology#Provider> ;
            sh:sparql [ sh:select "SELECT $this WHERE {{ $this ?p $shapesGraph }}" ] .
        <{graph.value}> <https://specialekatalog.example/ontology#contentHash> "test" ;
            <http://purl.org/dc/terms/source> "needs-shapes-graph.ttl" .
    """  # the content hash, as `specialekatalog load` records it: the criteria change
    added = [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(ttl, ox.RdfFormat.TURTLE)
    ]
    store.add(added)
    with pytest.raises(CheckError, match=r"\$shapesGraph") as error:
        check(store)
    assert shape in str(error.value) and "no report was written" in str(error.value)
    assert set(store.quads()) == before | set(added)


def _pool_answers() -> int:
    from catalogue.compliance import fastpath

    return fastpath._pool().submit(lambda: 42).result(timeout=10)


def test_the_query_threads_work_in_a_forked_child() -> None:
    """The compiled queries' kept thread pool: a child forked after the parent used it gets its
    own (the parent's threads do not exist in the child, so their pool would never answer)."""
    import multiprocessing

    assert _pool_answers() == 42
    with multiprocessing.get_context("fork").Pool(1) as child:
        assert child.apply_async(_pool_answers).get(timeout=30) == 42


PFX = 'ex:pfx sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .\n'


def test_a_parameter_sparql_allows_no_variable_for_is_substituted_not_refused() -> None:
    """A parameter in a property path or as a function's IRI cannot be joined as a variable:
    those constraints keep the substituted form (review of session 8: they were refused). Such
    text is not SPARQL before substitution, so pyshacl cannot compare it."""
    shapes = (
        PREFIXES
        + PFX
        + '''
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:via ] ;
          sh:propertyValidator [ sh:prefixes ex:pfx ; sh:select """
            SELECT $this ?value WHERE { $this $PATH/$via ?value FILTER isLiteral(?value) }""" ] .
        ex:F a sh:ConstraintComponent ; sh:parameter [ sh:path ex:fn ] ;
          sh:nodeValidator [ sh:prefixes ex:pfx ; sh:select """
            SELECT $this WHERE { $this ex:v ?v . FILTER (!$fn(?v)) }""" ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; ex:fn xsd:boolean ;
          sh:property [ sh:path ex:p ; ex:via ex:q ] , [ sh:path ex:r ; ex:via ex:q ] .
        '''
    )
    plan, _ = compile_shapes(rdflib.Graph().parse(data=shapes, format="turtle"))
    assert plan.refused == {}
    custom = [
        c for s in plan.shapes.values() for c in s.constraints if "example.org" in c.component.value
    ]
    assert len(custom) == 3 and all(c.joined == () and c.template == c.query for c in custom)


def test_constraints_with_the_same_text_but_other_joined_parameters_keep_apart() -> None:
    found = run(
        PFX
        + '''
        ex:X a sh:ConstraintComponent ; sh:parameter [ sh:path ex:a ] , [ sh:path ex:b ] ;
          sh:nodeValidator [ sh:prefixes ex:pfx ; sh:select """
            SELECT $this WHERE { $this ex:v ?v . FILTER (BOUND($b) && ?v = $a) }""" ] .
        ex:Y a sh:ConstraintComponent ; sh:parameter [ sh:path <http://other.org/a> ] ;
          sh:nodeValidator [ sh:prefixes ex:pfx ; sh:select """
            SELECT $this WHERE { $this ex:v ?v . FILTER (true && ?v = $a) }""" ] .
        ex:S1 a sh:NodeShape ; sh:targetClass ex:T ; ex:a 1 ; ex:b 2 .
        ex:S2 a sh:NodeShape ; sh:targetClass ex:T ; <http://other.org/a> 1 .
        ''',
        "ex:n a ex:T ; ex:v 1 .",
    )
    assert found.refused == {}
    assert len(found.compiled) == 2 and found.differences() == []


@pytest.mark.parametrize(
    ("select", "value", "feature"),
    [
        # SPARQL reads _:b in a query as a variable, not as the shapes graph's node
        ("SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p $node } }", "[ ex:x 1 ]", "blank"),
        # pre-binding leaves a string as it is; a textual substitution would not
        (
            'SELECT $this WHERE { $this ex:v ?v FILTER (?v != $node && ?v != "$node") }',
            "ex:x",
            "inside a string",
        ),
    ],
)
def test_parameters_a_textual_substitution_would_get_wrong_are_refused(
    select: str, value: str, feature: str
) -> None:
    found = run(
        PFX
        + f'''
        ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:node ] ;
          sh:nodeValidator [ sh:prefixes ex:pfx ; sh:select """{select}""" ] .
        ex:S1 a sh:NodeShape ; sh:targetClass ex:T ; ex:node {value} .
        ''',
        'ex:a a ex:T ; ex:p ex:z ; ex:v "$node" , "other" .',
    )
    assert feature in found.refused.get("http://example.org/S1", ""), found.refused
    assert found.reference and found.differences() == []
