"""Importing provider data: CSV in the documented template, and RDF in the ontology's terms.

Read, map, validate, and only then write. Every file is checked completely (all its problems are
reported at once); if any file of an import has an error, nothing is written. The whole import is
one write, all or nothing on the embedded store even when the process is killed half-way (a redo
journal, ``catalogue.store.journal``); re-importing a file changes nothing.

    result = import_paths(store, [Path("tilbud.csv")], max_bytes=20 * 2**20)
    for problem in result.problems: print(problem)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.formats import rdf_for_file
from catalogue.importing.csvfile import read_csv
from catalogue.importing.problems import FileRefused, Problem, Problems
from catalogue.importing.rdffile import read_rdf
from catalogue.importing.recorded import keep_recorded_approvals
from catalogue.importing.records import ProviderRecord
from catalogue.importing.validation import validate
from catalogue.importing.writer import write_staged
from catalogue.store import EmbeddedStore, Store

__all__ = [
    "FileResult",
    "ImportResult",
    "Problem",
    "import_data",
    "import_paths",
    "read_file",
    "readable",
]

_WRITING = threading.Lock()  # one import writes at a time (single-writer store, THREATS B7)


@dataclass
class FileResult:
    file: str
    records: list[ProviderRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    staging: EmbeddedStore | None = None  # the records as checked, until they are written

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def providers(self) -> list[str]:
        return [r.tpid for r in self.records]


@dataclass
class ImportResult:
    files: list[FileResult]
    written: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]


def _too_big(name: str, size: int, max_bytes: int) -> FileResult:
    problems = Problems(name)
    problems.add(
        "stoerrelse",
        f"Filen er for stor ({size / 2**20:.1f} MB); højst {max_bytes / 2**20:.0f} MB",
        f"The file is too large ({size / 2**20:.1f} MB); at most {max_bytes / 2**20:.0f} MB",
    )
    return FileResult(name, problems=problems.items)


def _is_csv(name: str) -> bool:
    return name.lower().endswith(".csv")


def readable(name: str) -> bool:
    """A file the import reads, by its extension: the CSV template or an RDF format."""
    return _is_csv(name) or rdf_for_file(name) is not None


def read_file(name: str, data: bytes, max_bytes: int) -> FileResult:
    """Parse, map and validate one file; nothing is written."""
    if len(data) > max_bytes:
        return _too_big(name, len(data), max_bytes)
    problems = Problems(name)
    records: list[ProviderRecord] = []
    rdf = rdf_for_file(name)
    try:
        if not readable(name):
            problems.add(
                "filtype",
                "Ukendt filtype: brug .csv, .ttl, .nt, .nq, .trig, .jsonld eller .rdf",
                "Unknown file type: use .csv, .ttl, .nt, .nq, .trig, .jsonld or .rdf",
            )
        elif not data:
            problems.add("tom", "Filen er tom", "The file is empty")
        elif rdf is None:
            records = read_csv(data, problems)
        else:
            records = read_rdf(data, rdf, problems)
    except FileRefused:
        records = []
    staging = validate(records, problems)
    problems.summarise()
    ordered = sorted(problems.items, key=lambda p: p.line or 0)
    return FileResult(name, records, ordered, staging)


def _across_files(results: list[FileResult]) -> None:
    seen: dict[str, str] = {}
    for result in results:
        for tpid in result.providers:
            if tpid in seen and seen[tpid] != result.file:
                result.problems.append(
                    Problem(
                        result.file,
                        "dobbelt-tilbud",
                        f"Tilbud {tpid} står også i {seen[tpid]}",
                        f"Provider {tpid} is also in {seen[tpid]}",
                    )
                )
            seen.setdefault(tpid, result.file)


def import_data(
    store: Store,
    files: Sequence[tuple[str, bytes]],
    *,
    max_bytes: int,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import files given as (name, content); write only if every file is free of errors."""
    results = [read_file(name, data, max_bytes) for name, data in files]
    return _commit(store, results, dry_run, progress)


def import_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    max_bytes: int,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import files from disk; a file over the limit is refused without being read."""
    results = []
    for path in paths:
        size = path.stat().st_size
        if size > max_bytes:
            results.append(_too_big(path.name, size, max_bytes))
        else:
            results.append(read_file(path.name, path.read_bytes(), max_bytes))
    return _commit(store, results, dry_run, progress)


def _commit(
    store: Store,
    results: list[FileResult],
    dry_run: bool,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    _across_files(results)
    for file in results:
        if file.records:
            keep_recorded_approvals(store, file.records, file.staging)
    result = ImportResult(results, dry_run=dry_run)
    if not dry_run and result.ok:
        staged = [(f.records, f.staging) for f in results if f.records and f.staging]
        with _WRITING:
            result.written = write_staged(store, staged, progress)
    for file in results:
        file.staging = None  # a preview keeps its results: not the staging store
    return result
