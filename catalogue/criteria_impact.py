"""What a changed guide or shape file would change, before it is adopted.

``specialekatalog criteria impact FILE...``: each file replaces the loaded knowledge file with the
same name under shapes/ (a draft of a guide, say). Every provider is validated against the criteria
in the store (the computed verdicts as they stand) and against the criteria with the files replaced;
the answer lists every target-group service whose computed placement changes and every
specialfunktion qualification that changes, with counts per region and level. Nothing is written:
the draft is validated in a throw-away in-memory store holding the provider records and the
draft's knowledge (the live store's union would still hold the old lists the draft changes).

Drafts of loaded knowledge files wait under ``drafts/`` beside ontology/ and shapes/ (never loaded):
``drafts/shapes/guides/autisme.ttl`` is a draft of the loaded ``shapes/guides/autisme.ttl``, and
``draft_files`` lists them for the national board's page (catalogue/browse/draft_impact.py), which
compares each with the version in force.

The verdicts as they stand are read from the providers' reports where a report is up to date (its
data and criteria hashes are those of the record and of the store's criteria, as ``check`` decides);
only providers without an up-to-date report are validated against the store's criteria.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
from catalogue.compliance.check import (
    WHOLE_STORE_FROM,
    Record,
    engine_for,
    provider_ids,
    record_quads,
)
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.placement import Outcome, Scheme
from catalogue.compliance.results import Result
from catalogue.config import knowledge_root
from catalogue.importing.problems import FileRefused, Problems
from catalogue.importing.rdffile import screen
from catalogue.loading import knowledge_files
from catalogue.namespaces import BASE, RDF_TYPE, SK, code, report_iri
from catalogue.store import Store, scratch_store

TURTLE = ox.RdfFormat.TURTLE

Progress = Callable[[float], None]
CURRENT, DRAFT, READING = 0.4, 0.4, 0.2  # shares of the work, for progress
MUNICIPALITY = ox.NamedNode(str(SK.municipality))
BROADER = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
REGION = ox.NamedNode(str(SK.Region))
COPY_QUADS = 50_000  # provider quads copied into the scratch store per call
DRAFTS = "drafts"  # beside ontology/ and shapes/: drafts of knowledge files, never loaded


class ImpactError(ValueError):
    """The files cannot stand in for loaded criteria; the message is safe to show."""


@dataclass(frozen=True)
class PlacementChange:
    service: str
    before: str | None  # level IRI, None: not placed
    after: str | None
    region: str | None


@dataclass(frozen=True)
class QualificationChange:
    service: str
    function: str
    before: bool
    after: bool
    region: str | None


@dataclass
class Impact:
    replaced: list[str]  # the knowledge files (relative paths) the draft replaced
    placements: list[PlacementChange] = field(default_factory=list)
    qualifications: list[QualificationChange] = field(default_factory=list)

    def reversed(self) -> Impact:
        """The same changes seen the other way (each "from" is the other's "to")."""
        return Impact(
            self.replaced,
            [PlacementChange(p.service, p.after, p.before, p.region) for p in self.placements],
            [
                QualificationChange(q.service, q.function, q.after, q.before, q.region)
                for q in self.qualifications
            ],
        )

    def counts(self) -> dict[str, object]:
        """Changes per region (placements, qualifications) and per level (left, entered)."""
        regions: dict[str | None, Counter[str]] = defaultdict(Counter)
        for p in self.placements:
            regions[p.region]["placements"] += 1
        for q in self.qualifications:
            regions[q.region]["qualifications"] += 1
        left = Counter(p.before for p in self.placements)
        entered = Counter(p.after for p in self.placements)
        levels = sorted(set(left) | set(entered), key=lambda lv: lv or "")
        return {
            "regions": [
                {
                    "region": region,
                    "placements": c["placements"],
                    "qualifications": c["qualifications"],
                }
                for region, c in sorted(regions.items(), key=lambda rc: rc[0] or "")
            ],
            "levels": [{"level": lv, "from": left[lv], "to": entered[lv]} for lv in levels],
        }

    def as_json(self) -> dict[str, object]:
        return {
            "replaced": self.replaced,
            "placements": [
                {"service": p.service, "from": p.before, "to": p.after} for p in self.placements
            ],
            "qualifications": [
                {"service": q.service, "function": q.function, "from": q.before, "to": q.after}
                for q in self.qualifications
            ],
            "counts": self.counts(),
        }

    def as_text(self) -> str:
        def level(iri: str | None) -> str:
            return code(iri) if iri else "ikke indplaceret / not placed"

        out = [f"replaced: {', '.join(self.replaced)}"]
        out += [f"{p.service}: {level(p.before)} -> {level(p.after)}" for p in self.placements]
        out += [
            f"{q.service} {code(q.function)}: {'meets' if q.before else 'does not meet'} -> "
            f"{'meets' if q.after else 'does not meet'}"
            for q in self.qualifications
        ]
        counts = self.counts()
        for r in counts["regions"]:  # type: ignore[attr-defined]
            name = code(r["region"]) if r["region"] else "-"
            out.append(
                f"region {name}: {r['placements']} placements, {r['qualifications']} qualifications"
            )
        for lv in counts["levels"]:  # type: ignore[attr-defined]
            out.append(f"level {level(lv['level'])}: {lv['from']} leave, {lv['to']} enter")
        out.append(
            f"changes: {len(self.placements)} placements, {len(self.qualifications)} qualifications"
        )
        return "\n".join(out)


def draft_files(folder: Path | None = None) -> list[Path]:
    """The drafts waiting in ``folder`` (default: drafts/ beside shapes/), under shapes/ and each
    named like the loaded file it would replace."""
    found = (folder or knowledge_root() / DRAFTS) / "shapes"
    return sorted(found.rglob("*.ttl")) if found.is_dir() else []


def draft_criteria(
    current: Criteria, files: Sequence[Path], root: Path | None = None
) -> tuple[Criteria, list[str]]:
    """The criteria with each file standing in for the knowledge file of the same name under
    shapes/ (parsed as the loader parses it, into that file's graph), and the files replaced."""
    known: dict[str, list[ox.NamedNode]] = defaultdict(list)
    relative: dict[ox.NamedNode, str] = {}
    for kf in knowledge_files(root):
        if kf.relative.startswith("shapes/"):
            known[kf.path.name].append(kf.graph)
            relative[kf.graph] = kf.relative
    replaced: dict[ox.NamedNode, list[ox.Quad]] = {}
    digest = hashlib.sha256(current.digest.encode())
    for path in files:
        graphs = known.get(path.name, [])
        if len(graphs) != 1:
            raise ImpactError(
                f"{path.name}: no single knowledge file of that name under shapes/ to replace"
            )
        (graph,) = graphs
        if graph in replaced:
            raise ImpactError(f"{path.name}: given twice")
        content, problems = path.read_bytes(), Problems(path.name)
        try:  # as an uploaded file: a draft nested too deep would crash the parser
            triples = ox.parse(screen(content, TURTLE, problems), TURTLE, base_iri=BASE)
            replaced[graph] = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        except SyntaxError as exc:
            raise ImpactError(f"{path}: {exc}") from exc
        except FileRefused:
            raise ImpactError("; ".join(map(str, problems.errors))) from None
        digest.update(relative[graph].encode() + hashlib.sha256(content).digest())
    kept = tuple(q for q in current.reference if q.graph_name not in replaced)
    added = tuple(q for quads in replaced.values() for q in quads)
    return Criteria(kept + added, digest.hexdigest()), sorted(relative[g] for g in replaced)


def _by_provider(results: Iterable[Result], records: Sequence[Record]) -> dict[str, list[Result]]:
    owner = {s: r.tpid for r in records for s in r.subjects}
    grouped: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        tpid = owner.get(str(result.focus))
        if tpid is not None:
            grouped[tpid].append(result)
    return grouped


def _regions(criteria: Criteria) -> dict[ox.NamedNode, str]:
    """Municipality -> its region's IRI, from the reference knowledge."""
    regions = {
        q.subject for q in criteria.reference if q.predicate == RDF_TYPE and q.object == REGION
    }
    return {
        q.subject: q.object.value
        for q in criteria.reference
        if q.predicate == BROADER
        and q.object in regions
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.NamedNode)
    }


@dataclass
class Verdicts:
    """A provider's computed placements (service -> level IRI) and qualifications."""

    placements: dict[str, str] = field(default_factory=dict)
    qualified: dict[tuple[str, str], bool] = field(default_factory=dict)

    @classmethod
    def of(cls, outcome: Outcome) -> Verdicts:
        return cls(
            {s.value: lv.value for s, lv in outcome.placements.items()},
            {(q.service.value, q.function.value): q.meets for q in outcome.qualifications},
        )


def _stored(store: Store, records: Sequence[Record], digest: str) -> dict[str, Verdicts]:
    """The verdicts of the providers whose report is up to date, read from the reports."""
    hashes = {
        row["report"].value: (row["dataHash"].value, row["shapesHash"].value)
        for row in queries.run(store, "compliance_report_hashes")
    }
    current = {
        report_iri(r.tpid).value: r.tpid
        for r in records
        if hashes.get(report_iri(r.tpid).value) == (r.digest, digest)
    }
    found = {tpid: Verdicts() for tpid in current.values()}
    for row in queries.run(store, "impact_stored_outcomes"):
        tpid = current.get(row["report"].value)
        if tpid is None:
            continue
        if "level" in row:
            found[tpid].placements[row["service"].value] = row["level"].value
        else:
            meets = row["meets"].value == "true"
            found[tpid].qualified[(row["service"].value, row["function"].value)] = meets
    return found


def _changes(
    record: Record, before: Verdicts, after: Verdicts, region: str | None, impact: Impact
) -> None:
    for service in sorted({s.iri.value for s in record.services}):
        was, now = before.placements.get(service), after.placements.get(service)
        if was != now:
            impact.placements.append(PlacementChange(service, was, now, region))
    for key in sorted(set(before.qualified) | set(after.qualified)):
        was_q, now_q = before.qualified.get(key, False), after.qualified.get(key, False)
        if was_q != now_q:
            impact.qualifications.append(QualificationChange(*key, was_q, now_q, region))


def impact(
    store: Store, files: Sequence[Path], progress: Progress | None = None, root: Path | None = None
) -> Impact:
    """Every computed placement and qualification the files would change (nothing is written)."""
    report = progress or (lambda share: None)
    current = engine_for(store)
    draft, replaced = draft_criteria(current.criteria, files, root)
    regions = _regions(draft)
    scratch = scratch_store(draft.reference)
    records: list[Record] = []
    region_of: dict[str, str | None] = {}
    batch: list[ox.Quad] = []
    tpids = provider_ids(store)
    for tpid in tpids:
        quads = record_quads(store, tpid)
        records.append(Record.of(tpid, quads))
        municipality = next((q.object for q in quads if q.predicate == MUNICIPALITY), None)
        region_of[tpid] = (
            regions.get(municipality) if isinstance(municipality, ox.NamedNode) else None
        )
        batch += quads
        if len(batch) >= COPY_QUADS:
            scratch.add(batch)
            batch = []
        report(READING / len(tpids))
    scratch.add(batch)
    if not tpids:
        report(READING)
    before = _stored(store, records, current.criteria.digest)
    stale = [r for r in records if r.tpid not in before]
    if len(stale) >= WHOLE_STORE_FROM:
        results = _by_provider(current.fast.run(store), stale)
    else:
        results = {r.tpid: current.fast.run_record(record_quads(store, r.tpid)) for r in stale}
    for r in stale:
        before[r.tpid] = Verdicts.of(current.scheme.outcome(r.services, results.get(r.tpid, [])))
    report(CURRENT)
    after = _by_provider(FastPath(draft).run(scratch, lambda share: report(DRAFT * share)), records)
    scheme = Scheme(draft)
    found = Impact(replaced)
    for record in records:
        now = Verdicts.of(scheme.outcome(record.services, after.get(record.tpid, [])))
        _changes(record, before[record.tpid], now, region_of[record.tpid], found)
    return found
