"""Deterministic demo providers, written as rows of the CSV import template.

Each provider is drawn from its own random stream (seed and index), so the first 60 providers of a
10,000-provider catalogue are the 60 providers of a small one. Every service (a provider's work
for one target group) is drawn towards a level; for target groups with a guide in shapes/guides/
it meets that level's criteria, and with some chance falls just short of one or two of them (a
near miss). Of each block of providers, the last few of each region carry one planned near miss
of a specialty function each, the functions in turn, so that from one block on (300 providers)
every region has near misses for every function (Generator.planned_near_miss). The tuning lives
in profile.toml.
"""

from __future__ import annotations

import random
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from catalogue.demo.criteria import Guides
from catalogue.demo.services import Row, ServiceMaker, decimal, join, sample
from catalogue.demo.vocabulary import Vocabulary
from catalogue.namespaces import RDF_TYPE, SK, SKOS, VOCAB, code

PROFILE = Path(__file__).with_name("profile.toml")


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


def _date(rng: random.Random, years: list[int]) -> str:
    return f"{rng.randint(*years)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


@dataclass
class Generator:
    vocab: Vocabulary
    seed: int
    _relevant: dict[tuple[str, ox.NamedNode], list[ox.NamedNode]] = field(default_factory=dict)
    _planned: dict[int, dict[int, ox.NamedNode]] = field(default_factory=dict)

    @cached_property
    def guides(self) -> Guides:
        return Guides(self.vocab)

    @cached_property
    def services(self) -> ServiceMaker:
        return ServiceMaker(self.vocab, self.guides, profile(), self.relevant)

    @cached_property
    def municipalities(self) -> list[ox.NamedNode]:
        items = list(self.vocab.members("vocab/municipality"))
        random.Random(f"{self.seed}:municipalities").shuffle(items)
        return items

    @cached_property
    def pilots(self) -> list[ox.NamedNode]:
        """Target groups of the specialty plan's specialities."""
        found = {
            group
            for speciality in self.vocab.of_type("id/specialty-plan", "Speciality")
            for group in self.vocab.linked(speciality, "vocab/target-group")
        }
        return sorted(found, key=lambda c: c.value)

    def _narrower(self, concept: ox.NamedNode) -> list[ox.NamedNode]:
        broader = f"{SKOS}broader"
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

    def municipal(self, index: int) -> bool:
        """Whether the provider lies outside the socialtilsyn (SEL § 148 a); drawn from a stream
        of its own, so the other providers are the same as without such providers."""
        share = profile()["municipal"]["share"]
        return random.Random(f"{self.seed}:{index}:148a").random() < share

    @cached_property
    def municipal_functions(self) -> list[ox.NamedNode]:
        """The specialty functions that require the municipal providers' legal basis."""
        basis = ox.NamedNode(f"{VOCAB}legal-basis/{profile()['municipal']['legal_basis']}")
        return [
            f
            for f in self.vocab.of_type("id/specialty-plan", "SpecialtyFunction")
            if basis in self.vocab.statements[f].get(f"{SK}requiredLegalBasis", [])
        ]

    @cached_property
    def planned_functions(self) -> list[ox.NamedNode]:
        """The specialty functions with criteria, in a stable order."""
        functions = self.vocab.of_type("id/specialty-plan", "SpecialtyFunction")
        return sorted((f for f in functions if self.guides.function_criteria(f)), key=str)

    def _region(self, index: int) -> ox.NamedNode | None:
        municipality = self.municipalities[index % len(self.municipalities)]
        regions = self.vocab.linked(municipality, "vocab/region")
        return regions[0] if regions else None

    def planned_near_miss(self, index: int) -> ox.NamedNode | None:
        """The specialty function the provider carries a planned near miss of, if any.

        Of each block of ``planning.block`` providers, the last providers of each region (not the
        municipal ones) carry one near miss each, the functions in turn (the start shifted per
        region and block), so a catalogue of one block or more has near misses for every function
        in every region, and a smaller one has none of them (it stays as it was).
        """
        size = profile()["planning"]["block"]
        block = index // size
        if block not in self._planned:
            functions = self.planned_functions
            by_region: dict[ox.NamedNode, list[int]] = defaultdict(list)
            for i in range(block * size, (block + 1) * size):
                region = self._region(i)
                if region is not None and not self.municipal(i):
                    by_region[region].append(i)
            slots: dict[int, ox.NamedNode] = {}
            for n, region in enumerate(sorted(by_region, key=str)):
                last = by_region[region][-len(functions) :]
                for k, i in enumerate(last):
                    slots[i] = functions[(k + n + block) % len(functions)]
            self._planned[block] = slots
        return self._planned[block].get(index)

    def _near_miss(
        self, index: int, function: ox.NamedNode, service: dict[str, Any]
    ) -> dict[str, Any]:
        """A service of the function's target group that meets every criterion of the function
        but one, a competence requirement when one can be missed (a random stream of its own)."""
        rng = random.Random(f"{self.seed}:{index}:near-miss")
        groups = [
            g for g in self.vocab.linked(function, "vocab/target-group") if self.guides.has_guide(g)
        ]
        group = rng.choice(groups)
        planned = self.services.typical(rng, group, "hoej")
        planned |= {"offer_types": service["offer_types"], "legal_bases": service["legal_bases"]}
        conf = profile()["service"]
        planned["sub_groups"] = sample(
            rng, self.subgroups.get(group, []), rng.randint(*conf["subgroups"])
        )
        self.services.aimed(rng, planned, "hoej", False)
        criteria = self.guides.function_criteria(function)
        for criterion in criteria:
            self.guides.meet(criterion, planned, rng)
        candidates = [c for c in criteria if self.guides.missable(c, planned)]
        requirement = str(SK + "CompetenceRequirement")
        required = [
            c
            for c in candidates
            if any(
                v.value == requirement for v in self.vocab.shapes.get(c, {}).get(RDF_TYPE.value, [])
            )
        ]
        missed = self.guides.miss(rng.choice(required or candidates), planned, rng)
        self.services.consistent(planned, [missed] if missed else [])
        return planned

    def provider(self, index: int) -> list[Row]:
        rng = random.Random(f"{self.seed}:{index}")
        conf = profile()["provider"]
        if self.municipal(index):
            return self._municipal_provider(index, rng)
        municipality = self.municipalities[index % len(self.municipalities)]
        regions = self.vocab.linked(municipality, "vocab/region")
        region = regions[0] if regions else None
        authorities = self.vocab.linking("vocab/supervisory-authority", region) if region else []
        authority = (authorities or self.vocab.members("vocab/supervisory-authority"))[:1]
        city = self.vocab.label(municipality).removesuffix(" Kommune")
        postal = profile()["postal_codes"]
        low, high = postal.get(code(region.value) if region else "", [1000, 9990])
        name = self._name(rng, city)
        weights = profile()["offer_type_weights"]
        offer = rng.choices(
            self.offer_types, [weights.get(code(o.value), 1.0) for o in self.offer_types]
        )[0]
        offers = [offer]
        legal = self.vocab.linked(offer, "vocab/legal-basis") or sample(
            rng, self.vocab.members("vocab/legal-basis"), 1
        )
        status = _weighted(rng, conf["approval_weights"])
        approved = _date(rng, conf["approval_years"])
        row: Row = {
            "tpid": tilbudsportalen_id(index, self.seed),
            "name": name,
            "cvr": _cvr(index, self.seed),
            "street": f"{rng.choice(profile()['names']['streets'])} {rng.randint(1, 120)}",
            "postcode": str(rng.randrange(low, high + 1, 10)),
            "city": city,
            "municipality": code(municipality.value),
            "operator": _weighted(rng, conf["operator_weights"]),
            "capacity": str(rng.randint(*conf["capacity"])),
            "website": self._website(rng, name),
            "authority": join(authority),
            "enhanced": "ja" if rng.random() < conf["enhanced_supervision_share"] else "nej",
            "approval_status": status,
            "approved_from": approved,
            "approved_until": f"{int(approved[:4]) + 4}{approved[4:]}"
            if rng.random() < 0.5
            else "",
            "conditions": rng.choice(conf["conditions"])
            if status == "godkendt-med-vilkaar"
            else "",
            "quality": self._quality(rng),
            "quality_date": _date(rng, conf["quality_year"]),
        }
        functions: list[ox.NamedNode] = []
        region_name = self.vocab.label(region) if region else "Regionen"
        cells = {}
        first, level = self._first(index)
        for n, group in enumerate(self._groups(rng, first)):
            service = self._service(
                rng, group, offers, legal, functions, status, level if n == 0 else None
            )
            cells[group] = self.services.cells(rng, service, city, region_name)
        planned = self.planned_near_miss(index)
        if planned is not None:  # in place of a service for the same target group, if any
            service = self._near_miss(index, planned, {"offer_types": offers, "legal_bases": legal})
            cells[service["target_group"]] = self.services.cells(
                random.Random(f"{self.seed}:{index}:near-miss-cells"), service, city, region_name
            )
        advising = [f for f in functions if rng.random() < 0.5]
        row |= {
            "offer_types": join(offers),
            "legal_bases": join(legal),
            "functions": join(functions),
            "advises": join(advising),
        }
        return [{**row, **service_cells} for service_cells in cells.values()]

    def _municipal_provider(self, index: int, rng: random.Random) -> list[Row]:
        """An ambulant § 85 provider supervised by its municipality, without a Tilbudsportalen
        id, serving a target group of the specialty functions that require § 85."""
        conf = profile()["municipal"]
        municipality = self.municipalities[index % len(self.municipalities)]
        regions = self.vocab.linked(municipality, "vocab/region")
        region = regions[0] if regions else None
        city = self.vocab.label(municipality).removesuffix(" Kommune")
        low, high = profile()["postal_codes"].get(
            code(region.value) if region else "", [1000, 9990]
        )
        name = f"{rng.choice(conf['prefixes'])} {city}"
        offers = [ox.NamedNode(f"{VOCAB}offer-type/{conf['offer_type']}")]
        legal = [ox.NamedNode(f"{VOCAB}legal-basis/{conf['legal_basis']}")]
        row: Row = {
            "tpid": "",
            "own_ref": f"{conf['own_reference']}-{index}",
            "name": name,
            "cvr": _cvr(index, self.seed),
            "street": f"{rng.choice(profile()['names']['streets'])} {rng.randint(1, 120)}",
            "postcode": str(rng.randrange(low, high + 1, 10)),
            "city": city,
            "municipality": code(municipality.value),
            "operator": _weighted(rng, profile()["provider"]["operator_weights"]),
            "capacity": str(rng.randint(*profile()["provider"]["capacity"])),
            "website": self._website(rng, name),
            "authority": "",
            "supervising_municipality": code(municipality.value),
            "enhanced": "nej",
            "approval_status": conf["approval_status"],
            "approved_from": _date(rng, profile()["provider"]["approval_years"]),
            "quality": self._quality(rng),
            "quality_date": _date(rng, profile()["provider"]["quality_year"]),
        }
        groups = sorted(
            {
                g
                for f in self.municipal_functions
                for g in self.vocab.linked(f, "vocab/target-group")
            },
            key=lambda g: g.value,
        )
        groups = groups or self.pilots
        level = _weighted(rng, conf["levels"])
        service = self._service(
            rng,
            rng.choice(groups),
            offers,
            legal,
            [],
            conf["approval_status"],
            level,
            self.municipal_functions,
        )
        region_name = self.vocab.label(region) if region else "Regionen"
        row |= {"offer_types": join(offers), "legal_bases": join(legal)}
        return [{**row, **self.services.cells(rng, service, city, region_name)}]

    def _service(
        self,
        rng: random.Random,
        group: ox.NamedNode,
        offers: list[ox.NamedNode],
        legal: list[ox.NamedNode],
        functions: list[ox.NamedNode],
        status: str,
        level: str | None,
        only: list[ox.NamedNode] | None = None,
    ) -> dict[str, Any]:
        conf = profile()["service"]
        guided = self.guides.has_guide(group)
        level = level or _weighted(rng, conf["levels"] if guided else conf["other_levels"])
        service = self.services.typical(rng, group, level)
        service |= {"offer_types": offers, "legal_bases": legal}
        subgroups = self.subgroups.get(group, [])
        service["sub_groups"] = sample(rng, subgroups, rng.randint(*conf["subgroups"]))
        missed: list[str] = []
        if guided:
            near_miss = rng.random() < conf["near_miss_share"]
            missed = self.services.aimed(rng, service, level, near_miss)
            fitting = [f for f in self.guides.functions_for(group) if only is None or f in only]
            if level == "hoej" and not missed and fitting and rng.random() < conf["function_share"]:
                function = rng.choice(fitting)
                for criterion in self.guides.function_criteria(function):
                    self.guides.meet(criterion, service, rng)
                if status == "godkendt":
                    functions.append(function)
        self.services.consistent(service, missed)
        return service

    def _website(self, rng: random.Random, name: str) -> str:
        if rng.random() >= profile()["provider"]["website_share"]:
            return ""
        plain = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
        return (
            "https://" + "".join(ch for ch in plain if ch.isalnum() and ch.isascii()) + ".example/"
        )

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
        return "|".join(f"{code(t.value)}={decimal(s)[:-1]}" for t, s in scores.items())

    @cached_property
    def levels(self) -> list[str]:
        ranked = sorted(self.vocab.members("vocab/level"), key=self.vocab.rank)
        return [code(level.value) for level in ranked]

    def _first(self, index: int) -> tuple[ox.NamedNode | None, str | None]:
        """The first service of a provider cycles through every pilot and level.

        Of each block of providers, the first ``len(pilots) * len(levels)`` start with a pilot
        target group at each level once (a share ``pilot_share`` of providers), so even a small
        catalogue shows every level for every pilot.
        """
        pairs = [(p, level) for level in self.levels for p in self.pilots]
        if not pairs:
            return None, None
        block = round(len(pairs) / profile()["provider"]["pilot_share"])
        slot = index % block
        return pairs[slot] if slot < len(pairs) else (None, None)

    def _groups(self, rng: random.Random, first: ox.NamedNode | None) -> list[ox.NamedNode]:
        count = rng.randint(*profile()["provider"]["target_groups"])
        first = first or rng.choice(self.other_groups or self.pilots)
        rest = [g for g in self.pilots + self.other_groups if g != first]
        return [first, *sample(rng, rest, count - 1)]


def generate_rows(n: int, seed: int, vocab: Vocabulary) -> Iterator[list[Row]]:
    """The template rows of each of ``n`` providers (one row per target group)."""
    generator = Generator(vocab, seed)
    for index in range(n):
        yield generator.provider(index)
