"""Metamorphic properties of the criteria: more evidence never lowers a placement.

The product owner's check, as property tests over demo providers (catalogue/demo, 20 providers,
seed 7): a provider's record is changed by one to three steps of *more evidence*, checked again,
and no service may be placed lower than before, and every specialfunktion qualification it held
it must still hold. The other direction, from the same demo records: *less evidence* never raises a
placement and never gives a qualification that was not held.

**More evidence** (docs/ENGINE.md, "Metamorphic properties"), for one service or its provider, is
any of the following; each keeps the record's integrity (shapes/integrity.ttl), so a step never
makes the provider fail fornøden kvalitet or the data checks:

- one more method, certification, aid or technology, competence, age group, sub-target group
  (service) or offer type, legal basis (provider): a concept of the class integrity asks for;
- more citizens served, more citizens with complex needs (citizens served raised with them);
- more staff holding a qualification (relevant practical experience, 3 or 5 years of experience,
  relevant education, further education, competence in aids), at most the count integrity caps it
  by: the same staff, better qualified;
- longer experience: staff move up to relevant practical experience, to 3 and to 5 years (each at
  most the count below it);
- hiring qualified staff: the staff count and every qualification count rise together (a new
  colleague with experience, education, further education and competence in aids);
- a cover arrangement or professional supervision that was not there;
- lower staff turnover;
- one more cooperation agreement (any sector, formal or not), or an informal agreement made
  formal;
- one more knowledge activity (any type);
- one more target group served (a new service with the figures of an existing one);
- a better quality-assessment score (within 1-5), one more approval in force (status godkendt),
  a provider no longer under enhanced supervision.

**Not more evidence**: a higher staff count alone. Seed 002, box 4, measures experience, education
and competence in aids as "en relevant andel" / "en passende andel" of the staff: untrained
colleagues lower those shares, and the seed means them to (a larger but less qualified staff is a
less specialised environment). ``test_untrained_staff_may_lower_a_share`` keeps a counter-example.
A withdrawn approval or skærpet tilsyn is negative evidence, never "more".

*Less evidence* is the inverse of each step above (a removed value, agreement or activity, fewer
citizens or qualified staff, a qualified colleague leaving, ...); a removal may break integrity
(an age group is required), which can only lower a placement, so the property still applies.

The demo records go through the guides' own placement rule; every other rule declared in
shapes/levels.ttl is checked on its own, exhaustively (more parameters or levels holding).

Budgets: ``examples(20)`` per property in `make test`, five times more with the thorough profile of
`make test-all`, which alone also runs the pyshacl variant (marked slow).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import combinations, product
from typing import TypeVar

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF

from catalogue.compliance import oracle
from catalogue.compliance.check import Engine, engine_for, provider_ids, record_quads
from catalogue.compliance.placement import Service
from catalogue.compliance.results import Term
from catalogue.compliance.rule import PlacementRule
from catalogue.namespaces import RDF_TYPE, SK, VOCAB, sk
from catalogue.store import EmbeddedStore
from tests.conftest import demo_catalogue_with, examples

PROVIDERS, SEED = 20, 7
XSD = "http://www.w3.org/2001/XMLSchema#"

Quads = list[ox.Quad]
Step = Callable[["Change"], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Standing:
    """Where a record's services stand: placement ranks (0: not placed) and qualifications held."""

    ranks: dict[str, int]
    qualified: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Demo:
    engine: Engine
    records: dict[str, tuple[ox.Quad, ...]]
    pools: dict[str, list[ox.NamedNode]]  # class local name -> its concepts in the knowledge


@cache
def demo() -> Demo:
    catalogue = demo_catalogue_with(PROVIDERS, SEED)
    assert isinstance(catalogue.store, EmbeddedStore)
    engine = engine_for(catalogue.store)
    records = {t: tuple(record_quads(catalogue.store, t)) for t in provider_ids(catalogue.store)}
    pools: dict[str, list[ox.NamedNode]] = {}
    for name in (*CONCEPT_CLASSES.values(), "Sector", "KnowledgeActivityType", "TargetGroup"):
        found = {
            q.subject for q in catalogue.store.oxigraph.quads_for_pattern(None, RDF_TYPE, sk(name))
        }
        pools[name] = sorted((c for c in found if isinstance(c, ox.NamedNode)), key=str)
    catalogue.close()
    return Demo(engine, records, pools)


def standing(quads: Quads, engine: str = "fast") -> Standing:
    d = demo()
    results = (
        d.engine.fast.run_record(quads)
        if engine == "fast"
        else oracle.validate_record(d.engine.criteria, quads)
    )
    services = _services(quads)
    outcome = d.engine.scheme.outcome(services, results)
    levels = d.engine.scheme.levels
    ranks = {s.iri.value: 0 for s in services}
    ranks |= {s.value: levels.index(lv) for s, lv in outcome.placements.items()}
    held = {(q.service.value, q.function.value) for q in outcome.qualifications if q.meets}
    return Standing(ranks, frozenset(held))


@cache
def base_standing(tpid: str) -> Standing:
    return standing(list(demo().records[tpid]))


def not_lower(before: Standing, after: Standing) -> list[str]:
    """What got worse from ``before`` to ``after`` (empty: nothing)."""
    worse = [
        f"{s}: {r} -> {after.ranks.get(s, 0)}"
        for s, r in before.ranks.items()
        if after.ranks.get(s, 0) < r
    ]
    worse += [f"lost {q}" for q in sorted(before.qualified - after.qualified)]
    return worse


def _services(quads: Sequence[ox.Quad]) -> list[Service]:
    """The record's target group services (as the check reads them)."""
    target_group = sk("targetGroup")
    found = {
        Service(q.subject, q.object)
        for q in quads
        if q.predicate == target_group
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.NamedNode)
    }
    return sorted(found, key=lambda s: s.iri.value)


# --- reading and changing a record ------------------------------------------------------------


SERVICE_CONCEPTS = {
    "method": "Method",
    "certification": "Certification",
    "aidOrTechnology": "AidOrTechnology",
    "competence": "Competence",
    "ageGroup": "AgeGroup",
    "subTargetGroup": "SubTargetGroup",
}
PROVIDER_CONCEPTS = {"offerType": "OfferType", "legalBasis": "LegalBasis"}
CONCEPT_CLASSES = SERVICE_CONCEPTS | PROVIDER_CONCEPTS
QUALIFIED = (
    "staffWithRelevantExperience",
    "staffWith3YearsExperience",
    "staffWith5YearsExperience",
    "staffWithRelevantEducation",
    "staffWithFurtherEducation",
    "staffWithAidsCompetence",
)
CAP = {  # a count and the count it may not exceed (integrity), each cap before what it caps
    "staffWithRelevantExperience": "staffCount",
    "staffWith3YearsExperience": "staffWithRelevantExperience",
    "staffWith5YearsExperience": "staffWith3YearsExperience",
    "staffWithRelevantEducation": "staffCount",
    "staffWithFurtherEducation": "staffCount",
    "staffWithAidsCompetence": "staffCount",
    "citizensWithComplexNeeds": "citizensServed",
}
EXPERIENCE = (
    "staffWithRelevantExperience",
    "staffWith3YearsExperience",
    "staffWith5YearsExperience",
)


@dataclass
class Change:
    """One record being changed, for one of its services."""

    quads: Quads
    service: ox.NamedNode
    draw: st.DrawFn

    @property
    def graph(self) -> ox.NamedNode:
        g = self.quads[0].graph_name
        assert isinstance(g, ox.NamedNode)
        return g

    @property
    def provider(self) -> ox.NamedNode:
        found = self.objects(self.service, "provider")
        assert isinstance(found[0], ox.NamedNode)
        return found[0]

    def objects(self, subject: ox.NamedNode, name: str) -> list[Term]:
        p = sk(name)
        found = (q.object for q in self.quads if q.subject == subject and q.predicate == p)
        return [o for o in found if not isinstance(o, ox.Triple)]

    def named(self, subject: ox.NamedNode, name: str) -> list[ox.NamedNode]:
        return [o for o in self.objects(subject, name) if isinstance(o, ox.NamedNode)]

    def number(self, name: str, subject: ox.NamedNode | None = None) -> int:
        found = self.objects(subject or self.service, name)
        return int(found[0].value) if found else 0  # type: ignore[union-attr]

    def add(self, subject: ox.NamedNode, name: str, obj: Term) -> None:
        self.quads.append(ox.Quad(subject, sk(name), obj, self.graph))

    def drop(self, subject: ox.NamedNode, name: str, obj: Term | None = None) -> None:
        p = sk(name)
        self.quads = [
            q
            for q in self.quads
            if not (q.subject == subject and q.predicate == p and obj in (None, q.object))
        ]

    def set(self, subject: ox.NamedNode, name: str, obj: Term) -> None:
        self.drop(subject, name)
        self.add(subject, name, obj)

    def set_count(self, name: str, value: int) -> None:
        self.set(
            self.service,
            name,
            ox.Literal(str(max(value, 0)), datatype=ox.NamedNode(f"{XSD}integer")),
        )

    def pick(self, items: Sequence[T]) -> T | None:
        return self.draw(st.sampled_from(items)) if items else None

    def amount(self) -> int:
        return self.draw(st.integers(1, 5))

    def node(self, kind: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.service.value}/metamorphic-{kind}/{len(self.quads)}")

    def linked(self, link: str) -> list[ox.NamedNode]:
        return self.named(self.service, link)


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(f"{XSD}boolean"))


def dec(value: Decimal) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}decimal"))


# --- more evidence ----------------------------------------------------------------------------


def more_concept(c: Change) -> None:
    name = c.draw(st.sampled_from(sorted(CONCEPT_CLASSES)))
    subject = c.service if name in SERVICE_CONCEPTS else c.provider
    have = set(c.objects(subject, name))
    concept = c.pick([x for x in demo().pools[CONCEPT_CLASSES[name]] if x not in have])
    if concept is not None:
        c.add(subject, name, concept)


def more_qualified(c: Change) -> None:
    """The same staff, better qualified; or more citizens (with complex needs)."""
    name = c.draw(st.sampled_from([*QUALIFIED, "citizensServed", "citizensWithComplexNeeds"]))
    value = c.number(name) + c.amount()
    if name == "citizensWithComplexNeeds":
        c.set_count("citizensServed", max(c.number("citizensServed"), value))
    elif name in CAP:
        value = min(value, c.number(CAP[name]))
    c.set_count(name, value)


def longer_experience(c: Change) -> None:
    k = c.amount()
    cap = c.number("staffCount")
    for name in EXPERIENCE:
        cap = min(c.number(name) + k, cap)
        c.set_count(name, cap)


def hire_qualified(c: Change) -> None:
    k = c.amount()
    for name in ("staffCount", *QUALIFIED):
        c.set_count(name, c.number(name) + k)


def more_arrangements(c: Change) -> None:
    c.set(
        c.service,
        c.draw(st.sampled_from(["hasCoverArrangement", "hasProfessionalSupervision"])),
        boolean(True),
    )


def lower_turnover(c: Change) -> None:
    found = c.objects(c.service, "staffTurnover")
    if found:
        now = Decimal(found[0].value)  # type: ignore[union-attr]
        c.set(
            c.service,
            "staffTurnover",
            dec(now * Decimal(c.draw(st.sampled_from(["0", "0.5", "0.9"])))),
        )  # type: ignore[arg-type]


def more_cooperation(c: Change) -> None:
    informal = [
        a
        for a in c.linked("cooperationAgreement")
        if isinstance(a, ox.NamedNode) and c.objects(a, "formal") != [boolean(True)]
    ]
    make_formal = c.draw(st.booleans())
    chosen = c.pick(informal)
    if chosen is not None and make_formal:
        c.set(chosen, "formal", boolean(True))
        return
    sector = c.pick(demo().pools["Sector"])
    agreement = c.node("agreement")
    c.add(agreement, "sector", sector)  # type: ignore[arg-type]
    c.add(agreement, "formal", boolean(c.draw(st.booleans())))  # type: ignore[arg-type]
    c.quads.append(ox.Quad(agreement, RDF_TYPE, sk("CooperationAgreement"), c.graph))
    c.add(c.service, "cooperationAgreement", agreement)


def more_knowledge(c: Change) -> None:
    kind = c.pick(demo().pools["KnowledgeActivityType"])
    activity = c.node("activity")
    c.add(activity, "activityType", kind)  # type: ignore[arg-type]
    c.quads.append(ox.Quad(activity, RDF_TYPE, sk("KnowledgeActivity"), c.graph))
    c.add(c.service, "knowledgeActivity", activity)


def better_standing(c: Change) -> None:
    """A better quality score, one more approval in force, or no longer under skærpet tilsyn."""
    what = c.draw(st.sampled_from(["score", "approval", "supervision"]))
    if what == "supervision":
        c.set(c.provider, "underEnhancedSupervision", boolean(False))
    elif what == "approval":
        approval = c.node("approval")
        c.quads.append(ox.Quad(approval, RDF_TYPE, sk("Approval"), c.graph))
        c.add(approval, "approvalStatus", ox.NamedNode(f"{VOCAB}approval-status/godkendt"))
        c.add(approval, "validFrom", ox.Literal("2025-01-01", datatype=ox.NamedNode(f"{XSD}date")))
        c.add(c.provider, "hasApproval", approval)
    else:
        assessment = c.pick(c.named(c.provider, "hasQualityAssessment"))
        if assessment is not None:
            score = Decimal(c.objects(assessment, "score")[0].value)  # type: ignore[arg-type, union-attr]
            c.set(assessment, "score", dec(min(Decimal(5), score + Decimal("0.5"))))  # type: ignore[arg-type]


def serve_another_group(c: Change) -> None:
    """One more target group served: a copy of the service's figures for a group not yet served."""
    served = {s.target_group for s in _services(c.quads)}
    group = c.pick([g for g in demo().pools["TargetGroup"] if g not in served])
    if group is None:
        return
    new = ox.NamedNode(f"{c.service.value}-metamorphic-{len(c.quads)}")
    target_group = sk("targetGroup")
    c.quads += [
        ox.Quad(new, q.predicate, group if q.predicate == target_group else q.object, c.graph)
        for q in c.quads
        if q.subject == c.service
    ]
    c.add(c.provider, "serves", new)


MORE = [
    serve_another_group,
    more_concept,
    more_qualified,
    longer_experience,
    hire_qualified,
    more_arrangements,
    lower_turnover,
    more_cooperation,
    more_knowledge,
    better_standing,
]


# --- less evidence ----------------------------------------------------------------------------


def less_concept(c: Change) -> None:
    name = c.draw(st.sampled_from(sorted(CONCEPT_CLASSES)))
    subject = c.service if name in SERVICE_CONCEPTS else c.provider
    concept = c.pick(c.objects(subject, name))
    if concept is not None:
        c.drop(subject, name, concept)


def less_qualified(c: Change) -> None:
    """Fewer qualified staff or citizens; counts capped by this one follow it down."""
    name = c.draw(st.sampled_from([*QUALIFIED, "citizensServed", "citizensWithComplexNeeds"]))
    c.set_count(name, max(c.number(name) - c.amount(), 0))
    for below, cap in CAP.items():  # in order: a count lowered here lowers the ones it caps
        if c.number(below) > c.number(cap):
            c.set_count(below, c.number(cap))


def qualified_leave(c: Change) -> None:
    """Colleagues holding every qualification leave (as many as hold them all)."""
    k = min(c.amount(), *(c.number(n) for n in QUALIFIED))
    for name in ("staffCount", *QUALIFIED):
        c.set_count(name, c.number(name) - k)


def fewer_arrangements(c: Change) -> None:
    name = c.draw(st.sampled_from(["hasCoverArrangement", "hasProfessionalSupervision"]))
    c.set(c.service, name, boolean(False))


def higher_turnover(c: Change) -> None:
    found = c.objects(c.service, "staffTurnover")
    if found:
        now = Decimal(found[0].value)
        c.set(c.service, "staffTurnover", dec(min(Decimal(1), now + Decimal("0.1"))))


def less_linked(c: Change) -> None:
    """An agreement or activity removed, or a formal agreement made informal."""
    link = c.draw(st.sampled_from(["cooperationAgreement", "knowledgeActivity"]))
    item = c.pick(c.linked(link))
    if item is None:
        return
    if link == "cooperationAgreement" and c.draw(st.booleans()):
        c.set(item, "formal", boolean(False))
    else:
        c.drop(c.service, link, item)


def worse_standing(c: Change) -> None:
    """A lower quality score, an approval in force gone, or skærpet tilsyn."""
    what = c.draw(st.sampled_from(["score", "approval", "supervision"]))
    if what == "supervision":
        c.set(c.provider, "underEnhancedSupervision", boolean(True))
    elif what == "approval":
        approval = c.pick(c.objects(c.provider, "hasApproval"))
        if approval is not None:
            c.drop(c.provider, "hasApproval", approval)
    else:
        assessment = c.pick(c.named(c.provider, "hasQualityAssessment"))
        if assessment is not None:
            score = Decimal(c.objects(assessment, "score")[0].value)
            c.set(assessment, "score", dec(max(Decimal(1), score - Decimal("0.5"))))


LESS = [
    less_concept,
    less_qualified,
    qualified_leave,
    fewer_arrangements,
    higher_turnover,
    less_linked,
    worse_standing,
]


# --- the properties ---------------------------------------------------------------------------


@st.composite
def changed(draw: st.DrawFn, steps: Sequence[Step]) -> tuple[str, Quads]:
    """A demo provider's record after one to three of ``steps``, each on one of its services."""
    records = demo().records
    tpid = draw(st.sampled_from([t for t in sorted(records) if _services(records[t])]))
    quads = list(records[tpid])
    for _ in range(draw(st.integers(1, 3))):
        change = Change(quads, draw(st.sampled_from(_services(records[tpid]))).iri, draw)
        draw(st.sampled_from(steps))(change)
        quads = change.quads
    return tpid, quads


def budget(default: int) -> settings:
    """Derandomized, ``examples(default)`` of them (more in `make test-all`)."""
    return settings(
        max_examples=examples(default),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@budget(20)
@given(changed(MORE))
def test_more_evidence_never_lowers_a_placement(case: tuple[str, Quads]) -> None:
    tpid, quads = case
    assert not_lower(base_standing(tpid), standing(quads)) == []


@budget(20)
@given(changed(LESS))
def test_less_evidence_never_raises_a_placement(case: tuple[str, Quads]) -> None:
    tpid, quads = case
    assert not_lower(standing(quads), base_standing(tpid)) == []


@pytest.mark.slow
@budget(3)
@given(changed(MORE))
def test_more_evidence_never_lowers_a_placement_reference_engine(case: tuple[str, Quads]) -> None:
    """The same property with pyshacl, which must also agree with the compiled engine."""
    tpid, quads = case
    before = standing(list(demo().records[tpid]), "pyshacl")
    after = standing(quads, "pyshacl")
    assert before == base_standing(tpid)
    assert after == standing(quads)
    assert not_lower(before, after) == []


# --- the placement rules alone -----------------------------------------------------------------


def test_every_declared_placement_rule_places_no_lower_with_more_holding() -> None:
    """The layer that turns parameter verdicts into a computed level, for every sk:PlacementRule in
    shapes/levels.ttl (not only the one the guides name), exhaustively: one more parameter holding
    never makes a rule stop holding on a level, and one more level where it holds never lowers
    the level placed. Together: more evidence never lowers a placement under any declared rule."""
    shapes, scheme = demo().engine.criteria.shapes, demo().engine.scheme
    declared = sorted(shapes.subjects(RDF.type, SK.PlacementRule), key=str)
    assert len(declared) >= 2  # the guides' rule and at least one alternative
    parameters, levels = scheme.parameters, scheme.levels[1:]
    for node in declared:
        rule = PlacementRule.read(shapes, node)
        for k in range(len(parameters) + 1):
            for holding in map(set, combinations(parameters, k)):
                if rule.holds(holding, parameters):
                    for more in set(parameters) - holding:
                        assert rule.holds(holding | {more}, parameters), (rule.iri, holding, more)
        assert rule.holds(parameters, parameters) and not rule.holds((), parameters)

        def rank(holds_on: Sequence[bool], rule: PlacementRule = rule) -> int:
            by_level = {lv: parameters if h else [] for lv, h in zip(levels, holds_on, strict=True)}
            placed = rule.place(levels, by_level, parameters)
            return 0 if placed is None else levels.index(placed) + 1

        for holds_on in product([False, True], repeat=len(levels)):
            for i in (i for i, h in enumerate(holds_on) if not h):
                more_on = [*holds_on[:i], True, *holds_on[i + 1 :]]
                assert rank(more_on) >= rank(holds_on), (rule.iri, holds_on, i)
