"""Editing rules that hold whatever the interface: an editor changes only the providers their own
authority supervises; an upload that would drop approvals the catalogue holds is flagged; the
effect of an upload is computed on a scratch copy (the knowledge graphs and the new records in a
throw-away in-memory store), never on the live store. The web preview
(``webapp/editing/preview.py``) and any other front end use these."""

from __future__ import annotations

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse.rows import text
from catalogue.editors import Editor
from catalogue.importing import FileResult, Problem
from catalogue.importing.records import ProviderRecord
from catalogue.loading import is_knowledge_graph
from catalogue.namespaces import provider_iri, sk
from catalogue.store import EmbeddedStore, Store, scratch_store


def record_value(record: ProviderRecord, prop: str) -> ox.NamedNode | ox.Literal | None:
    """The value of one ontology property of the provider in its new record, if any."""
    subject = provider_iri(record.tpid)
    for t in record.triples:
        if t.subject == subject and t.predicate == sk(prop):
            return t.object  # type: ignore[return-value]
    return None


def _authorities(store: Store) -> dict[str, str]:
    return {
        text(row, "provider"): text(row, "authority")
        for row in queries.run(store, "editing_provider_authority")
    }


def refuse_foreign(store: Store, result: FileResult, editor: Editor) -> None:
    """Add a problem for every provider the editor's socialtilsyn does not supervise."""
    current = _authorities(store)
    for record in result.records:
        iri = provider_iri(record.tpid).value
        new = record_value(record, "supervisedBy")
        for authority in (current.get(iri), new.value if new is not None else None):
            if authority is not None and authority != editor.authority_iri:
                result.problems.append(
                    Problem(
                        result.file,
                        "tilsyn",
                        f"Tilbud {record.tpid} hører under et andet socialtilsyn; "
                        "du kan kun ændre tilbud, som dit socialtilsyn fører tilsyn med",
                        f"Provider {record.tpid} is supervised by another authority; "
                        "you can only change providers your own authority supervises",
                        line=record.line,
                    )
                )
                break


def warn_lost_approvals(store: Store, result: FileResult) -> None:
    """Warn when a provider's new record has fewer approvals than the catalogue holds now."""
    for record in result.records:
        provider = provider_iri(record.tpid)
        counts = queries.run(store, "editing_approval_counts", provider=provider.value)
        now = int(text(counts[0], "approvals", "0")) if counts else 0
        new = sum(
            1 for t in record.triples if t.subject == provider and t.predicate == sk("hasApproval")
        )
        if new < now:
            result.problems.append(
                Problem(
                    result.file,
                    "godkendelser",
                    f"Tilbud {record.tpid} har {now} godkendelse(r) i kataloget, filen kun {new}: "
                    "de øvrige forsvinder ved import (tag dem med i filen for at beholde dem)",
                    f"Provider {record.tpid} has {now} approval(s) in the catalogue, the file only "
                    f"{new}: the others are removed by the import (include them to keep them)",
                    line=record.line,
                    severity="warning",
                )
            )


def scratch_copy(store: Store, records: list[ProviderRecord]) -> EmbeddedStore:
    """A throw-away in-memory store: the live store's knowledge graphs and the new records."""
    scratch = scratch_store(
        quad
        for graph in store.graph_names()
        if is_knowledge_graph(graph)
        for quad in store.quads(graph)
    )
    scratch.add(
        ox.Quad(t.subject, t.predicate, t.object, record.graph)
        for record in records
        for t in record.triples
    )
    return scratch
