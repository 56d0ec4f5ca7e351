"""Approvals recorded in the catalogue through editing survive an import of their provider.

An approval an editor records (catalogue/approvals.py) lives in the provider's graph, where the
compliance check reads it, and the audit trail says it was generated there (``prov:wasGeneratedBy``
in graph/audit). When an import replaces that provider's graph, the approval and the provider's
``sk:hasApproval`` link to it are carried over into the new record (in the staging store, chunk by
chunk), so they are written in the same atomic replace. A file that describes the same approval IRI
(an RDF export, edited and imported again) wins. A CSV file cannot name its approvals: its numbered
approvals (``…/approval/1``, …) skip the numbers the recorded ones hold, so importing the same file
again still changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.records import RecordText
from catalogue.namespaces import provider_iri, sk
from catalogue.store import EmbeddedStore, Store


class Recorded:
    """The approvals recorded through editing (provider IRI -> approvals), in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.approvals: dict[str, set[ox.NamedNode]] = defaultdict(set)
        for row in queries.run(store, "import_recorded_approvals"):
            approval = row["approval"]
            if isinstance(approval, ox.NamedNode):
                self.approvals[row["provider"].value].add(approval)

    def carry(self, staging: EmbeddedStore, records: Iterable[RecordText]) -> None:
        """Carry each staged record's recorded approvals over from its current graph."""
        has_approval = sk("hasApproval")
        for record in records:
            approvals = self.approvals.get(provider_iri(record.tpid).value)
            if not approvals:
                continue
            triples = [q.triple for q in staging.quads(record.graph)]
            if record.numbered:
                triples = _renumber(record.tpid, triples, approvals)
            else:
                approvals = approvals - {t.subject for t in triples}
            present = set(triples)
            triples += [
                t
                for t in (q.triple for q in self.store.quads(record.graph))
                if (
                    t.subject in approvals
                    or (t.predicate == has_approval and t.object in approvals)
                )
                and t not in present
            ]
            staging.replace_graphs({record.graph: triples})


def _renumber(tpid: str, triples: list[ox.Triple], taken: set[ox.NamedNode]) -> list[ox.Triple]:
    """The record's approvals numbered 1, 2, … around the IRIs in ``taken``."""
    prefix = f"{provider_iri(tpid).value}/approval/"
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    used = {int(m.group(1)) for iri in taken if (m := pattern.fullmatch(iri.value))}
    own = sorted(
        {
            int(m.group(1))
            for t in triples
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

    return [ox.Triple(new(t.subject), t.predicate, new(t.object)) for t in triples]
