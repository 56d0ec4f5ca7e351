"""Approvals recorded in the catalogue through editing survive an import of their provider.

An approval an editor records (catalogue/approvals.py) lives in the provider's graph, where the
compliance check reads it, and the audit trail says it was generated there (``prov:wasGeneratedBy``
in graph/audit). When an import replaces that provider's graph, the approval and the provider's
``sk:hasApproval`` link to it are carried over into the new record, so they are written in the same
atomic replace. A file that describes the same approval IRI (an RDF export, edited and imported
again) wins. A CSV file cannot name its approvals: its numbered approvals (``…/approval/1``, …) skip
the numbers the recorded ones hold, so importing the same file again still changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import ProviderRecord
from catalogue.namespaces import provider_iri, sk
from catalogue.store import EmbeddedStore, Store


def recorded_approvals(store: Store) -> dict[str, set[ox.NamedNode]]:
    """Provider IRI -> the approvals recorded for it through editing."""
    kept: dict[str, set[ox.NamedNode]] = defaultdict(set)
    for row in queries.run(store, "import_recorded_approvals"):
        approval = row["approval"]
        if isinstance(approval, ox.NamedNode):
            kept[row["provider"].value].add(approval)
    return kept


def keep_recorded_approvals(
    store: Store, records: list[ProviderRecord], staging: EmbeddedStore | None
) -> None:
    """Carry each record's recorded approvals over from its current graph (and into ``staging``)."""
    kept = recorded_approvals(store)
    for record in records:
        approvals = kept.get(provider_iri(record.tpid).value)
        if not approvals:
            continue
        if record.numbered:
            _renumber(record, approvals)
        else:
            approvals -= {t.subject for t in record.triples}
        has_approval = sk("hasApproval")
        present = set(record.triples)
        record.triples += [
            t
            for t in (q.triple for q in store.quads(record.graph))
            if (t.subject in approvals or (t.predicate == has_approval and t.object in approvals))
            and t not in present
        ]
        if staging is not None:
            staging.replace_graphs({record.graph: record.triples})


def _renumber(record: ProviderRecord, taken: set[ox.NamedNode]) -> None:
    """Number the record's approvals 1, 2, … around the IRIs in ``taken``."""
    prefix = f"{provider_iri(record.tpid).value}/approval/"
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    used = {int(m.group(1)) for iri in taken if (m := pattern.fullmatch(iri.value))}
    own = sorted(
        {
            int(m.group(1))
            for t in record.triples
            if isinstance(t.subject, ox.NamedNode) and (m := pattern.fullmatch(t.subject.value))
        }
    )
    renamed: dict[ox.NamedNode, ox.NamedNode] = {}
    number = 0
    for n in own:
        number += 1
        while number in used:
            number += 1
        if number != n:
            renamed[ox.NamedNode(f"{prefix}{n}")] = ox.NamedNode(f"{prefix}{number}")

    def new(term: Any) -> Any:
        return renamed.get(term, term) if isinstance(term, ox.NamedNode) else term

    if renamed:
        record.triples = [
            ox.Triple(new(t.subject), t.predicate, new(t.object)) for t in record.triples
        ]
