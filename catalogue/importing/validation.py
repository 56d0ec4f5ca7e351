"""Checking provider records against the integrity shapes (shapes/integrity.ttl) before writing.

The rules live in the shapes, not here. The records are staged in a throw-away in-memory store next
to the ontology and its vocabularies (so ``sh:class`` sees every concept's type), and the shapes run
there through the compliance engine's fast path (SHACL compiled to SPARQL; pyshacl is its oracle in
the tests). Each result is traced back to the file's line and column (CSV) or to the node and
property (RDF).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pyoxigraph as ox

from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.results import Result
from catalogue.importing.problems import Problems
from catalogue.importing.records import ProviderRecord, RecordText, stage
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE, GRAPH, PROVIDER_KEY, code
from catalogue.store import EmbeddedStore, scratch_store

SHAPES_GRAPH = ox.NamedNode(f"{GRAPH}shapes/integrity")
ONTOLOGY_PREFIX = f"{GRAPH}ontology/"
_TPID = re.compile(
    re.escape(BASE)
    + "id/provider/("
    + PROVIDER_KEY.pattern.removeprefix("^").removesuffix("$")
    + ")"
)


@cache
def integrity() -> Criteria:
    """The integrity shapes and the ontology they refer to, from the knowledge files."""
    store = scratch_store()
    load_knowledge(store)
    reference = tuple(
        q
        for q in store.quads()
        if q.graph_name == SHAPES_GRAPH or str(q.graph_name).startswith(f"<{ONTOLOGY_PREFIX}")
    )
    return Criteria(reference, "integrity")


@cache
def _fast_path() -> FastPath:
    return FastPath(integrity())


def staging_store() -> EmbeddedStore:
    """A throw-away in-memory store holding the integrity reference, to stage records in."""
    return scratch_store(integrity().reference)


def check(staging: EmbeddedStore) -> list[Result]:
    """Every violation of the integrity shapes by the records staged in ``staging``."""
    return _fast_path().run(staging)


def _local(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return code(term.value) if term is not None else ""


def check_staged(staging: EmbeddedStore, records: Sequence[RecordText]) -> list[Result]:
    """Stage the records (a chunk of a file) in ``staging``; their violations of the shapes."""
    stage(staging, records)
    return check(staging)


def report(results: list[Result], records: Sequence[RecordText], problems: Problems) -> None:
    """Add a problem for every violation by the records, traced back to the file's line and
    column where the record says."""
    by_tpid = {record.tpid: record for record in records}
    for result in sorted(results, key=lambda r: (r.focus.value, _local(r.path))):
        match = _TPID.match(result.focus.value)
        record = by_tpid.get(match.group(1)) if match else None
        node = str(result.focus) if isinstance(result.focus, ox.NamedNode) else None
        path = str(result.path) if isinstance(result.path, ox.NamedNode) else None
        line, field = record.origin(node, path) if record is not None else (None, None)
        messages = {m.language: m.value for m in result.messages}
        value = result.value
        shown = "" if value is None or value == result.focus else f" ({_local(value)})"
        if isinstance(value, ox.Literal):
            shown = f" ({value.value})"
        problems.add(
            _local(result.shape) or "integritet",
            messages.get("da", "Reglen er ikke opfyldt") + shown,
            messages.get("en", "The rule is not met") + shown,
            line=line,
            field=field or (_local(result.path) or None),
            node=None if line else result.focus.value,
        )


def validate(records: Sequence[ProviderRecord], problems: Problems) -> None:
    """Add a problem for every violation of the integrity shapes by the records."""
    texts = [r.text() for r in records]
    report(check_staged(staging_store(), texts), texts, problems)
