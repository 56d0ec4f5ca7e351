"""Placement rules as data (shapes/levels.ttl): the pilot's provisional all-eight rule and a rule of
'at least N of the eight, with these parameters mandatory', both evaluated by the same code.

The records are the generated threshold cases of tests/shapes/ (found by their stated edge, so a
regeneration that renumbers them does not matter); the guide's rule is swapped in the criteria
quads only, as a changed guide file would do.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from catalogue import Catalogue
from catalogue.compliance.check import Record
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.placement import Scheme
from catalogue.compliance.rule import PlacementRule, RuleError, rules
from catalogue.namespaces import BASE, GRAPH, SK

CASES = Path(__file__).parent / "shapes"
GUIDE = ox.NamedNode(f"{BASE}shapes/guides/autisme")
EQUAL = ox.NamedNode(f"{BASE}shapes/levels#EqualWeight")
SIX = ox.NamedNode(f"{BASE}shapes/levels#SixOfEightWithActivePractice")
RULE = ox.NamedNode(str(SK.placementRule))


def param(code: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}vocab/parameter/{code}")


def with_rule(criteria: Criteria, rule: ox.NamedNode | None) -> Criteria:
    """The criteria with the autism guide naming ``rule`` (None: naming no rule)."""
    kept = [q for q in criteria.reference if not (q.subject == GUIDE and q.predicate == RULE)]
    if rule is not None:
        kept.append(ox.Quad(GUIDE, RULE, rule, ox.NamedNode(f"{GRAPH}shapes/guides/autisme")))
    return Criteria(tuple(kept), f"{criteria.digest}-{rule}")


def case_record(edge: str) -> tuple[Record, list[ox.Quad]]:
    """The generated autism case whose stated edge is ``edge`` (e.g. 'AktivPraksisLet: below')."""
    path = next(p for p in sorted(CASES.glob("autisme-*/*.ttl")) if f"# {edge} (" in p.read_text())
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    provider = next(
        q.subject for q in quads if q.predicate == ox.NamedNode(str(SK.tilbudsportalenId))
    )
    tpid = provider.value.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    graph = ox.NamedNode(f"{GRAPH}provider/{tpid}")
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    return Record.of(tpid, quads), quads


@pytest.fixture(scope="module")
def criteria(knowledge_catalogue: Catalogue) -> Criteria:
    return Criteria.from_store(knowledge_catalogue.store)


def placed(criteria: Criteria, edge: str) -> str | None:
    record, quads = case_record(edge)
    results = FastPath(criteria).run_record(quads)
    outcome = Scheme(criteria).outcome(record.services, results)
    (service,) = record.services
    level = outcome.placements.get(service.iri)
    return None if level is None else level.value.rsplit("/", 1)[-1]


def test_every_guide_declares_the_provisional_equal_weight_rule(criteria: Criteria) -> None:
    found = rules(criteria.shapes)
    assert len(found) == 3
    assert {r.iri for r in found.values()} == {EQUAL}
    rule = next(iter(found.values()))
    assert rule.minimum is None and rule.cumulative and not rule.mandatory
    assert (rdflib.URIRef(EQUAL.value), SK.provisional, rdflib.Literal(True)) in criteria.shapes


def test_rules_hold_as_declared_on_one_level(criteria: Criteria) -> None:
    equal = PlacementRule.read(criteria.shapes, rdflib.URIRef(EQUAL.value))
    six = PlacementRule.read(criteria.shapes, rdflib.URIRef(SIX.value))
    eight = Scheme(criteria).parameters
    assert equal.holds(eight, eight) and not equal.holds(eight[1:], eight)
    assert six.minimum == 6 and six.mandatory == {param("aktiv-praksis"), param("fagmiljoe")}
    without_two = [p for p in eight if p not in (param("metoder"), param("samarbejde"))]
    assert six.holds(without_two, eight)
    assert not six.holds(without_two[:-1], eight)  # five of eight
    assert not six.holds([p for p in eight if p != param("aktiv-praksis")], eight)  # mandatory


def test_all_eight_rule_places_a_service_missing_one_moderat_parameter_on_let(
    criteria: Criteria,
) -> None:
    assert placed(with_rule(criteria, EQUAL), "SamarbejdeModerat: one-missing") == "let"
    assert placed(with_rule(criteria, EQUAL), "AktivPraksisLet: below") is None
    assert placed(with_rule(criteria, EQUAL), "SamarbejdeLet: none") is None


def test_at_least_six_rule_changes_placements_without_code_changes(criteria: Criteria) -> None:
    # one cooperation sector short of moderat: seven of eight hold, the mandatory ones among them
    assert placed(with_rule(criteria, SIX), "SamarbejdeModerat: one-missing") == "hoej"
    # active practice is mandatory: missing it on let places nothing however much else holds
    assert placed(with_rule(criteria, SIX), "AktivPraksisLet: below") is None
    # ad hoc cooperation only: let holds either way
    assert placed(with_rule(criteria, SIX), "SamarbejdeLet: none") == "hoej"


def test_a_guide_naming_no_rule_uses_the_declared_default(criteria: Criteria) -> None:
    (service,) = case_record("SamarbejdeLet: none")[0].services
    assert rules(with_rule(criteria, None).shapes)[service.target_group].iri == EQUAL


def test_an_undeclared_rule_is_refused(criteria: Criteria) -> None:
    with pytest.raises(RuleError, match="not a declared"):
        rules(with_rule(criteria, ox.NamedNode(f"{BASE}shapes/levels#NoSuchRule")).shapes)
