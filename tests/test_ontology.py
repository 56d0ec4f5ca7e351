"""The ontology and vocabularies: every file parses, the SHACL checks over the ontology conform (and
can fail), and the counts and codes match the reference data in REFERENCE.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, SKOS, XSD

from catalogue.config import knowledge_paths

BASE = "https://specialekatalog.example/"
SK = Namespace(BASE + "ontology#")
VOCAB = Namespace(BASE + "vocab/")
CHECKS = Namespace(BASE + "shapes/ontology-checks#")
DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")

ONTOLOGY = knowledge_paths()["ontology"]
SHAPES = knowledge_paths()["shapes"]
CHECKS_FILE = SHAPES / "knowledge" / "ontology-checks.ttl"
EDGE_CASES = Path(__file__).parent / "data" / "ontology"

TURTLE_FILES = sorted([*ONTOLOGY.rglob("*.ttl"), *SHAPES.rglob("*.ttl")])

PREFIXES = f"""
PREFIX sk: <{SK}>
PREFIX skos: <{SKOS}>
PREFIX xsd: <{XSD}>
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def checks() -> Graph:
    return Graph().parse(CHECKS_FILE, format="turtle")


def select(graph: Graph, query: str, **bindings: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in graph.query(PREFIXES + query, initBindings=bindings)]


def count(graph: Graph, query: str, **bindings: Any) -> int:
    return int(select(graph, query, **bindings)[0][0])


def local_name(iri: Any) -> str:
    return str(iri).rsplit("/", 1)[1]


def source_shapes(data: Graph, checks: Graph) -> tuple[bool, set[Any]]:
    conforms, results, _ = validate(data, shacl_graph=checks, inference="none")
    return bool(conforms), set(results.objects(None, SH.sourceShape))


# --- every file parses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", TURTLE_FILES, ids=lambda p: p.relative_to(ONTOLOGY.parent).as_posix()
)
def test_turtle_file_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    with path.open("rb") as handle:
        triples = {quad.triple for quad in ox.parse(handle, ox.RdfFormat.TURTLE, base_iri=BASE)}
    assert len(graph) > 0
    assert len(triples) == len(graph)


# --- the checks -----------------------------------------------------------------------------


def test_ontology_conforms_to_its_checks(ontology: Graph, checks: Graph) -> None:
    conforms, _, text = validate(ontology, shacl_graph=checks, inference="none")
    assert conforms, text


def test_checks_are_valid_shacl(checks: Graph) -> None:
    conforms, _, text = validate(Graph(), shacl_graph=checks, meta_shacl=True)
    assert conforms, text


# Each edge-case file breaks one rule; the check for that rule, and no other, must fail on it.
EDGE_CASE_CHECKS = {
    "no-danish-label.ttl": "DanishPrefLabel",
    "orphan-concept.ttl": "ConceptInScheme",
    "duplicate-code.ttl": "UniqueNotationInScheme",
    "cycle.ttl": "NoBroaderCycle",
    "municipality-two-regions.ttl": "MunicipalityInOneRegion",
    "missing-level-description.ttl": "ParameterDescribedOnEachLevel",
    "class-without-english-comment.ttl": "EnglishComment",
}


@pytest.mark.parametrize(("case", "shape"), sorted(EDGE_CASE_CHECKS.items()))
def test_edge_case_fails_exactly_the_expected_check(case: str, shape: str, checks: Graph) -> None:
    data = Graph().parse(EDGE_CASES / case, format="turtle")
    conforms, shapes = source_shapes(data, checks)
    assert not conforms
    assert shapes == {CHECKS[shape]}


def test_every_edge_case_file_has_an_expected_check() -> None:
    assert {p.name for p in EDGE_CASES.glob("*.ttl")} == set(EDGE_CASE_CHECKS)


# --- schemes and IRIs -----------------------------------------------------------------------

SCHEMES = (
    "level parameter target-group age-group municipality region supervisory-authority legal-basis "
    "offer-type service-type operator-type quality-theme approval-status sector "
    "knowledge-activity-type method certification competence aid course-type"
).split()


def test_every_scheme_of_the_data_model_exists(ontology: Graph) -> None:
    for slug in SCHEMES:
        assert (VOCAB[slug], RDF.type, SKOS.ConceptScheme) in ontology, slug


def test_every_vocabulary_concept_iri_is_scheme_slash_code(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?concept ?scheme WHERE { ?concept a skos:Concept ; skos:inScheme ?scheme . }",
    )
    wrong = [
        (c, s)
        for c, s in rows
        if str(s).startswith(str(VOCAB))
        and not (str(c).startswith(f"{s}/") and "/" not in str(c)[len(str(s)) + 1 :])
    ]
    assert rows and not wrong


# --- levels and parameters ------------------------------------------------------------------


def test_four_levels_ordered_by_rank(ontology: Graph) -> None:
    rows = select(ontology, "SELECT ?level ?rank WHERE { ?level a sk:Level ; sk:rank ?rank }")
    assert sorted((int(r), local_name(lv)) for lv, r in rows) == [
        (0, "almen"),
        (1, "let"),
        (2, "moderat"),
        (3, "hoej"),
    ]


def test_parameters_eight_provider_two_target_group_two_intervention(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?kind (COUNT(?p) AS ?n) WHERE { ?p a sk:Parameter ; sk:parameterKind ?kind } "
        "GROUP BY ?kind",
    )
    assert {local_name(k): int(n) for k, n in rows} == {
        "leverandoer": 8,
        "maalgruppe": 2,
        "indsats": 2,
    }


def test_provider_parameters_are_numbered_one_to_eight(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?p ?n WHERE { ?p sk:parameterKind ?kind ; skos:notation ?n }",
        kind=VOCAB["parameter-kind/leverandoer"],
    )
    codes = dict(sorted((str(n), local_name(p)) for p, n in rows))
    assert codes == {
        "1": "aktiv-praksis",
        "2": "praksiserfaring",
        "3": "uddannelse",
        "4": "fagmiljoe",
        "5": "samarbejde",
        "6": "vidensudvikling",
        "7": "metoder",
        "8": "hjaelpemidler",
    }


def test_each_parameter_is_described_on_let_moderat_hoej(ontology: Graph) -> None:
    assert count(ontology, "SELECT (COUNT(*) AS ?n) WHERE { ?d a sk:LevelDescription }") == 36


# --- target groups --------------------------------------------------------------------------

FFB_LEAVES = """
SELECT (COUNT(DISTINCT ?group) AS ?n) WHERE {
  ?group skos:inScheme ?scheme ; skos:notation ?code .
  FILTER (DATATYPE(?code) = sk:FFBCode)
  FILTER NOT EXISTS {
    ?narrower skos:broader ?group ; skos:notation ?other . FILTER (DATATYPE(?other) = sk:FFBCode)
  }
}
"""


def test_45_ffb_leaf_target_groups_and_their_parents(ontology: Graph) -> None:
    scheme = VOCAB["target-group"]
    assert count(ontology, FFB_LEAVES, scheme=scheme) == 45
    coded = "SELECT (COUNT(*) AS ?n) WHERE { ?g skos:inScheme ?scheme ; skos:notation ?c }"
    assert count(ontology, coded, scheme=scheme) == 45 + 12


def test_one_unconfirmed_46th_target_group(ontology: Graph) -> None:
    rows = select(ontology, "SELECT ?g WHERE { ?g sk:unconfirmed true ; a sk:TargetGroup }")
    assert rows == [(VOCAB["target-group/doemt-til-strafferetslig-foranstaltning"],)]


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("9b3fd322-a75a-4ed8-9b74-425fa1e01c95", "Autismespektrum"),
        ("d26f97e8-99ed-46a9-94db-93340f77a950", "Erhvervet hjerneskade"),
        ("615310e8-f702-4455-910b-9d6d8aa684fb", "Synsnedsættelse"),
    ],
)
def test_pilot_target_groups_have_their_ffb_codes(ontology: Graph, code: str, label: str) -> None:
    group = VOCAB[f"target-group/{code}"]
    assert (group, SKOS.notation, Literal(code, datatype=SK.FFBCode)) in ontology
    assert (group, SKOS.prefLabel, Literal(label, lang="da")) in ontology
    sub_groups = "SELECT (COUNT(*) AS ?n) WHERE { ?s a sk:SubTargetGroup ; skos:broader ?group }"
    assert count(ontology, sub_groups, group=group) >= 3


# --- geography ------------------------------------------------------------------------------


def test_98_municipalities_each_in_one_region_with_reference_counts(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?code (COUNT(?m) AS ?n) WHERE { "
        "  ?m a sk:Municipality ; skos:broader ?region . "
        "  ?region a sk:Region ; skos:notation ?code . FILTER (DATATYPE(?code) = sk:RegionCode) "
        "} GROUP BY ?code",
    )
    per_region = {str(code): int(n) for code, n in rows}
    assert per_region == {"1084": 29, "1085": 17, "1083": 22, "1082": 19, "1081": 11}
    assert count(ontology, "SELECT (COUNT(*) AS ?n) WHERE { ?m a sk:Municipality }") == 98


def test_five_regions_with_nuts_and_iso_codes(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?region ?code WHERE { ?region a sk:Region ; skos:notation ?code }",
    )
    codes: dict[str, set[str]] = {}
    for region, code in rows:
        codes.setdefault(local_name(region), set()).add(str(code))
    assert codes == {
        "1081": {"1081", "DK05", "DK-81"},
        "1082": {"1082", "DK04", "DK-82"},
        "1083": {"1083", "DK03", "DK-83"},
        "1084": {"1084", "DK01", "DK-84"},
        "1085": {"1085", "DK02", "DK-85"},
    }


def test_municipality_codes_are_unique_and_dawa_form_is_zero_padded(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?m ?code ?dawa WHERE { ?m a sk:Municipality ; skos:notation ?code , ?dawa . "
        "FILTER (DATATYPE(?code) = sk:MunicipalityCode) "
        "FILTER (DATATYPE(?dawa) = sk:DAWAMunicipalityCode) }",
    )
    assert len({str(code) for _, code, _ in rows}) == len(rows) == 98
    assert all(str(dawa) == str(code).zfill(4) for _, code, dawa in rows)
    assert all(str(m).endswith(f"/municipality/{code}") for m, code, _ in rows)


def test_five_supervisory_authorities_cover_the_five_regions(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?authority ?region WHERE { ?authority a sk:SupervisoryAuthority ; "
        "sk:coversRegion ?region }",
    )
    covered = {local_name(a): local_name(r) for a, r in rows}
    assert covered == {
        "hovedstaden": "1084",
        "oest": "1085",
        "syd": "1083",
        "midt": "1082",
        "nord": "1081",
    }


# --- versioned vocabularies -----------------------------------------------------------------


def test_eight_quality_themes_two_repealed_without_invented_dates(ontology: Graph) -> None:
    themes = "SELECT (COUNT(*) AS ?n) WHERE { ?t a sk:QualityTheme }"
    assert count(ontology, themes) == 8
    repealed = select(
        ontology, "SELECT ?t WHERE { ?t a sk:QualityTheme ; sk:repealedBy ?act } ORDER BY ?t"
    )
    assert [local_name(t) for (t,) in repealed] == [
        "selvstaendighed-og-relationer",
        "uddannelse-og-beskaeftigelse",
    ]
    dated = "SELECT (COUNT(*) AS ?n) WHERE { ?t a sk:QualityTheme ; sk:validUntil ?d }"
    assert count(ontology, dated) == 0


def test_childrens_provisions_moved_to_barnets_lov_on_1_january_2024(ontology: Graph) -> None:
    def date(code: str, prop: URIRef) -> object:
        return ontology.value(VOCAB[f"legal-basis/{code}"], prop)

    assert date("sel-32", SK.validUntil) == Literal("2023-12-31", datatype=XSD.date)
    assert date("sel-36", SK.validUntil) == Literal("2023-12-31", datatype=XSD.date)
    for code in ("bl", "bl-43", "bl-83"):
        assert date(code, SK.validFrom) == Literal("2024-01-01", datatype=XSD.date), code
    assert date("sel-108", SK.validUntil) is None


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        ("ServiceType", 12),
        ("OperatorType", 3),
        ("ApprovalStatus", 4),  # with municipal supervision in good standing (§ 148 a)
        ("AgeGroup", 3),
        ("SupervisoryAuthority", 5),
        ("CourseType", 5),
    ],
)
def test_vocabulary_sizes(ontology: Graph, cls: str, expected: int) -> None:
    assert count(ontology, "SELECT (COUNT(*) AS ?n) WHERE { ?c a ?cls }", cls=SK[cls]) == expected


def test_course_types_carry_their_scope_as_data(ontology: Graph) -> None:
    def values(code: str, prop: URIRef) -> set[float]:
        return {float(v) for v in ontology.objects(VOCAB[f"course-type/{code}"], prop)}

    assert values("temadag", SK.minDays) == {1.0} and values("temadag", SK.maxDays) == {2.0}
    assert values("kompetenceforloeb", SK.minHours) == {20.0}
    assert values("kompetenceforloeb", SK.maxHours) == {40.0}
    assert values("fagspecifikt-kursus", SK.ectsMin) == {1.5}
    assert values("diplommodul", SK.ectsCredits) == {5.0, 10.0}
    exam = {
        code: ontology.value(VOCAB[f"course-type/{code}"], SK.withExam).toPython()
        for code in ("fagspecifikt-kursus", "diplommodul")
    }
    assert exam == {"fagspecifikt-kursus": False, "diplommodul": True}


# --- the illustrative specialty plan --------------------------------------------------------


def test_specialty_plan_three_specialities_with_three_or_four_functions(ontology: Graph) -> None:
    rows = select(
        ontology,
        "SELECT ?speciality (COUNT(?f) AS ?n) WHERE { "
        "  ?speciality a sk:Speciality ; sk:illustrative true . "
        "  ?f skos:broader ?speciality ; a sk:SpecialtyFunction ; sk:illustrative true ; "
        "     sk:level ?hoej . "
        "} GROUP BY ?speciality",
        hoej=VOCAB["level/hoej"],
    )
    per_speciality = {local_name(s): int(n) for s, n in rows}
    assert set(per_speciality) == {"autisme", "erhvervet-hjerneskade", "synsnedsaettelse"}
    assert all(3 <= n <= 4 for n in per_speciality.values())


def test_criteria_shapes_follow_the_agreed_pattern(ontology: Graph) -> None:
    rows = select(ontology, "SELECT ?f ?shape WHERE { ?f sk:criteriaShape ?shape }")
    for function, shape in rows:
        slug = local_name(function)
        pascal = "".join(part.capitalize() for part in slug.split("-"))
        assert str(shape) == f"{BASE}shapes/specialty-functions#{pascal}"
    assert len({shape for _, shape in rows}) == len(rows) == 10


def test_criteria_shapes_exist_in_the_shapes_files(ontology: Graph) -> None:
    shapes = Graph()
    for path in SHAPES.rglob("*.ttl"):
        shapes.parse(path, format="turtle")
    missing = [
        shape
        for shape in ontology.objects(None, SK.criteriaShape)
        if (shape, RDF.type, SH.NodeShape) not in shapes
    ]
    assert not missing


def test_vocabulary_iris_used_by_the_shapes_are_defined(ontology: Graph) -> None:
    defined = set(ontology.subjects())
    used = {
        (path.name, term)
        for path in SHAPES.rglob("*.ttl")
        for triple in Graph().parse(path, format="turtle")
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(VOCAB)) and term not in defined
    }
    assert not used


# --- the description of the knowledge files -------------------------------------------------


def test_catalogue_describes_every_ontology_file(ontology: Graph) -> None:
    described = {
        str(source): str(dataset)
        for dataset, source in ontology.subject_objects(DCT_SOURCE)
        if str(dataset).startswith(f"{BASE}graph/")
    }
    files = {p.relative_to(ONTOLOGY.parent).as_posix() for p in ONTOLOGY.glob("*.ttl")}
    assert files <= set(described)
    for source, dataset in described.items():
        assert (ONTOLOGY.parent / source).is_file(), source
        assert dataset == f"{BASE}graph/{source.removesuffix('.ttl')}"
