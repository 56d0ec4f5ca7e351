"""A provider's record: the triples of its named graph, and where each came from in the file."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

Origin = tuple[int | None, str | None]  # line, column heading (CSV) or property (RDF)


@dataclass
class ProviderRecord:
    tpid: str
    graph: ox.NamedNode
    triples: list[ox.Triple]
    origins: dict[tuple[ox.NamedNode, ox.NamedNode], Origin] = field(default_factory=dict)
    line: int | None = None  # first line of the provider in a CSV file

    def origin(self, node: ox.NamedNode | None, path: ox.NamedNode | None) -> Origin:
        if node is not None and path is not None and (node, path) in self.origins:
            return self.origins[(node, path)]
        return (self.line, None)
