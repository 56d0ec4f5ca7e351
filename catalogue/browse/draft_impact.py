"""What adopting the draft guides would change, for the national board's page.

With the current data model a guide is "loaded as a draft" when its file under shapes/guides/ is
loaded with a draft status (``adms:status`` udkast or i høring, ``sk:draft true``). The check
already validates against every loaded guide, draft or not, so the store's reports hold the
draft's verdicts; there is no adopted version of the same guide beside it to compare with. What
the page can show honestly is what each draft guide changes compared with the criteria without
it: ``criteria_impact.impact`` with an empty file standing in for the guide's file. Its "from" is
then the verdict with the draft (the store's criteria) and its "to" the verdict without it; the
page shows each change the other way round (without the draft -> with it, i.e. adopting it).

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
from catalogue.compliance.governance import DocumentVersion, document_versions
from catalogue.criteria_impact import Impact, impact
from catalogue.namespaces import RDF_TYPE, SK, code, service_provider
from catalogue.store import Store

OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")


GUIDES = "shapes/guides/"  # where the target-group guides' knowledge graphs are named from


@dataclass(frozen=True)
class DraftImpact:
    guide: DocumentVersion
    target_group: str | None
    impact: Impact  # as criteria_impact returns it: from = with the draft, to = without it


@dataclass(frozen=True)
class ServiceChange:
    service: str
    provider: str | None  # the provider's IRI (its page)
    provider_name: str
    region: str
    function: str  # the specialfunktion's label ('' for a placement)
    without: str  # the level label (or meets / does not meet) without the draft
    with_draft: str


@dataclass(frozen=True)
class GuideSection:
    guide: str
    anchor: str
    title: str
    version: str
    status: str
    regions: list[tuple[str, int, int]]  # region label, placements, qualifications
    levels: list[tuple[str, int, int]]  # level label, services there without / with the draft
    placements: list[ServiceChange]
    qualifications: list[ServiceChange]


def _file_name(store: Store, guide: str) -> str | None:
    """The file name (``autisme.ttl``) of the guide's knowledge graph under shapes/guides/."""
    declaration = (ox.NamedNode(guide), RDF_TYPE, OWL_ONTOLOGY)
    for quad in engine_for(store).criteria.reference:
        if (quad.subject, quad.predicate, quad.object) == declaration:
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and GUIDES in graph.value:
                return graph.value.rsplit("/", 1)[-1] + ".ttl"
            return None
    return None


def build(store: Store) -> list[DraftImpact]:
    """Each draft guide's impact, computed now (about one full check per guide)."""
    criteria = engine_for(store).criteria
    found = []
    with tempfile.TemporaryDirectory(prefix="draft-impact-") as folder:
        for guide in document_versions(criteria):
            name = _file_name(store, guide.document) if guide.draft else None
            if name is None:
                continue
            target_group = criteria.shapes.value(rdflib.URIRef(guide.document), SK.forTargetGroup)
            empty = Path(folder) / name
            empty.write_bytes(b"")
            found.append(
                DraftImpact(
                    guide,
                    None if target_group is None else str(target_group),
                    impact(store, [empty]),
                )
            )
    return found


def draft_impacts(store: Store) -> list[DraftImpact] | None:
    """The cached impacts, or None while they are first being computed in the background."""
    return cache.in_background(store, "draft-impact", lambda: build(store))


def sections(
    store: Store, found: list[DraftImpact], lang: str, meets: tuple[str, str], not_placed: str
) -> list[GuideSection]:
    """The page's view of the impacts: labels in ``lang``, each change from without the draft to
    with it. ``meets`` is the (does not meet, meets) wording, ``not_placed`` the no-level one."""
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
                regions=[
                    (label(r["region"]), r["placements"], r["qualifications"])
                    for r in counts["regions"]  # type: ignore[attr-defined]
                ],
                levels=[
                    (label(lv["level"], not_placed), lv["to"], lv["from"])
                    for lv in counts["levels"]  # type: ignore[attr-defined]
                ],
                placements=[
                    change(
                        p.service,
                        p.region,
                        "",
                        label(p.after, not_placed),
                        label(p.before, not_placed),
                    )
                    for p in d.impact.placements
                ],
                qualifications=[
                    change(q.service, q.region, label(q.function), meets[q.after], meets[q.before])
                    for q in d.impact.qualifications
                ],
            )
        )
    return out
