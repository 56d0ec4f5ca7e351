"""What every store backend provides: the ``Store`` protocol, its value types and its error.

Everything outside ``catalogue.store`` talks to a store through this protocol only: it never asks
which backend it has (no ``isinstance``), it asks for a capability. A new backend implements every
member below (``mypy`` checks it wherever a backend is passed as a ``Store``) and is chosen in
``catalogue.store.open_store``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]


class StoreError(RuntimeError):
    """The store could not answer; the message is safe to show to a user."""


class Store(Protocol):
    """A dataset of named graphs; queries see the union of all named graphs as default graph.

    Values are passed as ``bindings``, never formatted into query text by callers.
    """

    # -- queries ----------------------------------------------------------------------------
    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]: ...

    # -- writes -----------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[ox.NamedNode, Iterable[ox.Triple]]) -> None:
        """Replace the content of each graph, all in one atomic write."""

    def replace_graphs_text(
        self,
        graphs: Mapping[ox.NamedNode, str],
        *,
        trusted: bool = False,
        bulk: bool = False,
        added: Collection[ox.NamedNode] = (),
    ) -> None:
        """``replace_graphs`` with each graph's content as N-Triples text (empty: drop the graph),
        parsed by the store: no Python term objects (bulk writes such as compliance reports).
        ``trusted``: the text was written by pyoxigraph's own serialiser, so the embedded store
        skips validating IRIs again (measured 40 % less CPU). ``bulk``: when every graph is new,
        the embedded store uses Oxigraph's bulk loader (atomic per call in Oxigraph 0.5, about
        half the CPU of a transaction for large loads; it writes new files, so not for small
        frequent writes). ``added``: these graphs keep what they hold and get their text added
        (an append-only log, such as a provider's check history, never read back to be written)."""

    def replace_all(
        self,
        graphs: Iterable[tuple[ox.NamedNode, str]],
        on_graph: Callable[[], None] | None = None,
        added: Collection[ox.NamedNode] = (),
    ) -> int:
        """Replace every graph given (name, N-Triples text; empty: drop it), streamed: the texts
        are consumed one at a time, never all held. Returns how many graphs were given;
        ``on_graph`` is called after each one is taken. ``added``: these graphs get their text
        added, as in ``replace_graphs_text``. The embedded store makes the whole write all or
        nothing, also when the process is killed half-way (a redo journal in its directory,
        applied when the store is next opened); a server gets bounded atomic updates, so a
        killed write leaves some of them done (the same write again completes it)."""

    def extend_graph(self, name: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        """Add triples to one graph in one atomic write (an append-only log such as the audit)."""

    def drop_graphs(self, names: Iterable[ox.NamedNode]) -> None: ...

    def clear(self) -> None:
        """Remove every quad (restore into an empty store, test isolation)."""

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in bulk (restores, bulk loads); atomic per call only on the embedded store."""

    # -- reads ------------------------------------------------------------------------------
    def graph_names(self) -> set[ox.NamedNode]: ...

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]: ...

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Stream the dataset (or one graph) to ``output`` (a dataset dump: every graph)."""

    # -- capabilities ------------------------------------------------------------------------
    @property
    def generation(self) -> int | None:
        """A change counter: it changes with every write this process makes, so caches, dumps and
        query snapshots can tell theirs is stale. ``None`` when the backend cannot tell (a server
        other processes also write to): readers then fall back to an age."""

    @property
    def directory(self) -> Path | None:
        """Where an on-disk store lives (live backups signal the serving process beside it, query
        snapshots are written next to it); ``None`` for a store in memory or on a server."""

    @property
    def large_writes(self) -> bool:
        """One write may hold any number of graphs (the embedded bulk loader is atomic and fast);
        ``False``: keep each write bounded (a server's request size and timeout)."""

    @property
    def can_snapshot(self) -> bool:
        """``snapshot`` works: the data is local, so public queries can run in worker processes on
        read-only copies. ``False``: public queries go to the server's own endpoint."""

    @property
    def lateral(self) -> bool:
        """The engine evaluates SPARQL 1.2 ``LATERAL`` correctly; ``False``: named queries run in
        their portable SPARQL 1.1 form (``queries/portable/``)."""

    def freshness(self) -> dict[str, object]:
        """How current the data queried is (``/-/health``): for a server, the last change its
        query endpoint sees and the writer's, and the lag between them (a read replica); empty
        when the store is always current (embedded)."""

    def exclusive(self, name: str, wait_s: float) -> AbstractContextManager[None]:
        """A lock named ``name`` that every process writing this store honours (held in the server
        for a remote store); raises ``catalogue.store.coordination.Busy`` after ``wait_s``."""

    def snapshot(self, target: Path) -> None:
        """A consistent copy of the whole dataset as an Oxigraph store directory ``target`` (which
        must not exist), made while the store keeps serving: a checkpoint with hard links for an
        on-disk store, a copy for one in memory. Raises ``StoreError`` unless ``can_snapshot``."""

    def close(self) -> None: ...
