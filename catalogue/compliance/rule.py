"""Placement rules: how the parameter verdicts of the levels make a service's computed level.

The rules are knowledge (``sk:PlacementRule`` in shapes/levels.ttl): a guide names its rule with
``sk:placementRule``, and a guide that names none uses the rule the criteria name as
``sk:defaultPlacementRule``. A rule holds on a level when at least ``sk:minimumParameters`` of the
parameters hold there (every parameter when the rule gives no number) and every
``sk:mandatoryParameter`` is among them. A cumulative rule (``sk:cumulative true``) places a service
on a level only when the rule also holds on every level below it; otherwise the highest level where
the rule holds counts. Nothing is placed when no specialised level holds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from catalogue.compliance.results import to_ox
from catalogue.namespaces import SK


class RuleError(ValueError):
    """The criteria declare no usable placement rule for a guide."""


def _named(node: rdflib.term.Node) -> ox.NamedNode:
    term = to_ox(node)
    assert isinstance(term, ox.NamedNode)
    return term


@dataclass(frozen=True)
class PlacementRule:
    iri: ox.NamedNode
    minimum: int | None  # None: every parameter
    mandatory: frozenset[ox.NamedNode]
    cumulative: bool

    @classmethod
    def read(cls, g: rdflib.Graph, rule: rdflib.term.Node) -> PlacementRule:
        if (rule, rdflib.RDF.type, SK.PlacementRule) not in g:
            raise RuleError(f"{rule} is not a declared sk:PlacementRule")
        minimum = g.value(rule, SK.minimumParameters)
        cumulative = g.value(rule, SK.cumulative)
        return cls(
            _named(rule),
            None if minimum is None else int(str(minimum)),
            frozenset(_named(p) for p in g.objects(rule, SK.mandatoryParameter)),
            isinstance(cumulative, rdflib.Literal) and cumulative.toPython() is True,
        )

    def holds(self, holding: Collection[ox.NamedNode], parameters: Sequence[ox.NamedNode]) -> bool:
        """Whether the rule holds on a level where ``holding`` are the parameters that hold."""
        met = set(holding) & set(parameters)
        need = len(parameters) if self.minimum is None else self.minimum
        return self.mandatory <= met and len(met) >= need

    def place(
        self,
        levels: Sequence[ox.NamedNode],
        holding: Mapping[ox.NamedNode, Collection[ox.NamedNode]],
        parameters: Sequence[ox.NamedNode],
    ) -> ox.NamedNode | None:
        """The level reached over the specialised ``levels`` (lowest first), or None."""
        reached = None
        for level in levels:
            if self.holds(holding.get(level, ()), parameters):
                reached = level
            elif self.cumulative:
                break
        return reached


def rules(g: rdflib.Graph) -> dict[ox.NamedNode, PlacementRule]:
    """Target group -> its guide's placement rule (the declared default where it names none)."""
    defaults = set(g.objects(None, SK.defaultPlacementRule))
    if len(defaults) > 1:
        raise RuleError(
            f"the criteria declare {len(defaults)} default placement rules; one is allowed"
        )
    default = next(iter(defaults), None)
    found: dict[ox.NamedNode, PlacementRule] = {}
    for guide in set(g.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)):
        groups = list(g.objects(guide, SK.forTargetGroup))
        if not groups:
            continue
        named = list(g.objects(guide, SK.placementRule))
        if len(named) > 1:
            raise RuleError(f"the guide {guide} names {len(named)} placement rules; one is allowed")
        rule = named[0] if named else default
        if rule is None:
            raise RuleError(f"the guide {guide} names no placement rule and there is no default")
        for tg in groups:
            found[_named(tg)] = PlacementRule.read(g, rule)
    return found
