"""From validation results to placements, parameter verdicts and qualifications.

- A **level criterion** is a guide shape that refines a generic level criterion (``sk:refines``); it
  names its target group (``sk:forTargetGroup``), parameter and level. A parameter holds on a level
  for a service when no result of any of that cell's criteria has the service as focus node.
- **Placement**: a service whose target group has a guide is placed by the guide's placement rule
  (``rule``; data in shapes/levels.ttl): the pilot's provisional rule places it at the highest level
  up to which the criteria of all eight parameters hold on every level (the parameters weigh
  equally; levels are cumulative). A service that does not meet the first specialised level (let)
  is not placed ("ikke indplaceret"): the catalogue holds specialised offers, and almenområdet is
  the general welfare services (seed 002), never a computed placement. A provider that does not
  conform (any sh:Violation: integrity or the prerequisite fornøden kvalitet) has no service placed.
- **Qualification**: for each specialfunktion of the service's target group, the service meets it
  when the provider conforms and none of the parts of the function's criteria shape (the targeted
  shapes it reaches by ``sh:node``: the guide's criteria and the function's requirements) reports on
  the service, which is exactly when the service conforms to the criteria shape. How many of those
  parts report on the service is kept too (``sk:missingCriteria``): one or two make a near miss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH, SKOS

from catalogue.compliance.criteria import Criteria
from catalogue.compliance.results import Result, to_ox
from catalogue.compliance.rule import PlacementRule, rules
from catalogue.namespaces import SK, VOCAB

PROVIDER_KIND = rdflib.URIRef(f"{VOCAB}parameter-kind/leverandoer")


@dataclass(frozen=True)
class Service:
    iri: ox.NamedNode
    target_group: ox.NamedNode


@dataclass(frozen=True)
class Verdict:
    service: ox.NamedNode
    parameter: ox.NamedNode
    level: ox.NamedNode
    holds: bool


@dataclass(frozen=True)
class Qualification:
    service: ox.NamedNode
    function: ox.NamedNode
    meets: bool
    missing: int  # how many of the function's criteria report on the service


@dataclass
class Outcome:
    """What a provider's results mean."""

    conforms: bool
    placements: dict[ox.NamedNode, ox.NamedNode] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)


def _named(node: rdflib.term.Node) -> ox.NamedNode:
    term = to_ox(node)
    assert isinstance(term, ox.NamedNode)
    return term


class Scheme:
    """Levels, parameters, level criteria and specialfunktioner, as the criteria define them."""

    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria

    @cached_property
    def levels(self) -> list[ox.NamedNode]:
        """All levels by rank, 'almen' (rank 0) first (it is never a computed placement)."""
        g = self.criteria.knowledge
        ranked = sorted(
            (int(str(r)), lv)
            for lv, r in g.subject_objects(SK.rank)
            if (lv, rdflib.RDF.type, SK.Level) in g
        )
        return [_named(lv) for _, lv in ranked]

    @cached_property
    def parameters(self) -> list[ox.NamedNode]:
        """The eight provider parameters in notation order."""
        g = self.criteria.knowledge
        found = [
            (str(g.value(p, SKOS.notation)), p) for p in g.subjects(SK.parameterKind, PROVIDER_KIND)
        ]
        return [_named(p) for _, p in sorted(found, key=lambda x: int(x[0]))]

    @cached_property
    def cells(
        self,
    ) -> dict[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode], frozenset[ox.NamedNode]]:
        """(target group, parameter, level) -> the guide criteria shapes of that cell."""
        g = self.criteria.shapes
        found: dict[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode], set[ox.NamedNode]] = (
            defaultdict(set)
        )
        for shape in set(g.subjects(SK.refines, None)):
            for tg in g.objects(shape, SK.forTargetGroup):
                for p in g.objects(shape, SK.parameter):
                    for lv in g.objects(shape, SK.level):
                        found[(_named(tg), _named(p), _named(lv))].add(_named(shape))
        return {k: frozenset(v) for k, v in found.items()}

    @cached_property
    def guided(self) -> set[ox.NamedNode]:
        return {tg for tg, _, _ in self.cells}

    @cached_property
    def rules(self) -> dict[ox.NamedNode, PlacementRule]:
        """Target group -> its guide's placement rule (shapes/levels.ttl; see ``rule``)."""
        return rules(self.criteria.shapes)

    @cached_property
    def functions(self) -> dict[ox.NamedNode, list[tuple[ox.NamedNode, frozenset[ox.NamedNode]]]]:
        """Target group -> [(specialfunktion, the targeted shapes its criteria shape reaches)]."""
        g, shapes = self.criteria.knowledge, self.criteria.shapes
        found: dict[ox.NamedNode, list[tuple[ox.NamedNode, frozenset[ox.NamedNode]]]]
        found = defaultdict(list)
        for function, shape in g.subject_objects(SK.criteriaShape):
            parts = {
                _named(s)
                for s in shapes.transitive_objects(shape, SH.node)
                if s is not None and (s, SH.targetClass, None) in shapes
            }
            for tg in g.objects(function, SK.targetGroup):
                found[_named(tg)].append((_named(function), frozenset(parts)))
        return {tg: sorted(fs, key=lambda f: f[0].value) for tg, fs in found.items()}

    def outcome(self, services: Iterable[Service], results: Iterable[Result]) -> Outcome:
        results = list(results)
        conforms = not any(r.is_violation for r in results)
        failing: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
        for r in results:
            if isinstance(r.focus, ox.NamedNode) and isinstance(r.shape, ox.NamedNode):
                failing[r.focus].add(r.shape)
        outcome = Outcome(conforms)
        specialised = self.levels[1:]
        for service in sorted(services, key=lambda s: s.iri.value):
            failed = failing.get(service.iri, set())
            if service.target_group in self.guided:
                holding: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
                for level in specialised:
                    for parameter in self.parameters:
                        shapes = self.cells.get(
                            (service.target_group, parameter, level), frozenset()
                        )
                        holds = not (shapes & failed)
                        outcome.verdicts.append(Verdict(service.iri, parameter, level, holds))
                        if holds:
                            holding[level].add(parameter)
                rule = self.rules[service.target_group]
                reached = rule.place(specialised, holding, self.parameters)
                if conforms and reached is not None:
                    outcome.placements[service.iri] = reached
            for function, parts in self.functions.get(service.target_group, []):
                missing = len(parts & failed)
                outcome.qualifications.append(
                    Qualification(service.iri, function, conforms and not missing, missing)
                )
        return outcome
