"""Criteria governance: every guide and the specialty plan carry a version, a status from the
project's scheme (aligned to ADMS), the specialistgruppe that wrote it (organisations and roles)
and sources; a check's report names the guide versions it used in its PROV-O."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS

from catalogue import Catalogue
from catalogue.compliance import check
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.governance import document_versions
from catalogue.compliance.report import criteria_set
from catalogue.namespaces import (
    ADMS,
    BASE,
    CRITERIA_SETS,
    CRITERIA_VERSIONS_GRAPH,
    ID,
    ORG,
    SK,
    VOCAB,
    provider_graph,
    report_iri,
)
from tests.conftest import demo_catalogue_with

ADMS_STATUS = "http://purl.org/adms/status/"
GUIDES = ("autisme", "erhvervet-hjerneskade", "synsnedsaettelse")


@pytest.fixture(scope="module")
def knowledge(knowledge_catalogue: Catalogue) -> rdflib.Graph:
    return Criteria.from_store(knowledge_catalogue.store).knowledge


def test_status_scheme_has_four_statuses_aligned_to_adms(knowledge: rdflib.Graph) -> None:
    scheme = VOCAB["criteria-status"]
    statuses = set(knowledge.subjects(SKOS.inScheme, scheme))
    assert {str(s).rsplit("/", 1)[-1] for s in statuses} == {
        "udkast",
        "i-hoering",
        "vedtaget",
        "udgaaet",
    }
    for status in statuses:
        aligned = set(knowledge.objects(status, SKOS.exactMatch)) | set(
            knowledge.objects(status, SKOS.closeMatch)
        )
        assert len(aligned) == 1 and str(next(iter(aligned))).startswith(ADMS_STATUS), status
    drafts = {s for s in statuses if (s, SK.draft, rdflib.Literal(True)) in knowledge}
    assert drafts == {VOCAB["criteria-status/udkast"], VOCAB["criteria-status/i-hoering"]}


@pytest.mark.parametrize(
    "document", [f"{BASE}shapes/guides/{g}" for g in GUIDES] + [f"{ID}specialty-plan"]
)
def test_each_guide_and_the_plan_has_version_status_authors_and_sources(
    knowledge: rdflib.Graph, document: str
) -> None:
    doc = rdflib.URIRef(document)
    assert knowledge.value(doc, OWL.versionInfo) is not None
    status = knowledge.value(doc, ADMS.status)
    assert (status, SKOS.inScheme, VOCAB["criteria-status"]) in knowledge
    assert knowledge.value(doc, DCTERMS.issued) is not None
    assert list(knowledge.objects(doc, DCTERMS.source))
    creators = list(knowledge.objects(doc, DCTERMS.creator))
    assert creators and all((c, RDF.type, SK.SpecialistGroup) in knowledge for c in creators)
    # a draft has not taken effect
    if (status, SK.draft, rdflib.Literal(True)) in knowledge:
        assert knowledge.value(doc, SK.effectiveFrom) is None


def test_specialist_groups_are_organisations_and_roles_never_persons(
    knowledge: rdflib.Graph,
) -> None:
    for group in knowledge.subjects(RDF.type, SK.SpecialistGroup):
        memberships = list(knowledge.objects(group, ORG.hasMembership))
        assert len(memberships) >= 5
        for m in memberships:
            assert (knowledge.value(m, ORG.role), SKOS.inScheme, None) in knowledge
            member = knowledge.value(m, ORG.member)
            assert member is None or (member, RDF.type, ORG.Organization) in knowledge


def test_a_report_names_the_guide_versions_its_check_used() -> None:
    catalogue = demo_catalogue_with(30, 11)
    versions = document_versions(Criteria.from_store(catalogue.store))
    assert {v.document.rsplit("/", 1)[-1] for v in versions} >= set(GUIDES)
    assert all(v.version == "3" and v.draft for v in versions if "/guides/" in v.document)
    (checked,) = check(catalogue.store, [catalogue_first_provider(catalogue)], force=True)
    report = report_iri(checked.tpid)
    rows = catalogue.store.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "PREFIX adms: <http://www.w3.org/ns/adms#> "
        "SELECT ?report ?v ?version ?status WHERE { ?report prov:wasGeneratedBy ?a . "
        "?a prov:used ?set . GRAPH ?set { ?set a prov:Collection ; prov:hadMember ?v . "
        "?v adms:status ?status } ?v prov:specializationOf ?doc ; owl:versionInfo ?version }",
        {"report": report},
    )
    used = {r["v"].value: (r["version"].value, r["status"].value) for r in rows}  # type: ignore[union-attr]
    assert {v.iri for v in versions} == set(used)
    assert {s for _, s in used.values()} == {f"{VOCAB}criteria-status/udkast"}


def test_what_never_changes_about_a_version_is_written_once_and_kept() -> None:
    catalogue = demo_catalogue_with(30, 11)
    store = catalogue.store
    versions = document_versions(Criteria.from_store(store))
    check(store, force=True)
    described = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in store.quads(CRITERIA_VERSIONS_GRAPH)
    }
    for v in versions:
        assert (v.iri, str(OWL.versionInfo), v.version) in described
        assert (v.iri, f"{PROV}specializationOf", v.document) in described
    in_report = {
        (q.predicate.value, q.object.value)
        for q in store.quads(report_iri(catalogue_first_provider(catalogue)))
        if q.predicate.value == f"{PROV}used" or q.subject.value in {v.iri for v in versions}
    }
    sets = {g for g in store.graph_names() if g.value.startswith(CRITERIA_SETS)}
    (used,) = sets  # one set of versions (and statuses) for every report of the check
    assert in_report == {
        (f"{PROV}used", used.value),
        (f"{PROV}used", provider_graph(catalogue_first_provider(catalogue)).value),
    }
    statuses = {
        (q.subject.value, q.object.value)
        for q in store.quads(used)
        if q.predicate.value == f"{ADMS}status"
    }
    assert statuses == {(v.iri, v.status) for v in versions if v.status}
    old = ox.Quad(
        ox.NamedNode(f"{versions[0].document}/version/2"),
        ox.NamedNode(str(OWL.versionInfo)),
        ox.Literal("2"),
        CRITERIA_VERSIONS_GRAPH,
    )
    store.add([old])  # a version an earlier check used
    check(store, force=True)
    assert old in set(store.quads(CRITERIA_VERSIONS_GRAPH))
    assert len(list(store.quads(CRITERIA_VERSIONS_GRAPH))) == len(described) + 1
    assert {g for g in store.graph_names() if g.value.startswith(CRITERIA_SETS)} == sets


def catalogue_first_provider(catalogue: Catalogue) -> str:
    graphs = sorted(
        g.value
        for g in catalogue.store.graph_names()
        if g.value.startswith(f"{BASE}graph/provider/")
    )
    return graphs[0].rsplit("/", 1)[-1]


def test_a_status_change_makes_a_new_set_of_versions() -> None:
    """A report names the versions and their status at the time of its check: the same versions in
    another status are another set (the earlier reports keep naming theirs)."""
    versions = document_versions(Criteria.from_store(demo_catalogue_with(30, 11).store))
    adopted = tuple(replace(v, status=f"{VOCAB}criteria-status/vedtaget") for v in versions)
    first, again, later = (
        criteria_set(versions),
        criteria_set(tuple(versions)),
        criteria_set(adopted),
    )
    assert first is not None and again is not None and later is not None
    assert first.graph == again.graph != later.graph
    assert f"{VOCAB}criteria-status/vedtaget" in later.ntriples
    assert criteria_set(()) is None
