"""A provider's record: the statements of its named graph, and where each came from in the file.

The import handles a record as N-Triples text (``RecordText``): a CSV file is mapped to text
directly, and a chunk of records is staged in a throw-away store by one parse in Rust, checked
there, and (where a stored graph is to be compared with it) read back in the store's canonical
form ("0.10"^^xsd:decimal reads "0.1"). A
``ProviderRecord`` holds pyoxigraph triples, for whoever works on one record in Python (the demo
generator, editing, a small upload's preview).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from catalogue.namespaces import provider_graph
from catalogue.store import EmbeddedStore, graph_ntriples

Origin = tuple[int | None, str | None]  # line, column heading (CSV) or property (RDF)


class Source(Protocol):
    """Where a statement came from: a CSV cell (``template.Cell``)."""

    @property
    def line(self) -> int: ...

    @property
    def field(self) -> str: ...


Origins = dict[tuple[str, str], Source]  # (subject, predicate) as N-Triples terms -> its cell


@dataclass
class ProviderRecord:
    tpid: str
    graph: ox.NamedNode
    triples: list[ox.Triple]
    origins: Origins = field(default_factory=dict)
    line: int | None = None  # first line of the provider in a CSV file
    numbered: bool = False  # the import numbered its parts (CSV), so it may number them anew

    def text(self) -> RecordText:
        triples = (ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        return RecordText(self.tpid, triples, self.origins, self.line, self.numbered)


@dataclass
class RecordText:
    """A provider's record as the N-Triples text of its graph."""

    tpid: str
    text: str
    origins: Origins = field(default_factory=dict)
    line: int | None = None
    numbered: bool = False

    @property
    def graph(self) -> ox.NamedNode:
        return provider_graph(self.tpid)

    def origin(self, node: str | None, path: str | None) -> Origin:
        """Where the statement about ``node`` by ``path`` (N-Triples terms) came from."""
        source = self.origins.get((node, path)) if node and path else None
        return (source.line, source.field) if source is not None else (self.line, None)

    def record(self, text: str | None = None) -> ProviderRecord:
        """The record as triples: of its own text, or of ``text`` (its graph as staged)."""
        quads = ox.parse(self.text if text is None else text, ox.RdfFormat.N_TRIPLES)
        triples = [q.triple for q in quads]
        return ProviderRecord(
            self.tpid, self.graph, triples, self.origins, self.line, self.numbered
        )


def stage(staging: EmbeddedStore, records: Sequence[RecordText]) -> None:
    """Load the records into ``staging``, each in its named graph: one TriG text parsed by the
    store (much cheaper than a Python quad per triple)."""
    trig = "".join(f"{r.graph} {{\n{r.text}}}\n" for r in records)
    staging.oxigraph.load(trig, ox.RdfFormat.TRIG)


def ntriples(staging: EmbeddedStore, graph: ox.NamedNode) -> str:
    """One staged graph as N-Triples text, in the store's canonical form."""
    return graph_ntriples(staging, graph).decode()
