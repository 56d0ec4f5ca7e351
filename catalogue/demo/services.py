"""One demo service (a provider's work for one target group): typical values for a level, aimed at
the target group's guide when it has one, and written as template cells.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from catalogue.demo.criteria import Guides, Service
from catalogue.demo.vocabulary import Vocabulary
from catalogue.namespaces import code

Row = dict[str, str]
COUNTS = ("staff_relevant", "staff_3y", "staff_5y", "staff_educated", "staff_further", "staff_aids")


def sample(rng: random.Random, items: list[ox.NamedNode], k: int) -> list[ox.NamedNode]:
    return rng.sample(items, min(max(k, 0), len(items)))


def join(items: list[ox.NamedNode]) -> str:
    return "|".join(dict.fromkeys(code(i.value) for i in items))


def decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


@dataclass
class ServiceMaker:
    vocab: Vocabulary
    guides: Guides
    profile: dict[str, Any]
    relevant: Any  # (scheme, group) -> concepts relevant for the group

    def typical(self, rng: random.Random, group: ox.NamedNode, level: str) -> Service:
        """Values a service of this level typically shows (profile.toml)."""
        target = self.profile["level"][level]
        conf = self.profile["service"]
        staff = rng.randint(*conf["staff"])

        def share(key: str, cap: int) -> int:
            return min(math.ceil(target[key] * staff) + rng.randint(0, max(staff // 5, 1)), cap)

        three = share("share_3y", staff)
        citizens = target["citizens"] + rng.randint(0, 6)
        activity_types = self.vocab.members("vocab/knowledge-activity-type")
        contributing = [k for k in activity_types if self.vocab.flag(k, "contributesToKnowledge")]
        sectors = sample(
            rng, self.vocab.members("vocab/sector"), target["sectors"] + rng.randint(0, 1)
        )
        formal = target["formal_agreements"] + rng.randint(0, 1)
        competences = self.relevant("vocab/competence", group)
        return {
            "target_group": group,
            "sub_groups": [],
            "age_groups": sorted(
                sample(
                    rng, self.vocab.members("vocab/age-group"), rng.randint(*conf["age_groups"])
                ),
                key=lambda c: c.value,
            ),
            "citizens": citizens,
            "complex": min(target["complex"] + rng.randint(0, 2), citizens),
            "staff": staff,
            "staff_relevant": max(share("share_relevant", staff), three),
            "staff_3y": three,
            "staff_5y": share("share_5y", three),
            "staff_educated": share("share_educated", staff),
            "staff_further": share("share_further", staff),
            "staff_aids": min(target["staff_aids"] + rng.randint(0, 2), staff),
            "turnover": rng.uniform(0.02, target["turnover_max"]),
            "cover": target["cover"] or rng.random() < 0.3,
            "supervision": target["supervision"] or rng.random() < 0.3,
            "certifications": sample(
                rng,
                self.relevant("vocab/certification", group),
                target["certifications"] + rng.randint(0, 1),
            ),
            "methods": sample(
                rng, self.relevant("vocab/method", group), target["methods"] + rng.randint(0, 2)
            ),
            "aids": sample(
                rng, self.relevant("vocab/aid", group), target["aids"] + rng.randint(0, 1)
            ),
            "competences": sample(rng, competences, rng.randint(1, min(len(competences), 6))),
            "agreements": [(s, n < formal) for n, s in enumerate(sectors)],
            "activities": [
                rng.choice(contributing) for _ in range(target["contributing_activities"])
            ]
            + [rng.choice(activity_types) for _ in range(target["activities"])],
        }

    def aimed(self, rng: random.Random, service: Service, level: str, near_miss: bool) -> list[str]:
        """Meet the guide's criteria up to ``level``; maybe miss one or two of the level's own.

        A service aimed at 'almen' misses one criterion of 'let'. Returns the keys missed.
        """
        group = service["target_group"]
        levels = [
            code(c.value)
            for c in sorted(self.vocab.members("vocab/level"), key=lambda c: self.vocab.rank(c))
        ]
        position = levels.index(level)
        for criterion in self.guides.criteria(group, level) if position else []:
            self.guides.meet(criterion, service, rng)
        if position == 0:
            own, count = self.guides.own(group, levels[1], None), 1
        elif near_miss:
            own, count = self.guides.own(group, level, levels[position - 1]), rng.randint(1, 2)
        else:
            return []
        candidates = [c for c in own if self.guides.missable(c, service)]
        missed = [self.guides.miss(c, service, rng) for c in sample(rng, candidates, count)]
        return [key for key in missed if key]

    @staticmethod
    def consistent(service: Service, missed: list[str]) -> None:
        """Counts that hang together (integrity shapes), keeping a deliberate miss."""
        service["staff"] = max(service["staff"], *(service[k] for k in COUNTS))
        # 5 years <= 3 years <= relevant practical experience (integrity), keeping a miss of one
        if "staff_relevant" in missed:
            service["staff_3y"] = min(service["staff_3y"], service["staff_relevant"])
            service["staff_5y"] = min(service["staff_5y"], service["staff_3y"])
        elif "staff_3y" in missed:
            service["staff_5y"] = min(service["staff_5y"], service["staff_3y"])
        else:
            service["staff_3y"] = max(service["staff_3y"], service["staff_5y"])
        service["staff_relevant"] = max(service["staff_relevant"], service["staff_3y"])
        if service["complex"] > service["citizens"]:
            if "citizens" in missed:
                service["complex"] = service["citizens"]
            else:
                service["citizens"] = service["complex"]
        for key in ("citizens", "complex", *COUNTS):
            service[key] = max(service[key], 0)
        service["turnover"] = min(max(service["turnover"], 0.0), 1.0)

    def cells(self, rng: random.Random, service: Service, city: str, region: str) -> Row:
        names = self.profile["names"]
        agreements = []
        for sector, formal in service["agreements"]:
            health = code(sector.value) == "sundhed"
            pool = names["partners_sundhed"] if health else names["partners_other"]
            partner = rng.choice(pool).format(city=city, region=region)
            agreements.append(f"{code(sector.value)}:{'formel' if formal else 'uformel'}:{partner}")
        activities = [f"{code(a.value)}:{rng.randint(2022, 2025)}" for a in service["activities"]]
        row = {
            key: join(service[key])
            for key in (
                "sub_groups",
                "age_groups",
                "certifications",
                "methods",
                "aids",
                "competences",
            )
        }
        row |= {key: str(service[key]) for key in ("citizens", "complex", "staff", *COUNTS)}
        return {
            **row,
            "target_group": code(service["target_group"].value),
            "cover": "ja" if service["cover"] else "nej",
            "supervision": "ja" if service["supervision"] else "nej",
            "turnover": decimal(service["turnover"]),
            "agreements": "|".join(agreements),
            "activities": "|".join(activities),
        }
