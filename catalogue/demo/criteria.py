"""Aim demo services at the criteria in shapes/: meet every criterion of a level, or just miss one.

The criteria are read from the shapes (the target-group guides, the specialty functions' criteria),
so the demo follows a specialist group's thresholds when they change. A service is a dict of values
keyed like the import template's columns (``staff``, ``staff_3y``, ``methods``...); agreements are
(sector, formal) pairs and activities are activity types.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from catalogue.compliance import kinds
from catalogue.demo.vocabulary import SK, Vocabulary
from catalogue.importing.template import COLUMNS
from catalogue.namespaces import BASE, code

SH_NODE = "http://www.w3.org/ns/shacl#node"
SKOS_MEMBER = "http://www.w3.org/2004/02/skos/core#member"
KEY = {SK + c.prop: c.key for c in COLUMNS if c.prop}
Service = dict[str, Any]


@dataclass
class Guides:
    vocab: Vocabulary

    def members(self, collection: ox.NamedNode | ox.Literal | None) -> list[ox.NamedNode]:
        if not isinstance(collection, ox.NamedNode):
            return []
        members = self.vocab.shapes.get(collection, {}).get(SKOS_MEMBER, [])
        return sorted((m for m in members if isinstance(m, ox.NamedNode)), key=lambda m: m.value)

    @cached_property
    def _level_shapes(self) -> dict[tuple[ox.NamedNode, str], ox.NamedNode]:
        found = {}
        for shape, statements in self.vocab.shapes.items():
            groups, levels = statements.get(SK + "forTargetGroup"), statements.get(SK + "level")
            if groups and levels and SH_NODE in statements and isinstance(groups[0], ox.NamedNode):
                found[(groups[0], code(levels[0].value))] = shape
        return found

    def has_guide(self, group: ox.NamedNode) -> bool:
        return any(g == group for g, _ in self._level_shapes)

    def leaves(self, shape: ox.NamedNode) -> list[ox.NamedNode]:
        """The criteria a node shape is made of (following sh:node), in a stable order."""
        found: list[ox.NamedNode] = []
        stack = [shape]
        while stack:
            current = stack.pop()
            nodes = [n for n in self.vocab.shapes.get(current, {}).get(SH_NODE, [])]
            if not nodes and current not in found:
                found.append(current)
            stack.extend(
                sorted(
                    (n for n in nodes if isinstance(n, ox.NamedNode)),
                    key=lambda n: n.value,
                    reverse=True,
                )
            )
        return found

    def criteria(self, group: ox.NamedNode, level: str) -> list[ox.NamedNode]:
        shape = self._level_shapes.get((group, level))
        return self.leaves(shape) if shape is not None else []

    def own(self, group: ox.NamedNode, level: str, below: str | None) -> list[ox.NamedNode]:
        """The criteria a level adds to the level below it."""
        lower = set(self.criteria(group, below)) if below else set()
        return [c for c in self.criteria(group, level) if c not in lower]

    def function_criteria(self, function: ox.NamedNode) -> list[ox.NamedNode]:
        shapes = self.vocab.statements[function].get(SK + "criteriaShape", [])
        return self.leaves(shapes[0]) if shapes and isinstance(shapes[0], ox.NamedNode) else []

    def criterion(self, shape: ox.NamedNode) -> Criterion:
        return Criterion(self, shape, self.vocab.shapes.get(shape, {}))

    def meet(self, shape: ox.NamedNode, service: Service, rng: random.Random) -> None:
        criterion = self.criterion(shape)
        if (handler := criterion.handler) is not None:
            handler.meet(criterion, service, rng)

    def missable(self, shape: ox.NamedNode, service: Service) -> bool:
        criterion = self.criterion(shape)
        return criterion.handler is not None and criterion.handler.missable(criterion, service)

    def miss(self, shape: ox.NamedNode, service: Service, rng: random.Random) -> str | None:
        """Fall just short of the criterion; returns the key changed."""
        criterion = self.criterion(shape)
        return (
            None if criterion.handler is None else criterion.handler.miss(criterion, service, rng)
        )

    def functions_for(self, group: ox.NamedNode) -> list[ox.NamedNode]:
        target = SK + "targetGroup"
        return [
            f
            for f in self.vocab.members("id/specialty-plan")
            if f.value.startswith(BASE + "id/specialty-function/")
            and group in self.vocab.statements[f].get(target, [])
            and self.function_criteria(f)
        ]


@dataclass(frozen=True)
class Criterion:
    """One criterion (a leaf shape) and its parameters, read by the handler of its kind."""

    guides: Guides
    shape: ox.NamedNode
    statements: dict[str, list[ox.NamedNode | ox.Literal]]

    @property
    def handler(self) -> Handler | None:
        kind = kinds.kind_of(self.statements)
        return HANDLERS.get(kind) if kind is not None else None

    def iri(self, prop: str) -> str:
        return self.statements[SK + prop][0].value

    def number(self, prop: str) -> float:
        return float(self.statements[SK + prop][0].value)

    def members(self, prop: str) -> list[ox.NamedNode]:
        return self.guides.members(self.statements[SK + prop][0])

    def key(self, prop: str) -> str | None:
        """The service key (import template column) of the property named by ``prop``."""
        return KEY.get(self.iri(prop))


@dataclass(frozen=True)
class Handler:
    """How the demo meets and just misses one kind of criterion (a component in components.ttl)."""

    meet: Callable[[Criterion, Service, random.Random], None]
    miss: Callable[[Criterion, Service, random.Random], str | None]
    missable: Callable[[Criterion, Service], bool] = lambda c, s: True


def _whole(c: Criterion, service: Service) -> int:
    return int(service[KEY[c.iri("denominator")]])


def _needed_share(c: Criterion, service: Service) -> int:
    return math.ceil(c.number("minimumShare") * _whole(c, service))


def _meet_share(c: Criterion, service: Service, rng: random.Random) -> None:
    key = KEY[c.iri("numerator")]
    service[key] = min(max(service[key], _needed_share(c, service)), _whole(c, service))


def _miss_share(c: Criterion, service: Service, rng: random.Random) -> str:
    key = KEY[c.iri("numerator")]
    service[key] = _needed_share(c, service) - 1
    return key


def _meet_minimum(c: Criterion, service: Service, rng: random.Random) -> None:
    if (key := c.key("evidence")) is not None:
        service[key] = max(service[key], int(c.number("minimum")))


def _miss_minimum(c: Criterion, service: Service, rng: random.Random) -> str | None:
    if (key := c.key("evidence")) is not None:
        service[key] = int(c.number("minimum")) - 1
    return key


def _meet_including(c: Criterion, service: Service, rng: random.Random) -> None:
    if (key := c.key("evidence")) is not None:
        service[key] = max(service[key], int(c.number("minimumIncluding")))


def _miss_including(c: Criterion, service: Service, rng: random.Random) -> str | None:
    # the included count stands in for a missing evidence, so it is kept below the minimum too
    below = int(c.number("minimumIncluding")) - 1
    if (included := c.key("includes")) is not None:
        service[included] = min(service[included], below)
    if (key := c.key("evidence")) is not None:
        service[key] = below
    return key


def _meet_maximum(c: Criterion, service: Service, rng: random.Random) -> None:
    if (key := c.key("evidence")) is not None and service[key] > c.number("maximum"):
        service[key] = rng.uniform(0.02, c.number("maximum"))


def _miss_maximum(c: Criterion, service: Service, rng: random.Random) -> str | None:
    if (key := c.key("evidence")) is not None:
        service[key] = c.number("maximum") + rng.uniform(0.01, 0.04)
    return key


def _meet_boolean(c: Criterion, service: Service, rng: random.Random) -> None:
    if (key := c.key("evidence")) is not None:
        service[key] = c.statements[SK + "required"][0].value == "true"


def _miss_boolean(c: Criterion, service: Service, rng: random.Random) -> str | None:
    if (key := c.key("evidence")) is not None:
        service[key] = c.statements[SK + "required"][0].value != "true"
    return key


def _meet_list(c: Criterion, service: Service, rng: random.Random) -> None:
    if (key := c.key("evidence")) is None:
        return
    members, count = c.members("acceptedValues"), int(c.number("minimumCount"))
    missing = [m for m in members if m not in service[key]]
    while missing and sum(v in members for v in service[key]) < count:
        service[key].append(missing.pop(rng.randrange(len(missing))))


def _miss_list(c: Criterion, service: Service, rng: random.Random) -> str | None:
    if (key := c.key("evidence")) is not None:
        members, keep = c.members("acceptedValues"), int(c.number("minimumCount")) - 1
        kept = [v for v in service[key] if v in members][:keep]
        service[key] = [v for v in service[key] if v not in members] + kept
    return key


# Links the demo makes, by sk:link: the service key, and a new entry of an accepted type (a
# cooperation agreement made to meet a minimum is ad hoc: formal or ad hoc both count).
LINKS: dict[str, tuple[str, Callable[[ox.NamedNode], Any]]] = {
    SK + "knowledgeActivity": ("activities", lambda kind: kind),
    SK + "cooperationAgreement": ("agreements", lambda sector: (sector, False)),
}


def _link_type(entry: Any) -> Any:
    return entry[0] if isinstance(entry, tuple) else entry


def _meet_links(c: Criterion, service: Service, rng: random.Random) -> None:
    if (link := LINKS.get(c.iri("link"))) is None:
        return
    (key, new), accepted = link, c.members("acceptedTypes")
    minimum = int(c.number("minimumLinks"))
    while accepted and sum(_link_type(e) in accepted for e in service[key]) < minimum:
        service[key].append(new(rng.choice(accepted)))


def _miss_links(c: Criterion, service: Service, rng: random.Random) -> str | None:
    if (link := LINKS.get(c.iri("link"))) is None:
        return None
    (key, new), accepted = link, c.members("acceptedTypes")
    keep = int(c.number("minimumLinks")) - 1
    service[key] = [e for e in service[key] if _link_type(e) not in accepted]
    service[key] += [new(rng.choice(accepted)) for _ in range(keep)]
    return key


def _meet_sectors(c: Criterion, service: Service, rng: random.Random) -> None:
    for sector in c.members("requiredSectors"):
        service["agreements"] = [a for a in service["agreements"] if a[0] != sector]
        service["agreements"].append((sector, True))


def _miss_sectors(c: Criterion, service: Service, rng: random.Random) -> str:
    dropped = rng.choice(c.members("requiredSectors"))
    service["agreements"] = [(s, f and s != dropped) for s, f in service["agreements"]]
    return "agreements"


def _meet_requirements(c: Criterion, service: Service, rng: random.Random) -> None:
    statements = c.guides.vocab.statements[ox.NamedNode(c.iri("requirementsOf"))]
    for prop, key in (
        ("subTargetGroup", "sub_groups"),
        ("ageGroup", "age_groups"),
        ("requiredOfferType", "offer_types"),
        ("requiredLegalBasis", "legal_bases"),
    ):
        options = [v for v in statements.get(SK + prop, []) if isinstance(v, ox.NamedNode)]
        if options and not set(options) & set(service[key]):
            service[key].append(rng.choice(sorted(options, key=lambda o: o.value)))


def _at_least_one(prop: str) -> Callable[[Criterion, Service], bool]:
    return lambda c, service: c.number(prop) >= 1


HANDLERS: dict[str, Handler] = {
    kinds.MINIMUM_VALUE: Handler(_meet_minimum, _miss_minimum, _at_least_one("minimum")),
    kinds.MINIMUM_VALUE_INCLUDING: Handler(
        _meet_including, _miss_including, _at_least_one("minimumIncluding")
    ),
    kinds.MAXIMUM_VALUE: Handler(_meet_maximum, _miss_maximum),
    kinds.MINIMUM_SHARE: Handler(
        _meet_share, _miss_share, lambda c, service: _needed_share(c, service) >= 1
    ),
    kinds.REQUIRED_BOOLEAN: Handler(_meet_boolean, _miss_boolean),
    kinds.MINIMUM_FROM_LIST: Handler(_meet_list, _miss_list, _at_least_one("minimumCount")),
    kinds.MINIMUM_LINKS: Handler(_meet_links, _miss_links, _at_least_one("minimumLinks")),
    kinds.FORMAL_COOPERATION: Handler(_meet_sectors, _miss_sectors),
    kinds.FUNCTION_REQUIREMENTS: Handler(
        _meet_requirements, lambda c, service, rng: None, lambda c, service: False
    ),
}
