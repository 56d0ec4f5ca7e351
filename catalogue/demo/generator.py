"""Deterministic demo providers, written as rows of the CSV import template.

Each provider is drawn from its own random stream (seed and index), so the first 60 providers of a
10,000-provider catalogue are the 60 providers of a small one. Every service (a provider's work
for one target group) is drawn towards a level; with some chance it falls just short of that level
on one or two parameters (a near miss). The tuning lives in profile.toml.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from catalogue.demo.vocabulary import SK, SKOS, Vocabulary, code

PROFILE = Path(__file__).with_name("profile.toml")
PARAMETERS = (
    "citizens",
    "complex",
    "share_3y",
    "share_5y",
    "share_educated",
    "share_further",
    "certifications",
    "cover",
    "supervision",
    "turnover",
    "agreements",
    "activities",
    "methods",
    "aids",
)
Row = dict[str, str]


@cache
def profile() -> dict[str, Any]:
    with PROFILE.open("rb") as handle:
        return tomllib.load(handle)


def tilbudsportalen_id(index: int, seed: int) -> str:
    """Unique per index for one seed: a bijection of the index onto six digits."""
    return str(100000 + (index * 7919 + seed * 104729) % 900000)


def _cvr(index: int, seed: int) -> str:
    return str(10000000 + (index * 102947 + seed * 31) % 90000000)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _sample(rng: random.Random, items: list[ox.NamedNode], k: int) -> list[ox.NamedNode]:
    return rng.sample(items, min(max(k, 0), len(items)))


def _join(items: list[ox.NamedNode]) -> str:
    return "|".join(code(i) for i in items)


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


@dataclass
class Generator:
    vocab: Vocabulary
    seed: int
    _relevant: dict[tuple[str, ox.NamedNode], list[ox.NamedNode]] = field(default_factory=dict)

    @cached_property
    def municipalities(self) -> list[ox.NamedNode]:
        items = list(self.vocab.members("vocab/municipality"))
        random.Random(f"{self.seed}:municipalities").shuffle(items)
        return items

    @cached_property
    def pilots(self) -> list[ox.NamedNode]:
        found = {
            group
            for speciality in self.vocab.of_type("id/specialty-plan", "Speciality")
            for group in self.vocab.linked(speciality, "vocab/target-group")
        }
        return sorted(found, key=lambda c: c.value)

    def _narrower(self, concept: ox.NamedNode) -> list[ox.NamedNode]:
        broader = SKOS + "broader"
        return [
            c
            for c in self.vocab.members("vocab/target-group")
            if concept in self.vocab.statements[c].get(broader, [])
        ]

    @cached_property
    def subgroups(self) -> dict[ox.NamedNode, list[ox.NamedNode]]:
        return {pilot: self._narrower(pilot) for pilot in self.pilots}

    @cached_property
    def other_groups(self) -> list[ox.NamedNode]:
        """Leaf target groups that are neither pilots nor their sub-groups, nor unconfirmed."""
        sub = {s for subs in self.subgroups.values() for s in subs}
        return [
            g
            for g in self.vocab.members("vocab/target-group")
            if g not in sub
            and g not in self.pilots
            and not self._narrower(g)
            and not self.vocab.flag(g, "unconfirmed")
        ]

    def relevant(self, scheme: str, group: ox.NamedNode) -> list[ox.NamedNode]:
        """Concepts of ``scheme`` relevant for the target group, else those relevant for none."""
        key = (scheme, group)
        if key not in self._relevant:
            members = self.vocab.members(scheme)
            linked = {c: self.vocab.linked(c, "vocab/target-group") for c in members}
            self._relevant[key] = [c for c in members if group in linked[c]] or [
                c for c in members if not linked[c]
            ]
        return self._relevant[key]

    @cached_property
    def offer_types(self) -> list[ox.NamedNode]:
        """Offer types with a legal basis of their own (the specific ones), else all."""
        members = self.vocab.members("vocab/offer-type")
        return [o for o in members if self.vocab.linked(o, "vocab/legal-basis")] or members

    @cached_property
    def functions(self) -> list[ox.NamedNode]:
        return self.vocab.of_type("id/specialty-plan", "SpecialtyFunction")

    def provider(self, index: int) -> list[Row]:
        rng = random.Random(f"{self.seed}:{index}")
        conf = profile()["provider"]
        municipality = self.municipalities[index % len(self.municipalities)]
        regions = self.vocab.linked(municipality, "vocab/region")
        region = regions[0] if regions else None
        authorities = self.vocab.linking("vocab/supervisory-authority", region) if region else []
        authority = (authorities or self.vocab.members("vocab/supervisory-authority"))[:1]
        city = self.vocab.label(municipality).removesuffix(" Kommune")
        low, high = profile()["postal_codes"].get(code(region) if region else "", [1000, 9990])
        name = self._name(rng, city)
        weights = profile()["offer_type_weights"]
        offer = rng.choices(
            self.offer_types, [weights.get(code(o), 1.0) for o in self.offer_types]
        )[0]
        status = _weighted(rng, conf["approval_weights"])
        approved = dt_string(rng, conf["approval_years"])
        row: Row = {
            "tpid": tilbudsportalen_id(index, self.seed),
            "name": name,
            "cvr": _cvr(index, self.seed),
            "street": f"{rng.choice(profile()['names']['streets'])} {rng.randint(1, 120)}",
            "postcode": str(rng.randrange(low, high + 1, 10)),
            "city": city,
            "municipality": code(municipality),
            "operator": _weighted(rng, conf["operator_weights"]),
            "offer_types": code(offer),
            "legal_bases": _join(
                self.vocab.linked(offer, "vocab/legal-basis")
                or _sample(rng, self.vocab.members("vocab/legal-basis"), 1)
            ),
            "capacity": str(rng.randint(*conf["capacity"])),
            "website": "",
            "authority": _join(authority),
            "enhanced": "ja" if rng.random() < conf["enhanced_supervision_share"] else "nej",
            "approval_status": status,
            "approved_from": approved,
            "approved_until": f"{int(approved[:4]) + 4}{approved[4:]}"
            if rng.random() < 0.5
            else "",
            "conditions": rng.choice(conf["conditions"])
            if status == "godkendt-med-vilkaar"
            else "",
            "functions": "",
            "advises": "",
            "quality": self._quality(rng),
            "quality_date": dt_string(rng, conf["quality_year"]),
        }
        if rng.random() < conf["website_share"]:
            plain = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
            slug = "".join(ch for ch in plain if ch.isalnum() and ch.isascii())
            row["website"] = f"https://{slug}.example/"
        groups = self._groups(rng)
        services = [self._service(rng, group, row, city, region) for group in groups]
        return [{**row, **service} for service in services]

    def _name(self, rng: random.Random, city: str) -> str:
        names = profile()["names"]
        if rng.random() < names["center_share"]:
            return f"Center for {rng.choice(names['fields'])} {city}"
        return f"{rng.choice(names['prefixes'])} {rng.choice(names['names'])}"

    def _quality(self, rng: random.Random) -> str:
        conf = profile()["provider"]
        themes = self.vocab.members("vocab/quality-theme")
        scores = {t: rng.uniform(*conf["quality_score"]) for t in themes}
        if themes and rng.random() < conf["low_quality_share"]:
            scores[rng.choice(themes)] = rng.uniform(1.0, 2.4)
        return "|".join(f"{code(t)}={_decimal(s)[:-1]}" for t, s in scores.items())

    def _groups(self, rng: random.Random) -> list[ox.NamedNode]:
        conf = profile()["provider"]
        count = rng.randint(*conf["target_groups"])
        first = (
            rng.choice(self.pilots)
            if self.pilots and rng.random() < conf["pilot_share"]
            else rng.choice(self.other_groups or self.pilots)
        )
        rest = [g for g in self.pilots + self.other_groups if g != first]
        return [first, *_sample(rng, rest, count - 1)]

    def _service(
        self,
        rng: random.Random,
        group: ox.NamedNode,
        row: Row,
        city: str,
        region: ox.NamedNode | None,
    ) -> Row:
        conf = profile()["service"]
        pilot = group in self.pilots
        level = _weighted(rng, conf["levels"] if pilot else conf["other_levels"])
        target = profile()["level"][level]
        misses: set[str] = set()
        if rng.random() < conf["near_miss_share"]:
            applicable = [p for p in PARAMETERS if _applies(p, target)]
            misses = set(rng.sample(applicable, min(rng.randint(1, 2), len(applicable))))
        staff = rng.randint(*conf["staff"])
        values = _staff_counts(rng, staff, target, misses)

        def drawn(key: str, spread: int) -> int:
            return target[key] - 1 if key in misses else target[key] + rng.randint(0, spread)

        citizens = max(drawn("citizens", 6), 0)
        complex_ = min(max(drawn("complex", 2), 0), citizens)
        methods = drawn("methods", 2)
        certs = drawn("certifications", 1)
        aids = target["aids"] + rng.randint(0, 1)
        staff_aids = min(max(target["staff_aids"] - 1, 0), staff)
        if "aids" not in misses:
            staff_aids = min(target["staff_aids"] + rng.randint(0, 2), staff)
        turnover = rng.uniform(0.02, target["turnover_max"])
        if "turnover" in misses:
            turnover = target["turnover_max"] + rng.uniform(0.01, 0.03)
        subgroups = self.subgroups.get(group, [])
        service: Row = {
            "target_group": code(group),
            "sub_groups": _join(_sample(rng, subgroups, rng.randint(*conf["subgroups"]))),
            "age_groups": _join(
                sorted(
                    _sample(
                        rng, self.vocab.members("vocab/age-group"), rng.randint(*conf["age_groups"])
                    ),
                    key=lambda c: c.value,
                )
            ),
            "citizens": str(citizens),
            "complex": str(complex_),
            **values,
            "certifications": _join(
                _sample(rng, self.relevant("vocab/certification", group), certs)
            ),
            "cover": _flag(rng, "cover", target, misses),
            "supervision": _flag(rng, "supervision", target, misses),
            "turnover": _decimal(turnover),
            "agreements": self._agreements(rng, target, "agreements" in misses, city, region),
            "activities": self._activities(rng, target, "activities" in misses),
            "methods": _join(_sample(rng, self.relevant("vocab/method", group), methods)),
            "aids": _join(_sample(rng, self.relevant("vocab/aid", group), aids)),
            "staff_aids": str(staff_aids),
            "competences": _join(
                _sample(rng, self.relevant("vocab/competence", group), rng.randint(1, 4))
            ),
        }
        if pilot and level == "hoej" and not misses and row["approval_status"] == "godkendt":
            self._function_approval(rng, group, row)
        return service

    def _function_approval(self, rng: random.Random, group: ox.NamedNode, row: Row) -> None:
        target_group = ox.NamedNode(SK + "targetGroup")
        fitting = [
            f
            for f in self.functions
            if group in self.vocab.statements[f].get(target_group.value, [])
        ]
        if not fitting or rng.random() > 0.4:
            return
        function = code(rng.choice(fitting))
        row["functions"] = "|".join(filter(None, [row["functions"], function]))
        if rng.random() < 0.5:
            row["advises"] = "|".join(filter(None, [row["advises"], function]))

    def _agreements(
        self,
        rng: random.Random,
        target: dict[str, Any],
        miss: bool,
        city: str,
        region: ox.NamedNode | None,
    ) -> str:
        sectors = self.vocab.members("vocab/sector")
        wanted = target["sectors"] + rng.randint(0, 1)
        formal = target["formal_agreements"] + rng.randint(0, 1)
        if miss:
            if target["formal_agreements"] > 0:
                formal = target["formal_agreements"] - 1
            else:
                wanted = target["sectors"] - 1
        names = profile()["names"]
        region_name = self.vocab.label(region) if region else "Regionen"
        items = []
        for n, sector in enumerate(_sample(rng, sectors, wanted)):
            pool = (
                names["partners_sundhed"] if code(sector) == "sundhed" else names["partners_other"]
            )
            partner = rng.choice(pool).format(city=city, region=region_name)
            items.append(f"{code(sector)}:{'formel' if n < formal else 'uformel'}:{partner}")
        return "|".join(items)

    def _activities(self, rng: random.Random, target: dict[str, Any], miss: bool) -> str:
        kinds = self.vocab.members("vocab/knowledge-activity-type")
        contributing = [k for k in kinds if self.vocab.flag(k, "contributesToKnowledge")]
        keeping = [k for k in kinds if k not in contributing] or kinds
        total = target["activities"] + rng.randint(0, 1)
        given = target["contributing_activities"] + rng.randint(0, 1)
        if miss:
            if target["contributing_activities"] > 0:
                given = target["contributing_activities"] - 1
            else:
                total = target["activities"] - 1
        chosen = [rng.choice(contributing) for _ in range(given)] if contributing else []
        chosen += [rng.choice(keeping) for _ in range(total - len(chosen))] if keeping else []
        return "|".join(f"{code(k)}:{rng.randint(2022, 2025)}" for k in chosen)


def _applies(parameter: str, target: dict[str, Any]) -> bool:
    """Can a service fall just short of this parameter at this level?"""
    keys = {
        "agreements": ("formal_agreements", "sectors"),
        "activities": ("activities", "contributing_activities"),
        "aids": ("staff_aids",),
        "turnover": ("turnover_max",),
    }.get(parameter, (parameter,))
    return any(bool(target[k]) for k in keys)


def _staff_counts(rng: random.Random, staff: int, target: dict[str, Any], misses: set[str]) -> Row:
    """Staff counts that meet the level's shares (or just miss one), consistent with each other."""

    def count(share_key: str, cap: int) -> int:
        needed = math.ceil(target[share_key] * staff)
        if share_key in misses and needed > 0:
            return min(needed - 1, cap)
        return min(needed + rng.randint(0, max(staff // 5, 1)), cap)

    three = count("share_3y", staff)
    five = count("share_5y", three)
    educated = count("share_educated", staff)
    further = count("share_further", staff)
    return {
        "staff": str(staff),
        "staff_3y": str(three),
        "staff_5y": str(five),
        "staff_educated": str(educated),
        "staff_further": str(further),
    }


def _flag(rng: random.Random, key: str, target: dict[str, Any], misses: set[str]) -> str:
    """ja when the level asks for it (unless missed on purpose); otherwise sometimes."""
    if key in misses:
        return "nej"
    return "ja" if target[key] or rng.random() < 0.3 else "nej"


def dt_string(rng: random.Random, years: list[int]) -> str:
    return f"{rng.randint(*years)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate_rows(n: int, seed: int, vocab: Vocabulary) -> Iterator[list[Row]]:
    """The template rows of each of ``n`` providers (one row per target group)."""
    generator = Generator(vocab, seed)
    for index in range(n):
        yield generator.provider(index)
