"""What adopting the draft guides would change, for the national board's page.

A draft is compared with the version in force, the one the store has loaded and checks against:

- A draft waiting under ``drafts/shapes/guides/`` (``criteria_impact.draft_files``) is compared
  with the loaded guide it would replace: ``criteria_impact.impact`` with the draft standing in
  for the loaded file, "from" the loaded version, "to" the draft.
- A loaded guide that is itself a draft (``adms:status`` udkast or i høring, ``sk:draft true``,
  as all guides are today) has no version in force beside it: no specialist group has adopted
  one. It is compared with the criteria without it (an empty file standing in for the guide's),
  the page saying so; the impact is turned round so that "from" is without it, "to" with it.

Each run costs about a full check, so the result is built in a background thread and cached per
store generation (``cache.in_background``); a request never waits for it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from catalogue.browse import cache, search
from catalogue.browse.guide_status import guide_status
from catalogue.compliance.check import engine_for
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.governance import DocumentVersion, document_versions
from catalogue.criteria_impact import Impact, draft_criteria, draft_files, impact
from catalogue.namespaces import RDF_TYPE, SK, code, service_provider
from catalogue.store import Store

OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")


GUIDES = "shapes/guides/"  # where the target-group guides' knowledge graphs are named from


@dataclass(frozen=True)
class DraftImpact:
    guide: DocumentVersion  # the draft
    current: DocumentVersion | None  # the version in force it is compared with; None: no guide
    target_group: str | None
    impact: Impact  # from = the version in force (or no guide), to = the draft


@dataclass(frozen=True)
class ServiceChange:
    service: str
    provider: str | None  # the provider's IRI (its page)
    provider_name: str
    region: str
    function: str  # the specialfunktion's label ('' for a placement)
    without: str  # the level label (or meets / does not meet) with the version in force
    with_draft: str


@dataclass(frozen=True)
class GuideSection:
    guide: str
    anchor: str
    title: str
    version: str
    status: str
    current: str  # the version in force compared with; '' when there is none (no guide)
    regions: list[tuple[str, int, int]]  # region label, placements, qualifications
    levels: list[tuple[str, int, int]]  # level label, services there in force / with the draft
    placements: list[ServiceChange]
    qualifications: list[ServiceChange]


def _file_name(criteria: Criteria, guide: str) -> str | None:
    """The file name (``autisme.ttl``) of the guide's knowledge graph under shapes/guides/."""
    declaration = (ox.NamedNode(guide), RDF_TYPE, OWL_ONTOLOGY)
    for quad in criteria.reference:
        if (quad.subject, quad.predicate, quad.object) == declaration:
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and GUIDES in graph.value:
                return graph.value.rsplit("/", 1)[-1] + ".ttl"
            return None
    return None


def _version(criteria: Criteria, document: str) -> DocumentVersion | None:
    return next((v for v in document_versions(criteria) if v.document == document), None)


def build(store: Store, drafts: Path | None = None) -> list[DraftImpact]:
    """Each draft's impact against the version in force, computed now (about one full check per
    draft); ``drafts``: the folder of waiting drafts (``criteria_impact.draft_files``)."""
    criteria = engine_for(store).criteria
    found = []
    waiting: set[str] = set()
    for path in draft_files(drafts):
        drafted, _ = draft_criteria(criteria, [path])
        guide = next(
            (v for v in document_versions(drafted) if _file_name(drafted, v.document) == path.name),
            None,
        )
        if guide is None:
            continue
        waiting.add(guide.document)
        found.append(
            DraftImpact(
                guide,
                _version(criteria, guide.document),
                _target_group(drafted, guide.document),
                impact(store, [path]),
            )
        )
    with tempfile.TemporaryDirectory(prefix="draft-impact-") as folder:
        for guide in document_versions(criteria):
            name = _file_name(criteria, guide.document) if guide.draft else None
            if name is None or guide.document in waiting:
                continue
            empty = Path(folder) / name
            empty.write_bytes(b"")
            without = impact(store, [empty]).reversed()
            found.append(DraftImpact(guide, None, _target_group(criteria, guide.document), without))
    return sorted(found, key=lambda d: d.guide.document)


def _target_group(criteria: Criteria, guide: str) -> str | None:
    found = criteria.shapes.value(rdflib.URIRef(guide), SK.forTargetGroup)
    return None if found is None else str(found)


def draft_impacts(store: Store) -> list[DraftImpact] | None:
    """The cached impacts, or None while they are first being computed in the background."""
    return cache.in_background(store, "draft-impact", lambda: build(store))


def sections(
    store: Store, found: list[DraftImpact], lang: str, meets: tuple[str, str], not_placed: str
) -> list[GuideSection]:
    """The page's view of the impacts: labels in ``lang``, each change from the version in force
    (or no guide) to the draft. ``meets`` is the (does not meet, meets) wording, ``not_placed``
    the no-level one."""
    labels = search.index(store)

    def label(iri: str | None, missing: str = "—") -> str:
        return labels.label(iri, lang) if iri else missing

    def change(
        service: str, region: str | None, function: str, without: str, with_draft: str
    ) -> ServiceChange:
        provider = service_provider(service)
        document = labels.document(provider) if provider else None
        return ServiceChange(
            service,
            provider,
            document.name if document else service,
            label(region),
            function,
            without,
            with_draft,
        )

    out = []
    for d in found:
        status = guide_status(store, d.target_group, lang) if d.target_group else None
        counts = d.impact.counts()
        out.append(
            GuideSection(
                guide=d.guide.document,
                anchor=code(d.guide.document),
                title=status.title if status and status.title else code(d.guide.document),
                version=d.guide.version,
                status=status.status if status else "",
                current=d.current.version if d.current else "",
                regions=[
                    (label(r["region"]), r["placements"], r["qualifications"])
                    for r in counts["regions"]  # type: ignore[attr-defined]
                ],
                levels=[
                    (label(lv["level"], not_placed), lv["from"], lv["to"])
                    for lv in counts["levels"]  # type: ignore[attr-defined]
                ],
                placements=[
                    change(
                        p.service,
                        p.region,
                        "",
                        label(p.before, not_placed),
                        label(p.after, not_placed),
                    )
                    for p in d.impact.placements
                ],
                qualifications=[
                    change(q.service, q.region, label(q.function), meets[q.before], meets[q.after])
                    for q in d.impact.qualifications
                ],
            )
        )
    return out
