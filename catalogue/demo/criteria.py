"""Aim demo services at the criteria in shapes/: meet every criterion of a level, or just miss one.

The criteria are read from the shapes (the target-group guides, the specialty functions' criteria),
so the demo follows a specialist group's thresholds when they change. A service is a dict of values
keyed like the import template's columns (``staff``, ``staff_3y``, ``methods``...); agreements are
(sector, formal) pairs and activities are activity types.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from catalogue.demo.vocabulary import SK, Vocabulary
from catalogue.importing.template import COLUMNS
from catalogue.namespaces import BASE, code

SH_NODE = "http://www.w3.org/ns/shacl#node"
SKOS_MEMBER = "http://www.w3.org/2004/02/skos/core#member"
KEY = {SK + c.prop: c.key for c in COLUMNS if c.prop}
Service = dict[str, Any]


def _number(value: ox.NamedNode | ox.Literal) -> float:
    return float(value.value)


@dataclass
class Guides:
    vocab: Vocabulary

    def _get(self, shape: ox.NamedNode, prop: str) -> ox.NamedNode | ox.Literal | None:
        values = self.vocab.shapes.get(shape, {}).get(SK + prop, [])
        return values[0] if values else None

    def _members(self, collection: ox.NamedNode | ox.Literal | None) -> list[ox.NamedNode]:
        if not isinstance(collection, ox.NamedNode):
            return []
        members = self.vocab.shapes.get(collection, {}).get(SKOS_MEMBER, [])
        return sorted((m for m in members if isinstance(m, ox.NamedNode)), key=lambda m: m.value)

    @cached_property
    def _level_shapes(self) -> dict[tuple[ox.NamedNode, str], ox.NamedNode]:
        found = {}
        for shape, statements in self.vocab.shapes.items():
            groups, levels = statements.get(SK + "forTargetGroup"), statements.get(SK + "level")
            if groups and levels and SH_NODE in statements:
                found[(groups[0], code(levels[0].value))] = shape
        return found  # type: ignore[return-value]

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

    def meet(self, shape: ox.NamedNode, service: Service, rng: random.Random) -> None:
        get = lambda prop: self._get(shape, prop)  # noqa: E731 - short local reader
        if (function := get("requirementsOf")) is not None:
            self._requirements(function, service, rng)  # type: ignore[arg-type]
        elif (numerator := get("numerator")) is not None:
            key, whole = KEY[numerator.value], service[KEY[get("denominator").value]]  # type: ignore[union-attr]
            needed = math.ceil(_number(get("minimumShare")) * whole)  # type: ignore[arg-type]
            service[key] = min(max(service[key], needed), whole)
        elif (sectors := get("requiredSectors")) is not None:
            for sector in self._members(sectors):
                service["agreements"] = [a for a in service["agreements"] if a[0] != sector]
                service["agreements"].append((sector, True))
        elif (link := get("link")) is not None and link.value == SK + "knowledgeActivity":
            accepted = self._members(get("acceptedTypes"))
            minimum = int(_number(get("minimumLinks") or ox.Literal("0")))
            while accepted and sum(a in accepted for a in service["activities"]) < minimum:
                service["activities"].append(rng.choice(accepted))
        elif link is not None and link.value == SK + "cooperationAgreement":  # formal or ad hoc
            accepted = self._members(get("acceptedTypes"))
            minimum = int(_number(get("minimumLinks") or ox.Literal("0")))
            while accepted and sum(s in accepted for s, _ in service["agreements"]) < minimum:
                service["agreements"].append((rng.choice(accepted), False))
        elif (evidence := get("evidence")) is not None and evidence.value in KEY:
            self._meet_evidence(shape, KEY[evidence.value], service, rng)

    def _meet_evidence(
        self, shape: ox.NamedNode, key: str, service: Service, rng: random.Random
    ) -> None:
        if (minimum := self._get(shape, "minimum")) is not None:
            service[key] = max(service[key], int(_number(minimum)))
        elif (maximum := self._get(shape, "maximum")) is not None:
            if service[key] > _number(maximum):
                service[key] = rng.uniform(0.02, _number(maximum))
        elif (required := self._get(shape, "required")) is not None:
            service[key] = required.value == "true"
        elif (accepted := self._get(shape, "acceptedValues")) is not None:
            members = self._members(accepted)
            count = int(_number(self._get(shape, "minimumCount") or ox.Literal("1")))
            missing = [m for m in members if m not in service[key]]
            while missing and sum(v in members for v in service[key]) < count:
                service[key].append(missing.pop(rng.randrange(len(missing))))

    def _requirements(self, function: ox.NamedNode, service: Service, rng: random.Random) -> None:
        statements = self.vocab.statements[function]
        for prop, key in (
            ("subTargetGroup", "sub_groups"),
            ("ageGroup", "age_groups"),
            ("requiredOfferType", "offer_types"),
            ("requiredLegalBasis", "legal_bases"),
        ):
            options = [v for v in statements.get(SK + prop, []) if isinstance(v, ox.NamedNode)]
            if options and not set(options) & set(service[key]):
                service[key].append(rng.choice(sorted(options, key=lambda o: o.value)))

    def missable(self, shape: ox.NamedNode, service: Service) -> bool:
        get = lambda prop: self._get(shape, prop)  # noqa: E731
        if get("requirementsOf") is not None:
            return False
        if (minimum := get("minimum") or get("minimumCount") or get("minimumLinks")) is not None:
            return _number(minimum) >= 1
        if get("numerator") is not None:
            whole = service[KEY[get("denominator").value]]  # type: ignore[union-attr]
            return math.ceil(_number(get("minimumShare")) * whole) >= 1  # type: ignore[arg-type]
        return any(get(p) is not None for p in ("maximum", "required", "requiredSectors"))

    def miss(self, shape: ox.NamedNode, service: Service, rng: random.Random) -> str | None:
        """Fall just short of the criterion; returns the key changed."""
        get = lambda prop: self._get(shape, prop)  # noqa: E731
        if (numerator := get("numerator")) is not None:
            key, whole = KEY[numerator.value], service[KEY[get("denominator").value]]  # type: ignore[union-attr]
            service[key] = math.ceil(_number(get("minimumShare")) * whole) - 1  # type: ignore[arg-type]
            return key
        if (sectors := get("requiredSectors")) is not None:
            dropped = rng.choice(self._members(sectors))
            service["agreements"] = [(s, f and s != dropped) for s, f in service["agreements"]]
            return "agreements"
        if (link := get("link")) is not None and link.value == SK + "knowledgeActivity":
            accepted = self._members(get("acceptedTypes"))
            keep = int(_number(get("minimumLinks"))) - 1  # type: ignore[arg-type]
            service["activities"] = [a for a in service["activities"] if a not in accepted]
            service["activities"] += [rng.choice(accepted) for _ in range(keep)]
            return "activities"
        if link is not None and link.value == SK + "cooperationAgreement":
            accepted = self._members(get("acceptedTypes"))
            keep = int(_number(get("minimumLinks"))) - 1  # type: ignore[arg-type]
            service["agreements"] = [a for a in service["agreements"] if a[0] not in accepted]
            service["agreements"] += [(rng.choice(accepted), False) for _ in range(keep)]
            return "agreements"
        evidence = get("evidence")
        if evidence is None or evidence.value not in KEY:
            return None
        key = KEY[evidence.value]
        if (minimum := get("minimum")) is not None:
            service[key] = int(_number(minimum)) - 1
        elif (maximum := get("maximum")) is not None:
            service[key] = _number(maximum) + rng.uniform(0.01, 0.04)
        elif (required := get("required")) is not None:
            service[key] = required.value != "true"
        elif (collection := get("acceptedValues")) is not None:
            members = self._members(collection)
            keep = int(_number(get("minimumCount") or ox.Literal("1"))) - 1
            kept = [v for v in service[key] if v in members][:keep]
            service[key] = [v for v in service[key] if v not in members] + kept
        return key

    def functions_for(self, group: ox.NamedNode) -> list[ox.NamedNode]:
        target = SK + "targetGroup"
        return [
            f
            for f in self.vocab.members("id/specialty-plan")
            if f.value.startswith(BASE + "id/specialty-function/")
            and group in self.vocab.statements[f].get(target, [])
            and self.function_criteria(f)
        ]
