"""Importing provider data: CSV in the documented template, and RDF in the ontology's terms.

Read, map, validate, and only then write. Every file is checked completely (all its problems are
reported at once); if any file of an import has an error, nothing is written. A CSV file is
streamed: its providers are mapped to N-Triples text, staged and checked a chunk at a time, and
the checked graphs wait in a temporary file until every file of the import has passed. The whole
import is one write, all or nothing on the embedded store even when the process is killed half-way
(a redo journal, ``catalogue.store.journal``); re-importing a file changes nothing.

    result = import_paths(store, [Path("tilbud.csv")], max_bytes=20 * 2**20)
    for problem in result.problems: print(problem)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from catalogue.compliance.results import Result
from catalogue.formats import rdf_for_file
from catalogue.importing.csvfile import read_csv
from catalogue.importing.problems import FileRefused, Problem, Problems
from catalogue.importing.rdffile import read_rdf
from catalogue.importing.recorded import Recorded
from catalogue.importing.records import ProviderRecord, RecordText, ntriples
from catalogue.importing.validation import check_staged, report, staging_store
from catalogue.importing.writer import Spool, write_graphs
from catalogue.publish import UriSpace
from catalogue.store import Store

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
    records: list[ProviderRecord] = field(default_factory=list)  # kept only when asked for
    problems: list[Problem] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)  # the keys of the providers read

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


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


def _chunks(
    name: str, data: bytes, problems: Problems, uri_space: UriSpace | None
) -> Iterator[list[RecordText]]:
    """The file's records, chunk by chunk (a CSV file streamed, an RDF file whole)."""
    rdf = rdf_for_file(name)
    if not readable(name):
        problems.add(
            "filtype",
            "Ukendt filtype: brug .csv, .ttl, .nt, .nq, .trig, .jsonld eller .rdf",
            "Unknown file type: use .csv, .ttl, .nt, .nq, .trig, .jsonld or .rdf",
        )
    elif not data:
        problems.add("tom", "Filen er tom", "The file is empty")
    elif rdf is None:
        yield from read_csv(data, problems)
    elif records := read_rdf(data, rdf, problems, uri_space):
        yield [record.text() for record in records]


def read_file(
    name: str,
    data: bytes,
    max_bytes: int,
    *,
    recorded: Recorded | None = None,
    records: bool = True,
    spool: Spool | None = None,
    existing: Container[ox.NamedNode] | None = None,
    uri_space: UriSpace | None = None,
) -> FileResult:
    """Parse, map and validate one file, chunk by chunk; nothing is written. The checked graphs
    (with the ``recorded`` approvals carried over) go to ``spool``; ``records``: keep every record
    as triples too (a small upload's preview reads them). A graph the store holds already
    (``existing``; not given: any graph) is read back from the staging store in its canonical
    form, to be compared; a new one goes as mapped (the store makes it canonical as it loads it).
    ``uri_space``: IRIs under its public base in an RDF file stand for the stored ones.

    While this thread maps a chunk (Python), a worker stages and checks the one before (mostly
    in Oxigraph, without the GIL); the problems are added here, in the file's chunk order."""
    if len(data) > max_bytes:
        return _too_big(name, len(data), max_bytes)
    problems = Problems(name)
    result = FileResult(name)

    def checked(chunk: list[RecordText]) -> list[Result]:
        staging = staging_store()  # a new one: Oxigraph's memory store keeps what is removed
        found = check_staged(staging, chunk)
        if recorded is not None:
            recorded.carry(staging, chunk)
        for record in chunk:
            if spool is None and not records:
                continue
            # as mapped, unless the store may hold the graph (compared in canonical form) or it has
            # blank nodes: the file's labels would name one node across files in one write
            stored = existing is None or record.graph in existing
            keep = not stored and "_:" not in record.text
            text = record.text if keep else ntriples(staging, record.graph)
            if spool is not None:
                spool.add(record.graph, text)
            if records:
                result.records.append(record.record(text))
        return found

    with ThreadPoolExecutor(1, thread_name_prefix="import-check") as worker:
        pending: list[tuple[Future[list[Result]], list[RecordText]]] = []
        try:
            for chunk in _chunks(name, data, problems, uri_space):
                result.providers += [record.tpid for record in chunk]
                pending.append((worker.submit(checked, chunk), chunk))
                if len(pending) > 1:
                    future, done = pending.pop(0)
                    report(future.result(), done, problems)
        except FileRefused:
            pass
        for future, done in pending:
            report(future.result(), done, problems)
    problems.summarise()
    result.problems = sorted(problems.items, key=lambda p: p.line or 0)
    return result


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
    uri_space: UriSpace | None = None,
) -> ImportResult:
    """Import files given as (name, content); write only if every file is free of errors. The
    results keep the records (uploads: small files, previewed record by record)."""
    sources = [(name, len(data), lambda data=data: data) for name, data in files]
    return _import(store, sources, max_bytes, dry_run, progress, records=True, uri_space=uri_space)


def import_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    max_bytes: int,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    uri_space: UriSpace | None = None,
) -> ImportResult:
    """Import files from disk; a file over the limit is refused without being read. The results
    hold the providers' keys, not their records (a national file is streamed)."""
    sources = [(path.name, path.stat().st_size, path.read_bytes) for path in paths]
    return _import(store, sources, max_bytes, dry_run, progress, records=False, uri_space=uri_space)


def _import(
    store: Store,
    sources: Sequence[tuple[str, int, Callable[[], bytes]]],
    max_bytes: int,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    *,
    records: bool,
    uri_space: UriSpace | None,
) -> ImportResult:
    """Read every file (name, size, content), then write them all if none has an error."""
    recorded, existing = Recorded(store), store.graph_names()
    with ExitStack() as stack:
        # one spool for every file: a temporary file each ran out of file descriptors at about
        # 1,000 files (the usual limit of 1,024), with a traceback
        spool = None if dry_run else stack.enter_context(Spool())
        results = []
        for name, size, read in sources:
            if size > max_bytes:
                results.append(_too_big(name, size, max_bytes))
                continue
            data = read()
            results.append(
                read_file(
                    name,
                    data,
                    max_bytes,
                    recorded=recorded,
                    records=records,
                    spool=spool,
                    existing=existing,
                    uri_space=uri_space,
                )
            )
        _across_files(results)
        result = ImportResult(results, dry_run=dry_run)
        if spool is not None and result.ok:
            with _WRITING:
                result.written = write_graphs(store, spool, progress)
    return result
