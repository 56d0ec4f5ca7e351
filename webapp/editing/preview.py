"""The dry-run preview of an upload: what the import would refuse, and what it would change.

Nothing here writes to the live store. The files are read and checked by the import function in
dry-run mode; providers supervised by another socialtilsyn are refused (an editor changes only the
providers of their own authority, before and after the import); and for the providers that would be
written, the compliance report that would result is computed on a scratch copy (the knowledge
graphs and the new records in a throw-away in-memory store), then read back with the same named
queries the provider page uses. The rules themselves live in the core: ``catalogue/editing.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.audit import graph_hashes
from catalogue.browse.concepts import Level, levels
from catalogue.browse.provider import Service, services
from catalogue.browse.report import ResultGroup, grouped, results
from catalogue.compliance import check
from catalogue.editing import record_value, refuse_foreign, scratch_copy, warn_lost_approvals
from catalogue.editors import Editor
from catalogue.importing import FileResult, import_data
from catalogue.namespaces import provider_iri
from catalogue.store import Store
from webapp import uri_space

MAX_CHECKED = 25  # providers whose compliance is previewed; the rest are only checked for integrity


@dataclass(frozen=True)
class ProviderPreview:
    tpid: str
    name: str
    file: str
    exists: bool
    placed_now: dict[str, str]  # target group IRI -> current placement label ("" not placed)
    services: list[Service]  # as they would be placed
    results: list[ResultGroup]  # the compliance results that would result


@dataclass(frozen=True)
class Preview:
    files: list[FileResult]
    providers: list[ProviderPreview]
    provider_count: int
    levels: list[Level]
    expected: dict[str, str]  # provider graph IRI -> canonical hash the preview was computed on

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files) and self.provider_count > 0

    @property
    def tpids(self) -> list[str]:
        return [tpid for f in self.files for tpid in f.providers]

    @property
    def error_count(self) -> int:
        return sum(p.severity == "error" for f in self.files for p in f.problems)


def _placements(store: Store, iri: str, lang: str, specialised: list[Level]) -> dict[str, str]:
    return {
        s.target_group.iri: s.placed_at.label if s.placed_at else ""
        for s in services(store, iri, lang, specialised)
    }


def build(
    store: Store, files: list[tuple[str, bytes]], editor: Editor, max_bytes: int, lang: str
) -> Preview:
    checked = import_data(
        store, files, max_bytes=max_bytes, dry_run=True, uri_space=uri_space.current()
    )
    for result in checked.files:
        refuse_foreign(store, result, editor)
        warn_lost_approvals(store, result)
    records = [r for f in checked.files for r in f.records]
    specialised = [level for level in levels(store, lang) if level.rank > 0]
    providers: list[ProviderPreview] = []
    if checked.ok and records and all(f.ok for f in checked.files):
        shown = records[:MAX_CHECKED]
        scratch = scratch_copy(store, shown)
        check(scratch, [r.tpid for r in shown], force=True)
        existing = store.graph_names()
        for record in shown:
            iri = provider_iri(record.tpid).value
            name = record_value(record, "name")
            checked_services = services(scratch, iri, lang, specialised)
            target_groups = {s.iri: s.target_group.label for s in checked_services}
            providers.append(
                ProviderPreview(
                    tpid=record.tpid,
                    name=name.value if name is not None else record.tpid,
                    file=next(f.file for f in checked.files if record in f.records),
                    exists=record.graph in existing,
                    placed_now=_placements(store, iri, lang, specialised),
                    services=checked_services,
                    results=grouped(results(scratch, iri, lang, target_groups)),
                )
            )
    return Preview(
        files=checked.files,
        providers=providers,
        provider_count=len(records),
        levels=specialised,
        expected=graph_hashes(store, [r.graph for r in records]),
    )
