"""A target group (SKOS concept): its definition, broader and narrower groups, what each level
means for a target group, the sub-groups on each level and the providers placed there."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.concepts import ConceptDetail, Level, concept, levels
from catalogue.browse.rows import Concept, danish_key, number, text
from catalogue.namespaces import VOCAB
from catalogue.store import Store

TARGET_GROUP_KIND = str(VOCAB["parameter-kind/maalgruppe"])
PROVIDERS_SHOWN = 25


@dataclass(frozen=True)
class Description:
    parameter: str
    text: str


@dataclass(frozen=True)
class SubGroup:
    concept: Concept
    definition: str


@dataclass(frozen=True)
class ProviderAtLevel:
    iri: str
    name: str
    municipality: str


@dataclass(frozen=True)
class LevelSection:
    level: Level
    descriptions: list[Description]
    sub_groups: list[SubGroup]
    providers: list[ProviderAtLevel]
    provider_count: int


@dataclass(frozen=True)
class TargetGroup:
    detail: ConceptDetail
    sections: list[LevelSection]
    unplaced: int


def target_group(store: Store, iri: str, lang: str) -> TargetGroup | None:
    """The target group page's content (its providers by level are a national aggregate:
    cached per target group and language)."""
    detail = concept(store, iri, lang)
    if detail is None:  # checked first: unknown IRIs must not fill the cache
        return None
    return cached(store, ("target-group", iri, lang), lambda: _target_group(store, detail, lang))


def _target_group(store: Store, detail: ConceptDetail, lang: str) -> TargetGroup:
    iri = detail.iri
    descriptions: dict[int, list[Description]] = defaultdict(list)
    for row in queries.run(store, "browse_level_descriptions", kind=TARGET_GROUP_KIND, lang=lang):
        descriptions[number(row, "rank")].append(
            Description(text(row, "parameterLabel"), text(row, "description"))
        )
    sub_groups: dict[int, list[SubGroup]] = defaultdict(list)
    for row in queries.run(store, "browse_target_group_subgroups", targetGroup=iri, lang=lang):
        if "rank" in row:
            sub = Concept(text(row, "sub"), text(row, "label"))
            sub_groups[number(row, "rank")].append(SubGroup(sub, text(row, "definition")))
    providers: dict[int, list[ProviderAtLevel]] = defaultdict(list)
    for row in queries.run(store, "browse_target_group_providers", targetGroup=iri, lang=lang):
        providers[number(row, "rank", -1)].append(
            ProviderAtLevel(
                text(row, "provider"), text(row, "name"), text(row, "municipalityLabel")
            )
        )
    sections = []
    for level in levels(store, lang):
        at_level = sorted(providers.get(level.rank, []), key=lambda p: danish_key(p.name))
        sections.append(
            LevelSection(
                level=level,
                descriptions=descriptions.get(level.rank, []),
                sub_groups=sub_groups.get(level.rank, []),
                providers=at_level[:PROVIDERS_SHOWN],
                provider_count=len(at_level),
            )
        )
    return TargetGroup(detail, sections, len(providers.get(-1, [])))
