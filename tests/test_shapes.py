"""The shapes themselves: valid SHACL, described in Danish and English, complete and compilable."""

from __future__ import annotations

from collections import defaultdict

import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH, SKOS

from catalogue import Catalogue
from catalogue.compliance import oracle
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.placement import Scheme
from catalogue.namespaces import SK

BASE = "https://specialekatalog.example/"
GUIDED = {
    BASE + "vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
    BASE + "vocab/target-group/d26f97e8-99ed-46a9-94db-93340f77a950",
    BASE + "vocab/target-group/615310e8-f702-4455-910b-9d6d8aa684fb",
}


@pytest.fixture(scope="module")
def criteria(knowledge_catalogue: Catalogue) -> Criteria:
    return Criteria.from_store(knowledge_catalogue.store)


def _shapes(g: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))


def _languages(g: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> set[str]:
    return {o.language for o in g.objects(node, predicate) if isinstance(o, rdflib.Literal)}


def test_shapes_pass_shacl_shacl(criteria: Criteria) -> None:
    conforms, _report, text = pyshacl.validate(
        rdflib.Graph(), shacl_graph=criteria.shapes, meta_shacl=True, advanced=False, js=False
    )
    assert conforms, text


def test_every_shape_has_an_iri_name_description_message_and_severity(criteria: Criteria) -> None:
    g = criteria.shapes
    for shape in _shapes(g):
        assert isinstance(shape, rdflib.URIRef), shape
        for predicate in (SH.name, SH.description, SH.message):
            assert {"da", "en"} <= _languages(g, shape, predicate), (shape, predicate)
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Info), shape


def test_criteria_name_their_parameter_and_level(criteria: Criteria) -> None:
    g = criteria.shapes
    for shape in _shapes(g):
        if "/shapes/integrity#" in str(shape):
            continue  # the form of the data: no parameter or level
        assert g.value(shape, SK.level) is not None, shape
        if "/shapes/prerequisite#" not in str(shape):
            assert g.value(shape, SK.parameter) is not None, shape


def test_severity_integrity_and_prerequisite_violation_criteria_info(criteria: Criteria) -> None:
    g = criteria.shapes
    for shape in _shapes(g):
        gate = "/shapes/integrity#" in str(shape) or "/shapes/prerequisite#" in str(shape)
        assert g.value(shape, SH.severity) == (SH.Violation if gate else SH.Info), shape


def test_guides_cover_every_parameter_on_every_level(criteria: Criteria) -> None:
    scheme = Scheme(criteria)
    assert {tg.value for tg in scheme.guided} == GUIDED
    assert len(scheme.parameters) == 8
    for tg in scheme.guided:
        for parameter in scheme.parameters:
            for level in scheme.levels[1:]:
                assert scheme.cells.get((tg, parameter, level)), (tg, parameter, level)


def test_guide_thresholds_are_marked_illustrative(criteria: Criteria) -> None:
    g = criteria.shapes
    for shape in g.subjects(SK.refines, None):
        assert g.value(shape, SK.illustrative) == rdflib.Literal(True), shape
    guides = [
        s for s in g.subjects(SK.forTargetGroup, None) if (s, RDF.type, rdflib.OWL.Ontology) in g
    ]
    assert len(guides) == 3
    assert all(g.value(guide, SK.illustrative) == rdflib.Literal(True) for guide in guides)


def test_thresholds_do_not_fall_as_the_level_rises(criteria: Criteria) -> None:
    g, k = criteria.shapes, criteria.knowledge
    rank = {lv: int(r) for lv, r in k.subject_objects(SK.rank)}
    by_evidence: dict[tuple, list[tuple[int, float]]] = defaultdict(list)
    for shape in g.subjects(SK.refines, None):
        tg, level = g.value(shape, SK.forTargetGroup), g.value(shape, SK.level)
        for evidence, threshold in (
            (SK.evidence, SK.minimum),
            (SK.evidence, SK.minimumIncluding),
            (SK.numerator, SK.minimumShare),
            (SK.acceptedValues, SK.minimumCount),
            (SK.acceptedTypes, SK.minimumLinks),
        ):
            value = g.value(shape, threshold)
            if value is not None:
                key = (tg, threshold, g.value(shape, evidence))
                by_evidence[key].append((rank[level], float(value)))
    for key, values in by_evidence.items():
        values.sort()
        assert [v for _, v in values] == sorted(v for _, v in values), key


def test_every_specialty_function_has_its_criteria_shape(criteria: Criteria) -> None:
    plan, g = criteria.knowledge, criteria.shapes
    functions = set(plan.subjects(RDF.type, SK.SpecialtyFunction))
    assert len(functions) == 10
    for function in functions:
        shape = plan.value(function, SK.criteriaShape)
        assert (shape, RDF.type, SH.NodeShape) in g, function
        level = plan.value(function, SK.level)
        assert g.value(shape, SK.level) == level
        guide_level = [n for n in g.objects(shape, SH.node) if "/guides/" in str(n)]
        assert [g.value(n, SK.level) for n in guide_level] == [level]


def test_collections_hold_concepts_of_the_vocabularies(criteria: Criteria) -> None:
    g, k = criteria.shapes, criteria.knowledge
    for collection in g.subjects(RDF.type, SKOS.Collection):
        members = list(g.objects(collection, SKOS.member))
        assert members, collection
        for member in members:
            assert (member, RDF.type, SKOS.Concept) in k, member


def test_component_terms_are_labelled(criteria: Criteria) -> None:
    g = criteria.shapes
    for component in g.subjects(RDF.type, SH.ConstraintComponent):
        assert {"da", "en"} <= _languages(g, component, rdflib.RDFS.label)
        for parameter in g.objects(component, SH.parameter):
            path = g.value(parameter, SH.path)
            assert {"da", "en"} <= _languages(g, path, rdflib.RDFS.label), path


def test_fast_path_compiles_every_shape(criteria: Criteria, knowledge_catalogue: Catalogue) -> None:
    fast = FastPath(criteria)
    planned = fast.planned(knowledge_catalogue.store)
    targeted = {s.iri for s, _ in planned.roots}
    assert len(targeted) > 100
    assert {t.shape.iri for t in planned.tasks} >= {
        i for i in targeted if fast.plan.shapes[i].constraints
    }


def test_pyshacl_is_given_graphs_only() -> None:
    with pytest.raises(TypeError):
        oracle.validate("https://example.org/data.ttl", rdflib.Graph())  # type: ignore[arg-type]
