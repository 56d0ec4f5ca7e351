"""A redo journal: a write of many graphs, all or nothing as a whole on an on-disk store.

Oxigraph makes one SPARQL update or one bulk load atomic, but a single transaction of a whole
national import (10,000 provider graphs) holds every change in memory (measured: 116 s and 4.6 GB),
and the bulk loader only adds. So a large write goes through a journal inside the store's
directory:

1. the new content of every graph is streamed into ``journal.part/`` (``data.trig``: TriG;
   ``graphs.txt``: every graph replaced, one IRI a line, also the ones left empty), flushed and
   fsynced. A graph the store already holds (without blank nodes) is written as its difference
   instead: the lines it loses go to ``deleted.nq`` (N-Quads), the lines it gains to
   ``data.trig``, and it is not listed: removing 10,000 report graphs from disk took 48 s and
   1.6 GB, while a report checked again mostly differs in its check's few triples;
2. the commit: ``journal.part/`` is renamed ``journal/`` (an atomic rename, fsynced);
3. the journal is applied: every listed graph is removed (one at a time: 56 s for 10,000 report
   graphs on disk, against 81 s in SPARQL updates of 500 `DROP`s), the lost lines deleted (read
   by the same lenient parser as the load: they are the store's own lines), ``data.trig``
   bulk-loaded in pieces of about ``LOAD_BYTES`` (whole graphs each), the store flushed; then
   ``journal/`` is removed.

Oxigraph's bulk loader holds what one call loads in memory before it writes (pyoxigraph does not
expose its memory limit): one call for a national import's 1.5 M quads peaked at 1.3 GB, pieces of
8-16 MB at 0.15-0.22 GB in the same time (BENCHMARKS.md, session 7).

Applying is idempotent (drop, delete, then load the same content; the deletions come first, so
a triple written otherwise in the new text is deleted and added back), so a process killed
at any moment
leaves either no committed journal (the store as before: ``journal.part/`` is discarded) or a
committed one, which the next read-write open of the store applies before anything else reads it
(the store as after). A store in memory has no directory: the journal is a temporary file, which
bounds the Python memory of a large write but needs no recovery. A small write (fewer than
``SMALL`` graphs) is one SPARQL update, a single transaction: as atomic, and cheaper.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox

from catalogue.store.common import changes_update, differences, held, read_ahead

JOURNAL = "specialekatalog-journal"
PART = f"{JOURNAL}.part"
DATA, GRAPHS, DELETED = "data.trig", "graphs.txt", "deleted.nq"
SMALL = 100  # fewer graphs than this: one SPARQL update, no journal
LOAD_BYTES = 16 * 2**20  # TriG handed to the bulk loader per call while applying
END = b"\n}\n"  # the end of a graph block in the journal's TriG (N-Triples escape newlines)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write(
    folder: Path,
    graphs: Iterable[tuple[ox.NamedNode, str]],
    on_graph: Callable[[], None] | None = None,
    added: Collection[ox.NamedNode] = (),
    store: ox.Store | None = None,
) -> int:
    """Stream ``graphs`` (name, N-Triples text; empty: drop the graph) into an uncommitted
    journal in ``folder``; returns how many graphs it holds. A graph in ``added`` is not
    listed to be removed: its text is added to it (adding the same triples twice changes
    nothing, so applying again is still idempotent). With ``store``, a graph it holds is
    written as its difference (see the module's text)."""
    part = folder / PART
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir()
    count = 0
    with (
        (part / DATA).open("w", encoding="utf-8") as data,
        (part / GRAPHS).open("w", encoding="utf-8") as names,
        (part / DELETED).open("w", encoding="utf-8") as deleted,
    ):

        def old(graph: tuple[ox.NamedNode, str]) -> str | None:
            name, text = graph
            return held(store, name) if store is not None and text and name not in added else None

        for (name, text), before in read_ahead(old, graphs):  # read while the next are made
            found = None if before is None else differences(before, text)
            if found is not None:
                lost, gained = found
                in_graph = f" {name} .\n"
                deleted.writelines(line.removesuffix(".").rstrip() + in_graph for line in lost)
                text = "".join(f"{line}\n" for line in gained)
            elif name not in added:
                names.write(f"{name.value}\n")
            if text:
                data.write(f"{name} {{\n{text}}}\n")
            count += 1
            if on_graph is not None:
                on_graph()
        for handle in (data, names, deleted):
            handle.flush()
            os.fsync(handle.fileno())
    _fsync(part)
    return count


def commit(folder: Path) -> Path:
    """Make the written journal the one to apply (atomic); returns its directory."""
    done = folder / JOURNAL
    (folder / PART).rename(done)
    _fsync(folder)
    return done


def pieces(path: Path, size: int = LOAD_BYTES) -> Iterator[bytes]:
    """The journal's TriG in pieces of about ``size`` bytes (more for a larger graph), each ending
    where a graph block ends, so that each piece is TriG on its own."""
    rest = b""
    with path.open("rb") as data:
        while block := data.read(size):
            searched = max(len(rest) - len(END), 0)  # the rest holds no END (a graph over size)
            rest += block
            cut = rest.rfind(END, searched)
            if cut >= 0:
                yield rest[: cut + len(END)]
                rest = rest[cut + len(END) :]
    if rest.strip():
        yield rest


def apply(store: ox.Store, journal: Path, size: int = LOAD_BYTES) -> None:
    """Replace every graph the journal lists with its content there, delete the lines it lost
    from every graph written as a difference, then load what each gained (idempotent)."""
    for name in (journal / GRAPHS).read_text(encoding="utf-8").split():
        store.remove_graph(ox.NamedNode(name))
    if (journal / DELETED).exists():  # (a journal committed before deletions had a file)
        for quad in ox.parse(path=journal / DELETED, format=ox.RdfFormat.N_QUADS, lenient=True):
            store.remove(quad)
    for piece in pieces(journal / DATA, size):
        store.bulk_load(piece, ox.RdfFormat.TRIG, lenient=True)
    store.flush()


def recover(store: ox.Store, folder: Path) -> bool:
    """On opening a store: apply a committed journal, discard an uncommitted one. Returns whether
    a committed journal was applied."""
    shutil.rmtree(folder / PART, ignore_errors=True)
    journal = folder / JOURNAL
    if not journal.is_dir():
        return False
    apply(store, journal)
    shutil.rmtree(journal)
    return True


def replace_all(
    store: ox.Store,
    folder: Path | None,
    graphs: Iterable[tuple[ox.NamedNode, str]],
    on_graph: Callable[[], None] | None = None,
    small: int = SMALL,
    added: Collection[ox.NamedNode] = (),
) -> int:
    """Write ``graphs`` through a journal in ``folder`` (``None``: a temporary one, no recovery
    needed: a store in memory); returns how many graphs were replaced. Fewer than ``small``
    graphs go in one SPARQL update instead (one transaction: as atomic, and no new files for
    the bulk loader on every small write such as the re-check after an edit). The graphs in
    ``added`` get their text added instead (see ``write``)."""
    iterator = iter(graphs)
    head = list(islice(iterator, small))
    if len(head) < small:
        if update := changes_update(dict(head), store, added):
            store.update(update)
        if on_graph is not None:
            for _ in head:
                on_graph()
        return len(head)
    graphs = chain(head, iterator)
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="specialekatalog-") as tmp:
            count = write(Path(tmp), graphs, on_graph, added, store)
            if count:
                apply(store, commit(Path(tmp)))
            return count
    count = write(folder, graphs, on_graph, added, store)
    if not count:
        shutil.rmtree(folder / PART)
        return 0
    journal = commit(folder)
    apply(store, journal)
    shutil.rmtree(journal)
    return count
