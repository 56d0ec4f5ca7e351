"""Checking provider records against the integrity rules before anything is written.

The rules live in queries/ (and shapes/), not here: the records are staged in a throw-away
in-memory store next to the knowledge graphs, the rule queries run there, and each violation is
traced back to the file's line and column (CSV) or node and property (RDF).
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.problems import Problems
from catalogue.importing.records import ProviderRecord
from catalogue.loading import load_knowledge
from catalogue.store import EmbeddedStore

RULE_QUERIES = ("import_unknown_codes", "import_negative_counts")


@cache
def _knowledge() -> tuple[ox.Quad, ...]:
    store = EmbeddedStore()
    load_knowledge(store)
    return tuple(store.quads())


def staged(records: list[ProviderRecord]) -> EmbeddedStore:
    """A throw-away store holding the knowledge graphs and the records."""
    store = EmbeddedStore()
    store.oxigraph.extend(_knowledge())
    store.oxigraph.extend(
        ox.Quad(t.subject, t.predicate, t.object, record.graph)
        for record in records
        for t in record.triples
    )
    return store


def _local(iri: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    return iri.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def validate(records: list[ProviderRecord], problems: Problems) -> None:
    """Add a problem for every violation of the integrity rules."""
    if not records:
        return
    by_graph = {record.graph: record for record in records}
    store = staged(records)
    for name in RULE_QUERIES:
        query = queries.get(name)
        for row in store.select(query.text):
            record = by_graph.get(row["graph"])  # type: ignore[arg-type]
            node, prop = row.get("node"), row.get("property")
            line, field = (
                record.origin(node, prop)  # type: ignore[arg-type]
                if record is not None
                else (None, None)
            )
            value = row.get("value")
            shown = _local(value) if value is not None else ""
            problems.add(
                name.removeprefix("import_").replace("_", "-"),
                f"{row['messageDa'].value}: {shown}",
                f"{row['messageEn'].value}: {shown}",
                line=line,
                field=field or (_local(prop) if prop is not None else None),
                node=None if line else (node.value if node is not None else None),
            )
