"""Every named query in queries/ as data (STYLE.md 5): it parses, says what it is in Danish and
English, its parameters are projected variables, its PREFIX lines agree with
catalogue/namespaces.py, and it runs against the fixture catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue import Catalogue, queries
from catalogue.config import knowledge_paths
from catalogue.namespaces import BASE, GRAPH, PREFIXES, SK
from catalogue.queries import NamedQuery, parse_query_file

FILES = sorted(knowledge_paths()["queries"].glob("*.rq"))
PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)

# A value for each parameter name used by the queries (the fixture's own resources).
SAMPLE_IRIS = {
    "concept": f"{BASE}vocab/level/hoej",
    "level": f"{BASE}vocab/level/hoej",
    "resource": f"{BASE}id/speciality/autisme",
    "graph": f"{GRAPH}ontology/levels",
    "function": f"{BASE}id/specialty-function/autisme-botilbud-voksne-hoej",
    "kind": f"{BASE}vocab/parameter-kind/provider",
    "scheme": f"{BASE}vocab/level",
    "targetGroup": f"{BASE}vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
    "term": f"{SK}Provider",
    "top": f"{SK}Provider",
    "report": f"{GRAPH}report/1",
    "region": f"{BASE}vocab/region/1084",
    "municipality": f"{BASE}vocab/municipality/101",
    "authority": f"{BASE}vocab/supervisory-authority/oest",
    "record": f"{BASE}id/provider/1/target-group/x/decision/1",
}
# Queries whose result on the fixture (60 demo providers) is known not to be empty.
NOT_EMPTY = {
    "specialty_plan",
    "ontology_terms",
    "ontology_term_relations",
    "concept_schemes",
    "editor_terms",
    "example_providers",
    "knowledge_graphs",
    "knowledge_hashes",
    "browse_scheme",
    "browse_describe",
    "browse_describe_graph",
    "concept_scheme_statements",
    "dcat_knowledge_datasets",
    "void_statistics",
}


@pytest.fixture(params=FILES, ids=[f.stem for f in FILES])
def named(request: pytest.FixtureRequest) -> NamedQuery:
    path: Path = request.param
    return parse_query_file(path)  # parses with the store's engine, or raises


def test_front_matter_in_danish_and_english(named: NamedQuery) -> None:
    assert named.title and named.title_en
    assert named.description and named.description_en
    assert named.title != named.description


def test_parameters_are_projected_variables(named: NamedQuery) -> None:
    if named.form == "SELECT":
        result = ox.Store().query(named.text)
        projected = {v.value for v in result.variables}  # type: ignore[union-attr]
        assert {p.name for p in named.params} <= projected
    else:
        for param in named.params:
            assert re.search(rf"[?$]{param.name}\b", named.text), param.name


def test_prefixes_agree_with_the_namespace_module(named: NamedQuery) -> None:
    for prefix, iri in PREFIX_LINE.findall(named.text):
        assert prefix in PREFIXES, f"{named.name}: PREFIX {prefix}: is not in namespaces.PREFIXES"
        assert PREFIXES[prefix] == iri, f"{named.name}: PREFIX {prefix}: <{iri}>"


def _values(named: NamedQuery, catalogue: Catalogue) -> dict[str, str]:
    values = {}
    for param in named.params:
        if param.name == "lang":
            values[param.name] = "da"
        elif param.name == "provider":
            values[param.name] = queries.run(catalogue.store, "example_providers")[0][
                "provider"
            ].value
        elif param.name == "service":
            provider = queries.run(catalogue.store, "example_providers")[0]["provider"].value
            services = queries.run(
                catalogue.store, "browse_provider_services", provider=provider, lang="da"
            )
            values[param.name] = services[0]["service"].value
        elif param.type == "iri":
            assert param.name in SAMPLE_IRIS, f"add a sample value for parameter {param.name}"
            values[param.name] = SAMPLE_IRIS[param.name]
        elif not param.optional:
            values[param.name] = "x"
    return values


def test_runs_against_the_fixture_catalogue(named: NamedQuery, demo_catalogue: Catalogue) -> None:
    values = _values(named, demo_catalogue)
    if named.form == "SELECT":
        rows = queries.run(demo_catalogue.store, named.name, **values)
    elif named.form == "ASK":
        rows = [queries.ask(demo_catalogue.store, named.name, **values)]
    else:
        rows = queries.construct(demo_catalogue.store, named.name, **values)
    assert isinstance(rows, list)
    if named.name in NOT_EMPTY:
        assert rows, f"{named.name} returned nothing on the fixture"


def test_every_file_is_in_the_registry() -> None:
    assert set(queries.registry()) == {f.stem for f in FILES}
