"""Checking providers: what to (re)validate, with which engine, and writing the reports.

On a store whose data is not local (a SPARQL server), the records are read once into an embedded
in-memory working copy with the criteria and validated there, so the server's SPARQL dialect never
decides a verdict; the reports are written back to the store.

Incremental: a provider is validated again only when the hash of its record or the hash of the
criteria (all knowledge graphs) differs from the ones its latest report records, or when forced.
Many providers to check: one set-based fast-path run over the whole store. A few: the fast path on
each provider's record (a scratch store with the reference knowledge). ``engine="pyshacl"`` runs
the reference engine per record instead (slow; the same results, tested).

On an on-disk store the records to validate are read into an in-memory working copy too (the
compiled queries' index reads are far cheaper there), and the reports are streamed through the
store's journal (``Store.replace_all``): the whole check's reports land all or nothing, by
Oxigraph's bulk loader. Elsewhere reports are written in chunks by a background thread (the store
parses their N-Triples text in Rust without the GIL) while the next chunk is built. Each
provider's results are dropped once its report text is built. Progress is reported as shares of the
check (they add up to 1): reading records, validating (per query batch or record), writing (per
chunk written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property, wraps
from typing import Concatenate, ParamSpec

import pyoxigraph as ox

from catalogue import __version__, queries
from catalogue.compliance import oracle
from catalogue.compliance.criteria import Criteria, criteria_digest
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.governance import DocumentVersion, document_versions
from catalogue.compliance.placement import Outcome, Scheme, Service
from catalogue.compliance.report import (
    HISTORY,
    Activity,
    criteria_set,
    history_graph,
    history_graphs,
    history_ntriples,
    report_ntriples,
    versions_ntriples,
)
from catalogue.compliance.results import Result
from catalogue.interpreter import batch_work
from catalogue.namespaces import (
    CRITERIA_VERSIONS_GRAPH,
    PROVIDER_GRAPHS,
    REPORT_GRAPHS,
    provider_graph,
    report_iri,
    sk,
)
from catalogue.store import (
    Store,
    canonical_hash,
    graph_ntriples,
    ntriples_lines,
    read_ahead,
    scratch_store,
)
from catalogue.store.coordination import Busy

FAST_ENGINE = "specialekatalog fast path (SHACL compiled to SPARQL on Oxigraph)"
FAST_VERSION = f"{__version__}; pyoxigraph {ox.__version__}"
ENGINES = ("fast", "pyshacl")
CHECK_WAIT_S = 120.0  # how long a check waits for another one writing reports
WHOLE_STORE_FROM = 25  # this many providers to check: one set-based run over the whole store
WRITE_CHUNK = 250  # reports written per atomic replace
COPY_CHUNK = 50_000  # quads added to a working copy at a time
COPY_ON_DISK = True  # an on-disk store is checked on an in-memory working copy (measured faster)
READING, VALIDATING, WRITING = 0.1, 0.5, 0.4  # shares of the work, for progress

TARGET_GROUP = sk("targetGroup")

Progress = Callable[[float], None]
P = ParamSpec("P")


class CheckError(RuntimeError):
    """The check could not run; the message is safe to show."""


@dataclass(frozen=True)
class Record:
    """What the check needs of one provider's named graph (its quads are not kept: memory).

    ``subjects``: the record's subjects written as N-Triples terms (``str`` of a pyoxigraph term),
    to tell which provider a result's focus node belongs to."""

    tpid: str
    digest: str
    subjects: frozenset[str]
    services: tuple[Service, ...]

    @property
    def graph(self) -> ox.NamedNode:
        return provider_graph(self.tpid)

    @classmethod
    def of(cls, tpid: str, quads: Sequence[ox.Quad]) -> Record:
        """From the record's quads (any record, also one with blank nodes)."""
        services = tuple(
            Service(q.subject, q.object)
            for q in quads
            if q.predicate == TARGET_GROUP
            and isinstance(q.object, ox.NamedNode)
            and isinstance(q.subject, ox.NamedNode)
        )
        subjects = frozenset(str(q.subject) for q in quads)
        return cls(tpid, digest(quads), subjects, services)

    @classmethod
    def from_text(cls, tpid: str, text: bytes, known: str) -> Record:
        """From the store's N-Triples of a ``plain`` record (every subject an IRI), with no Python
        object per quad."""
        subjects = frozenset(line[: line.find(b" ")].decode() for line in text.split(b"\n") if line)
        return cls(tpid, known, subjects, tuple(_services(text)))


_TARGET_GROUP = f" {TARGET_GROUP} <".encode()


def _services(text: bytes) -> Iterator[Service]:
    """The lines "<service> sk:targetGroup <group> ." of N-Triples text (a literal holding those
    characters leaves something other than one IRI on a side: not a service)."""
    at = text.find(_TARGET_GROUP)
    while at != -1:
        start = text.rfind(b"\n", 0, at) + 1
        end = text.find(b"\n", at)
        subject = text[start:at]
        group = text[at + len(_TARGET_GROUP) - 1 : end].removesuffix(b" .")
        if _iri(subject) and _iri(group):
            yield Service(ox.NamedNode(subject[1:-1].decode()), ox.NamedNode(group[1:-1].decode()))
        at = text.find(_TARGET_GROUP, end)


def _iri(term: bytes) -> bool:
    return term.startswith(b"<") and term.endswith(b">") and b" " not in term


def graph_text(store: Store, tpid: str) -> bytes:
    """The store's N-Triples of the provider's record (one line per triple, ending " .")."""
    text = graph_ntriples(store, provider_graph(tpid))
    if not text:
        raise CheckError(f"no provider with Tilbudsportalen id {tpid!r} in the store")
    return text


def plain(text: bytes) -> bool:
    """Whether the N-Triples text can have no blank node ("_:" inside a literal only makes it
    look otherwise). RDF 1.2 triple terms are objects only, so every subject is an IRI then."""
    return b"_" not in text or b"_:" not in text  # one byte is found far faster than two


def text_digest(text: bytes) -> str:
    """``digest`` of a ``plain`` record from the store's N-Triples of its graph."""
    return hashlib.sha256(b"\n".join(sorted(text.split(b"\n")))).hexdigest()


def digest(quads: Sequence[ox.Quad]) -> str:
    """The record's hash: SHA-256 of its sorted N-Triples lines (the graph is the record's own),
    RDFC-1.0 of its quads when it may have blank nodes."""
    text = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""
    if b"_:" in text:  # a blank node, or only the two characters in a literal: canonicalise
        return canonical_hash(quads)
    return text_digest(text)


@dataclass
class ProviderCheck:
    """The outcome of checking one provider (``checked`` False: unchanged, report kept).

    ``results`` and ``outcome`` are kept only when the check was asked for ``details``; a whole
    national check streams them into the reports and keeps the count."""

    tpid: str
    checked: bool
    conforms: bool | None = None
    results: list[Result] = field(default_factory=list)
    outcome: Outcome | None = None
    count: int | None = None  # how many results the report holds (when checked)


@dataclass
class Engine:
    """Criteria compiled once per criteria hash."""

    criteria: Criteria
    fast: FastPath
    scheme: Scheme

    @cached_property
    def documents(self) -> tuple[DocumentVersion, ...]:
        """The criteria documents' versions, recorded in every report."""
        return document_versions(self.criteria)


_ENGINES: dict[str, Engine] = {}


def engine_for(store: Store) -> Engine:
    """The compiled criteria of the store, reused while the criteria hash is unchanged."""
    digest = criteria_digest(store)
    cached = _ENGINES.get(digest)
    if cached is None:
        criteria = Criteria.from_store(store, digest)
        cached = Engine(criteria, FastPath(criteria), Scheme(criteria))
        _ENGINES.clear()
        _ENGINES[digest] = cached
    return cached


def provider_ids(store: Store) -> list[str]:
    return sorted(
        g.value[len(PROVIDER_GRAPHS) :]
        for g in store.graph_names()
        if g.value.startswith(PROVIDER_GRAPHS)
    )


def record_quads(store: Store, tpid: str) -> list[ox.Quad]:
    quads = list(store.quads(provider_graph(tpid)))
    if not quads:
        raise CheckError(f"no provider with Tilbudsportalen id {tpid!r} in the store")
    return quads


def uses_copy(store: Store, copy: bool | None = None) -> bool:
    """Whether the compiled constraints run on an embedded in-memory working copy (the criteria
    and the records to validate) rather than on ``store`` itself. A server always gets a copy, so
    the verdicts never depend on a remote engine's SPARQL dialect; an on-disk store by default
    (``COPY_ON_DISK``: the queries' many index reads are far cheaper in memory than from RocksDB,
    see BENCHMARKS.md); ``copy`` overrides the choice for a local store (benchmarks)."""
    if not store.can_snapshot:
        return True
    return (COPY_ON_DISK and store.directory is not None) if copy is None else copy


def read(
    store: Store,
    tpids: Iterable[str],
    stale: Callable[[Record], bool],
    copy: Callable[[], Store] | None,
) -> tuple[list[Record], list[Record], Store | None]:
    """Every record's digest, and what the check needs of the stale ones: all records (the
    unchanged ones without subjects and services), the stale ones, and (``copy`` given) a working
    copy holding the stale records, when they are many enough to be checked over a whole store
    (see ``_Copy``). Each record is read once as the store's N-Triples text; only a record with
    blank nodes is read as quads."""
    found: list[Record] = []
    todo: list[Record] = []
    working = _Copy(copy) if copy is not None else None
    for tpid, text in read_ahead(lambda t: graph_text(store, t), tpids):
        if not plain(text):
            quads = record_quads(store, tpid)
            record = Record.of(tpid, quads)
            if stale(record):
                todo.append(record)
                if working is not None:
                    working.add_quads(quads)
            found.append(record)
            continue
        record = Record(tpid, text_digest(text), frozenset(), ())
        if stale(record):
            record = Record.from_text(tpid, text, record.digest)
            todo.append(record)
            if working is not None:
                working.add_text(record.graph, text)
        found.append(record)
    return found, todo, working.done() if working is not None else None


class _Copy:
    """A working copy filled in chunks (``COPY_CHUNK`` quads): N-Triples text parsed by the store
    in Rust, quads only for records with blank nodes (kept as the same nodes). Fewer records
    than ``WHOLE_STORE_FROM`` get none: each is validated on the engine's own scratch store,
    and making a copy of the reference knowledge for them was half of a re-check on disk."""

    def __init__(self, make: Callable[[], Store]) -> None:
        self.make = make
        self.store: Store | None = None
        self.texts: dict[ox.NamedNode, str] = {}
        self.quads: list[ox.Quad] = []
        self.size = 0
        self.records = 0

    def add_text(self, graph: ox.NamedNode, text: bytes) -> None:
        self.texts[graph] = text.decode()
        self.records += 1
        self._grow(text.count(b"\n"))

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        self.quads += quads
        self.records += 1
        self._grow(len(quads))

    def _grow(self, size: int) -> None:
        self.size += size
        if self.size >= COPY_CHUNK:
            self._flush()

    def _flush(self) -> None:
        self.store = self.store or self.make()
        if self.texts:
            self.store.replace_graphs_text(self.texts, trusted=True)  # written by the store
        if self.quads:
            self.store.add(self.quads)
        self.texts, self.quads, self.size = {}, [], 0

    def done(self) -> Store | None:
        if self.store is None and self.records < WHOLE_STORE_FROM:
            return None  # one record at a time, read from the store itself
        if self.texts or self.quads:
            self._flush()
        return self.store


def _share(progress: Progress | None, share: float) -> Progress:
    """A progress callback for one part of the work: fractions of the part, scaled to its share."""
    return (lambda fraction: progress(fraction * share)) if progress else (lambda fraction: None)


def _validate(
    store: Store,
    engine: Engine,
    todo: Sequence[Record],
    which: str,
    progress: Progress,
) -> dict[str, list[Result]]:
    if not todo:
        progress(1.0)
        return {}
    if which == "pyshacl" or len(todo) < WHOLE_STORE_FROM:
        run = (
            (lambda q: oracle.validate_record(engine.criteria, q))
            if which == "pyshacl"
            else engine.fast.run_record
        )
        found = {}
        for record in todo:
            found[record.tpid] = run(record_quads(store, record.tpid))
            progress(1 / len(todo))
        return found
    use = engine.fast.reference_shapes
    share = 1.0 if use is None else 0.5  # the refused shapes' per-record run takes the other half
    owner = {s: r.tpid for r in todo for s in r.subjects}
    grouped: dict[str, list[Result]] = defaultdict(list)
    for result in engine.fast.run(store, _share(progress, share), reference=False):
        tpid = owner.get(str(result.focus))
        if tpid is not None:
            grouped[tpid].append(result)
    if use is not None:
        for record in todo:
            quads = record_quads(store, record.tpid)
            grouped[record.tpid] += oracle.validate_record(engine.criteria, quads, use)
            progress((1 - share) / len(todo))
    return {r.tpid: grouped.get(r.tpid, []) for r in todo}


def refused(store: Store) -> dict[str, str]:
    """The shapes the compiled engine refused (shape -> reason); the check validates those with
    targets with the reference engine, per record."""
    return dict(engine_for(store).fast.plan.refused)


def engine_name(engine: Engine, which: str) -> tuple[str, str]:
    """The engine recorded in each report's PROV activity, and its version."""
    if which == "pyshacl":
        return oracle.ENGINE, oracle.VERSION
    roots = engine.fast.plan.refused_roots
    if not roots:
        return FAST_ENGINE, FAST_VERSION
    return (
        f"{FAST_ENGINE}, with {oracle.ENGINE} for the {len(roots)} shape(s) it refused: "
        + ", ".join(str(r) for r in roots),
        f"{FAST_VERSION}; {oracle.ENGINE} {oracle.VERSION}",
    )


def _history(store: Store, reports: set[str]) -> dict[str, list[ox.Triple]]:
    """The most recent earlier checks (HISTORY - 1 of them) that reports written before the
    check history had graphs of its own hold, to carry over into their first history graph."""
    if not reports:
        return {}
    by_activity: dict[tuple[str, ox.NamedNode], list[ox.Triple]] = defaultdict(list)
    ended: dict[tuple[str, ox.NamedNode], str] = {}
    one = next(iter(reports)) if len(reports) == 1 else None
    for row in queries.run(store, "compliance_activities", report=one):
        report = row["report"].value
        if report not in reports:
            continue
        activity = row["activity"]
        assert isinstance(activity, ox.NamedNode)
        key = (report, activity)
        by_activity[key].append(ox.Triple(row["activity"], row["p"], row["o"]))  # type: ignore[arg-type]
        ended[key] = row["ended"].value
    kept: dict[str, list[ox.Triple]] = defaultdict(list)
    for report in reports:
        keys = sorted(
            (k for k in by_activity if k[0] == report), key=lambda k: ended[k], reverse=True
        )
        for key in keys[: HISTORY - 1]:
            kept[report] += by_activity[key]
            kept[report].append(
                ox.Triple(
                    ox.NamedNode(report),
                    ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy"),
                    key[1],
                )
            )
    return kept


def _in_turn(
    run: Callable[Concatenate[Store, P], list[ProviderCheck]],
) -> Callable[Concatenate[Store, P], list[ProviderCheck]]:
    """One check at a time writes a store's reports (``Store.exclusive``, in every process): two
    checks of one provider would each write the difference from the same report, and the report
    would hold both. A check that waits ``CHECK_WAIT_S`` gives up with a ``CheckError``; its
    providers stay stale and the next check takes them."""

    @wraps(run)
    def in_turn(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> list[ProviderCheck]:
        try:
            with store.exclusive("compliance-check", CHECK_WAIT_S):
                return run(store, *args, **kwargs)
        except Busy as exc:
            raise CheckError(
                "en anden kontrol skriver rapporter; prøv igen om lidt / another check is "
                "writing its reports; try again shortly"
            ) from exc

    return in_turn


@_in_turn
@batch_work()  # the interpreter set for batch work (see catalogue.interpreter)
def check(
    store: Store,
    tpids: Sequence[str] | None = None,
    *,
    force: bool = False,
    engine: str = "fast",
    progress: Progress | None = None,
    details: bool = True,
    copy: bool | None = None,
) -> list[ProviderCheck]:
    """Check the given providers (all when None); write a report for each one validated.

    ``progress`` receives shares of the whole check as parts of it finish (they add up to 1).
    ``details``: keep each provider's results and outcome in its ``ProviderCheck`` (False: only
    the counts; each provider's results are dropped once its report is built). ``copy``: see
    ``working_copy``."""
    if engine not in ENGINES:
        raise CheckError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    compiled = engine_for(store)
    shapes_hash = compiled.criteria.digest
    everything = tpids is None
    wanted = provider_ids(store) if tpids is None else list(dict.fromkeys(tpids))
    one = report_iri(wanted[0]).value if len(wanted) == 1 and not everything else None
    stored: dict[str, tuple[str, str]] = {}
    following: dict[str, int] = {}  # a report's next check number (none: written before it)
    for row in queries.run(store, "compliance_report_hashes", report=one):
        stored[row["report"].value] = (row["dataHash"].value, row["shapesHash"].value)
        if "checkNumber" in row:
            following[row["report"].value] = int(row["checkNumber"].value) + 1
    recs, todo, work = read(
        store,
        wanted,
        lambda r: force or stored.get(report_iri(r.tpid).value) != (r.digest, shapes_hash),
        (lambda: scratch_store(compiled.criteria.reference)) if uses_copy(store, copy) else None,
    )
    _share(progress, READING)(1.0)
    started = dt.datetime.now(dt.UTC)
    try:
        found = _validate(work or store, compiled, todo, engine, _share(progress, VALIDATING))
    except NotImplementedError as exc:  # pyshacl on a feature it lacks: nothing is written
        refused = "; ".join(compiled.fast.plan.refused.values()) or "none"
        raise CheckError(
            f"the reference engine (pyshacl) cannot validate these criteria: {exc} "
            f"(shapes the compiled engine refused: {refused}); no report was written"
        ) from exc
    ended = dt.datetime.now(dt.UTC)
    earlier = _history(
        store, {report_iri(r.tpid).value for r in todo} & set(stored) - set(following)
    )
    name, version = engine_name(compiled, engine)
    documents = compiled.documents if todo else ()
    activity = Activity(started, ended, name, version, "", shapes_hash, documents)
    checks = {r.tpid: ProviderCheck(r.tpid, False) for r in recs}
    present = {report_iri(t).value for t in wanted}
    gone = [  # the reports of providers no longer in the store, and their check histories
        graph
        for r in (stored if everything else ())
        if r not in present
        for graph in (ox.NamedNode(r), *history_graphs(r.removeprefix(REPORT_GRAPHS)))
    ]
    number = {r.tpid: following.get(report_iri(r.tpid).value, 0) for r in todo}
    history = {tpid: history_graph(tpid, n) for tpid, n in number.items()}
    added = {graph for graph, replaces in history.values() if not replaces}

    described = _new_descriptions(store, documents)

    def reports() -> Iterator[tuple[ox.NamedNode, str]]:
        # first: a write in chunks (in memory, on a server) that fails part-way leaves no report
        # naming a set of criteria versions the store lacks
        yield from described.items()
        for record in todo:
            results = found.pop(record.tpid)
            outcome = compiled.scheme.outcome(record.services, results)
            report = report_iri(record.tpid)
            done = replace(activity, data_hash=record.digest, number=number[record.tpid])
            yield report, report_ntriples(record.tpid, results, outcome, done)
            carried = earlier.pop(report.value, [])
            yield history[record.tpid][0], history_ntriples(record.tpid, done, carried)
            checks[record.tpid] = (
                ProviderCheck(record.tpid, True, outcome.conforms, results, outcome, len(results))
                if details
                else ProviderCheck(record.tpid, True, outcome.conforms, count=len(results))
            )
        yield from ((graph, "") for graph in gone)

    writing = _share(progress, WRITING)
    total = max(2 * len(todo) + len(gone) + len(described), 1)
    if store.directory is not None:
        # on disk: every report through the store's journal, all or nothing as a whole (a bulk
        # load: replacing existing graphs by SPARQL updates was 2.5x slower on RocksDB)
        if not store.replace_all(reports(), lambda: writing(1 / total), added):
            writing(1.0)
    else:
        with _Writer(store, total, writing, added) as writer:
            for report, text in reports():
                writer.put(report, text)
    return [checks[t] for t in wanted]


def _new_descriptions(
    store: Store, documents: tuple[DocumentVersion, ...]
) -> dict[ox.NamedNode, str]:
    """What the reports of this check name and the store lacks: the graph of criteria versions
    with the ones it used, and the set of them it used (``criteria_set``)."""
    used = criteria_set(documents)
    if used is None:
        return {}
    found = {}
    before = graph_ntriples(store, CRITERIA_VERSIONS_GRAPH).decode()
    text = versions_ntriples(documents, before)
    if ntriples_lines(text) != ntriples_lines(before):
        found[CRITERIA_VERSIONS_GRAPH] = text
    if not graph_ntriples(store, used.graph):
        found[used.graph] = used.ntriples
    return found


class _Writer:
    """Report graphs (N-Triples text each; empty: drop the graph) replaced in chunks, each chunk
    one atomic write. A chunk is written by a background thread while the next is built; at most
    one write is in flight, so at most two chunks are held."""

    def __init__(
        self, store: Store, total: int, progress: Progress, added: set[ox.NamedNode]
    ) -> None:
        self.store = store
        self.added = added  # graphs whose text is added, not replacing (see Store)
        self.total = max(total, 1)
        self.progress = progress
        self.chunk: dict[ox.NamedNode, str] = {}
        self.pool = ThreadPoolExecutor(1)
        self.writing: tuple[Future[None], int] | None = None
        self.written = 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, error: type[BaseException] | None, *rest: object) -> None:
        try:
            if error is None and self.writing is None and not self.written and self.chunk:
                self._write(self.chunk)  # all in one chunk (a re-check): no thread to wait for
                self.progress(1.0)
                return
            if error is None:
                self._send()
            self._wait()
            if not self.written:
                self.progress(1.0)
        finally:
            self.pool.shutdown()

    def put(self, graph: ox.NamedNode, ntriples: str) -> None:
        self.chunk[graph] = ntriples
        if len(self.chunk) >= WRITE_CHUNK:
            self._send()

    def _send(self) -> None:
        self._wait()
        if self.chunk:
            chunk, self.chunk = self.chunk, {}
            self.writing = (self.pool.submit(self._write, chunk), len(chunk))

    def _write(self, chunk: dict[ox.NamedNode, str]) -> None:
        added = self.added & chunk.keys()
        self.store.replace_graphs_text(chunk, trusted=True, added=added)  # pyoxigraph's terms

    def _wait(self) -> None:
        if self.writing is not None:
            future, size = self.writing
            self.writing = None
            future.result()
            self.written += size
            self.progress(size / self.total)
