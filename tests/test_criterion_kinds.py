"""The registry of criterion kinds: shapes/components.ttl, read by catalogue/compliance/kinds.py."""

from __future__ import annotations

import rdflib

from catalogue.compliance import kinds
from catalogue.config import knowledge_paths
from catalogue.demo.criteria import HANDLERS
from catalogue.namespaces import SK


def test_a_criterion_with_a_components_mandatory_parameters_is_of_that_kind() -> None:
    components = kinds.mandatory_parameters()
    assert kinds.MINIMUM_SHARE in components and len(components) >= 9
    for component, parameters in components.items():
        assert kinds.kind_of(parameters | {str(SK.level), str(SK.forTargetGroup)}) == component
    assert kinds.kind_of({str(SK.evidence)}) is None  # evidence alone activates nothing


def test_every_guide_criterion_has_a_kind_the_demo_can_meet_and_miss() -> None:
    shapes = rdflib.Graph()
    for path in sorted((knowledge_paths()["shapes"] / "guides").glob("*.ttl")):
        shapes.parse(path)
    criteria = set(shapes.subjects(SK.refines, None))
    assert len(criteria) > 20
    for criterion in criteria:
        kind = kinds.kind_of(str(p) for p in shapes.predicates(criterion))
        assert kind in HANDLERS, criterion
