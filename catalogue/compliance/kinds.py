"""The kinds of criterion: the constraint components of shapes/components.ttl.

A criterion's kind is the component whose mandatory parameters it has: ``activates`` is the rule,
and the compiler decides with it which components a shape activates. The demo generator
(``catalogue/demo/criteria.py``) and the test-case generator (``tests/shapes/make_cases.py``) look
up their handlers by this component IRI, so a new kind is one component in components.ttl and one
handler in each table.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache

import pyoxigraph as ox

from catalogue.config import knowledge_paths
from catalogue.namespaces import RDF_TYPE, sk, term

SH = "http://www.w3.org/ns/shacl#"

MINIMUM_VALUE = sk("MinimumValueConstraintComponent").value
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
            optional = ox.Literal(True) in _objects(store, parameter, "optional")
            paths = _objects(store, parameter, "path")
            if not optional and paths and isinstance(paths[0], ox.NamedNode):
                names.add(paths[0].value)
        if isinstance(quad.subject, ox.NamedNode):
            found[quad.subject.value] = frozenset(names)
    return found


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
