"""The kinds of criterion (the constraint components of shapes/components.ttl), and the SHACL
features the compiled engine reads on a shape: the one home of both lists and of their rules.

A criterion's kind is the component whose mandatory parameters it has: ``activates`` is the rule
(with ``optional``, what makes a parameter not mandatory), and the compiler decides with it which
components a shape activates. The demo generator (``catalogue/demo/criteria.py``) and the
test-case generator (``tests/shapes/make_cases.py``) look up their handlers by this component IRI,
so a new kind is one component in components.ttl and one handler in each table.

The compiler (``compiler.py``) refuses a shape with any predicate in the sh: namespace that is not
in ``DESCRIPTIVE`` or ``STRUCTURAL`` below, nor a parameter of a core component
(``core.ttl``: which core components and parameter values are compiled is written there) or of a
SHACL-SPARQL component of the shapes graph. docs/ENGINE.md lists the same features for shape
authors; tests/test_compliance_engine.py checks that it names every one of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache

import pyoxigraph as ox
from rdflib.namespace import SH as SHACL

from catalogue.config import knowledge_paths
from catalogue.namespaces import RDF_TYPE, sk, term

SH = "http://www.w3.org/ns/shacl#"

# Predicates in the sh: namespace a shape may carry without changing what is validated, or that
# the compiler handles itself. Any other sh: predicate on a shape is refused.
DESCRIPTIVE = {
    SHACL.name,
    SHACL.description,
    SHACL.message,
    SHACL.severity,
    SHACL.order,
    SHACL.group,
    SHACL.defaultValue,
}
TARGETS = (SHACL.targetClass, SHACL.targetNode, SHACL.targetSubjectsOf, SHACL.targetObjectsOf)
LOGICAL = {  # shape-based constraints (SHACL 4.6) -> their components
    SHACL.node: SHACL.NodeConstraintComponent,
    SHACL["not"]: SHACL.NotConstraintComponent,
    SHACL["and"]: SHACL.AndConstraintComponent,
    SHACL["or"]: SHACL.OrConstraintComponent,
    SHACL.xone: SHACL.XoneConstraintComponent,
}
QUALIFIED = {
    SHACL.qualifiedValueShape,
    SHACL.qualifiedMinCount,
    SHACL.qualifiedMaxCount,
    SHACL.qualifiedValueShapesDisjoint,
}
CLOSED = {SHACL.closed, SHACL.ignoredProperties}
STRUCTURAL = {
    *TARGETS,
    *LOGICAL,
    *QUALIFIED,
    *CLOSED,
    SHACL.path,
    SHACL.property,
    SHACL.deactivated,
    SHACL.flags,
    SHACL.sparql,
}

MINIMUM_VALUE = sk("MinimumValueConstraintComponent").value
MINIMUM_VALUE_INCLUDING = sk("MinimumValueIncludingConstraintComponent").value
MAXIMUM_VALUE = sk("MaximumValueConstraintComponent").value
MINIMUM_SHARE = sk("MinimumShareConstraintComponent").value
REQUIRED_BOOLEAN = sk("RequiredBooleanConstraintComponent").value
MINIMUM_FROM_LIST = sk("MinimumFromListConstraintComponent").value
MINIMUM_LINKS = sk("MinimumLinksConstraintComponent").value
MAXIMUM_LINKS = sk("MaximumLinksConstraintComponent").value
FORMAL_COOPERATION = sk("FormalCooperationConstraintComponent").value
FUNCTION_REQUIREMENTS = sk("SpecialtyFunctionRequirementsConstraintComponent").value


Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _objects(store: ox.Store, subject: Node, predicate: str) -> list[Node]:
    if not isinstance(subject, ox.NamedNode | ox.BlankNode):
        return []
    return [q.object for q in store.quads_for_pattern(subject, term(SH, predicate), None)]


@cache
def mandatory_parameters() -> dict[str, frozenset[str]]:
    """Component IRI -> the IRIs of its mandatory (not sh:optional) parameters."""
    store = ox.Store()
    store.load(path=str(knowledge_paths()["shapes"] / "components.ttl"), format=ox.RdfFormat.TURTLE)
    found: dict[str, frozenset[str]] = {}
    for quad in store.quads_for_pattern(None, RDF_TYPE, term(SH, "ConstraintComponent")):
        names = set()
        for parameter in _objects(store, quad.subject, "parameter"):
            optional_ = optional(_objects(store, parameter, "optional"))
            paths = _objects(store, parameter, "path")
            if not optional_ and paths and isinstance(paths[0], ox.NamedNode):
                names.add(paths[0].value)
        if isinstance(quad.subject, ox.NamedNode):
            found[quad.subject.value] = frozenset(names)
    return found


def optional(values: Iterable[Node]) -> bool:
    """Whether a parameter with these values of sh:optional is optional: only the boolean literal
    true makes it so (SHACL 6.2.1)."""
    return ox.Literal(True) in list(values)


def activates(mandatory: Collection[str], given: Collection[str]) -> bool:
    """Whether a shape with values for the parameters ``given`` activates a constraint component
    with the ``mandatory`` parameters (predicate IRIs): it has a value for each (SHACL 1.0, 6.2;
    as pyshacl, a component without mandatory parameters is activated by every shape)."""
    return set(mandatory) <= set(given)


def kind_of(parameters: Iterable[str]) -> str | None:
    """The component a criterion with these parameters (predicate IRIs) activates, if any (a kind
    has at least one mandatory parameter)."""
    given = set(parameters)
    kinds = [c for c, names in mandatory_parameters().items() if names and activates(names, given)]
    if len(kinds) > 1:
        raise ValueError(f"a criterion with {sorted(given)} has several kinds: {sorted(kinds)}")
    return kinds[0] if kinds else None
