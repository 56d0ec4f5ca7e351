"""The audit trail: who changed which provider graphs, when, and what they held before and after.

Every change made through the editing area (an import commit, an approval) is one
``prov:Activity`` in its own named graph ``{base}graph/audit``::

    <id/audit/{uuid}> a prov:Activity ;
        rdfs:label "Import af tilbud.csv"@da, "Import of tilbud.csv"@en ;
        prov:startedAtTime ..., prov:endedAtTime ... ;
        prov:wasAssociatedWith <id/editor/lars> ;          # prov:Person, acting for a socialtilsyn
        prov:used <id/audit/{uuid}/file/1> ,               # the uploaded file: name, SHA-256
                  <id/audit/{uuid}/before/123456> .        # the provider graph before: hash, size
    <id/audit/{uuid}/after/123456> prov:wasGeneratedBy <id/audit/{uuid}> ;
        prov:specializationOf <graph/provider/123456> ; prov:wasRevisionOf <.../before/123456> ;
        sk:dataHash "..." ; void:triples 312 .
    <id/provider/123456/approval/3> prov:wasGeneratedBy <id/audit/{uuid}> .   # approvals only

Changes are serialised by one lock (the store has a single writer, THREATS B7) and may state the
graph hashes they were prepared against: if a graph changed meanwhile, the change is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from catalogue import queries
from catalogue.browse.rows import record, text
from catalogue.editors import Editor
from catalogue.namespaces import FOAF, GRAPH, ID, PROV, RDF, RDFS, SK, VOID, XSD, code, term
from catalogue.store import Store, canonical_hash
from catalogue.store.coordination import Busy as Busy  # another change held the lock too long

AUDIT_GRAPH = ox.NamedNode(str(GRAPH["audit"]))
LOCK_WAIT_S = 30.0  # a second change waits this long for the first, then is refused (409)


class Stale(RuntimeError):
    """A graph changed after the change was prepared (previewed) against it."""

    def __init__(self, graphs: Sequence[ox.NamedNode]) -> None:
        super().__init__("changed since the preview: " + ", ".join(g.value for g in graphs))
        self.graphs = list(graphs)


@dataclass(frozen=True)
class GraphState:
    hash: str
    triples: int


@dataclass(frozen=True)
class UploadedFile:
    name: str
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> UploadedFile:
        return cls(name, hashlib.sha256(data).hexdigest())


@dataclass
class Activity:
    """One audited change; the caller fills in what it generated while the change is open."""

    editor: Editor
    label_da: str
    label_en: str
    graphs: list[ox.NamedNode]
    files: list[UploadedFile] = field(default_factory=list)
    generated: list[ox.NamedNode] = field(default_factory=list)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    iri: ox.NamedNode = field(default_factory=lambda: term(ID, f"audit/{uuid.uuid4()}"))


def graph_states(store: Store, graphs: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, GraphState]:
    """Hash and size of each graph; a graph not in the store is empty."""
    present = store.graph_names()
    states = {}
    for graph in graphs:
        quads = list(store.quads(graph)) if graph in present else []
        states[graph] = GraphState(canonical_hash(quads), len(quads))
    return states


def graph_hashes(store: Store, graphs: Iterable[ox.NamedNode]) -> dict[str, str]:
    """The canonical hash of each graph, keyed by its IRI (what a preview remembers)."""
    return {g.value: state.hash for g, state in graph_states(store, graphs).items()}


def editor_iri(editor: Editor) -> ox.NamedNode:
    return term(ID, "editor/" + quote(editor.name, safe=""))


def _stamp(moment: dt.datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec="microseconds"), datatype=term(XSD, "dateTime"))


def activity_triples(
    activity: Activity,
    before: dict[ox.NamedNode, GraphState],
    after: dict[ox.NamedNode, GraphState],
    ended: dt.datetime,
) -> list[ox.Triple]:
    a, agent = activity.iri, editor_iri(activity.editor)
    triples = [
        ox.Triple(a, term(RDF, "type"), term(PROV, "Activity")),
        ox.Triple(a, term(RDFS, "label"), ox.Literal(activity.label_da, language="da")),
        ox.Triple(a, term(RDFS, "label"), ox.Literal(activity.label_en, language="en")),
        ox.Triple(a, term(PROV, "startedAtTime"), _stamp(activity.started)),
        ox.Triple(a, term(PROV, "endedAtTime"), _stamp(ended)),
        ox.Triple(a, term(PROV, "wasAssociatedWith"), agent),
        ox.Triple(agent, term(RDF, "type"), term(PROV, "Person")),
        ox.Triple(agent, term(FOAF, "name"), ox.Literal(activity.editor.name)),
        ox.Triple(
            agent, term(PROV, "actedOnBehalfOf"), ox.NamedNode(activity.editor.authority_iri)
        ),
    ]
    for n, upload in enumerate(activity.files, start=1):
        file = ox.NamedNode(f"{a.value}/file/{n}")
        triples += [
            ox.Triple(a, term(PROV, "used"), file),
            ox.Triple(file, term(RDF, "type"), term(PROV, "Entity")),
            ox.Triple(file, term(RDFS, "label"), ox.Literal(upload.name)),
            ox.Triple(file, term(SK, "dataHash"), ox.Literal(upload.sha256)),
        ]
    for graph in activity.graphs:
        old = ox.NamedNode(f"{a.value}/before/{code(graph.value)}")
        new = ox.NamedNode(f"{a.value}/after/{code(graph.value)}")
        triples.append(ox.Triple(a, term(PROV, "used"), old))
        triples.append(ox.Triple(new, term(PROV, "wasGeneratedBy"), a))
        triples.append(ox.Triple(new, term(PROV, "wasRevisionOf"), old))
        for state, node in ((before[graph], old), (after[graph], new)):
            triples += [
                ox.Triple(node, term(RDF, "type"), term(PROV, "Entity")),
                ox.Triple(node, term(PROV, "specializationOf"), graph),
                ox.Triple(node, term(SK, "dataHash"), ox.Literal(state.hash)),
                ox.Triple(
                    node,
                    term(VOID, "triples"),
                    ox.Literal(str(state.triples), datatype=term(XSD, "integer")),
                ),
            ]
    triples += [ox.Triple(thing, term(PROV, "wasGeneratedBy"), a) for thing in activity.generated]
    return triples


@contextmanager
def audited(
    store: Store,
    activity: Activity,
    *,
    expected: dict[str, str] | None = None,
    wait_s: float = LOCK_WAIT_S,
) -> Iterator[Activity]:
    """Make a change under the editing lock and record it in the audit graph when it succeeds.

    The lock is the store's (``Store.exclusive``): every catalogue process writing the store takes
    its turn, so the hash comparison below and the write happen with no other change in between,
    whichever process previewed and whichever commits.

    ``expected`` holds the graph hashes the change was prepared against (see ``graph_hashes``);
    if any differs now, ``Stale`` is raised before anything is written. If the body raises,
    nothing is recorded.
    """
    with store.exclusive("editing", wait_s):
        activity.started = dt.datetime.now(dt.UTC)  # under the lock: changes are ordered in time
        before = graph_states(store, activity.graphs)
        if expected is not None:
            changed = [g for g in activity.graphs if expected.get(g.value) != before[g].hash]
            if changed:
                raise Stale(changed)
        yield activity
        after = graph_states(store, activity.graphs)
        ended = dt.datetime.now(dt.UTC)
        store.extend_graph(AUDIT_GRAPH, activity_triples(activity, before, after, ended))


@dataclass(frozen=True)
class HistoryEntry:
    activity: str
    label: str
    started: str
    ended: str
    editor: str
    authority: str
    files: list[str]
    approval: str
    hash_before: str
    hash_after: str
    triples_before: int
    triples_after: int

    @property
    def changed(self) -> bool:
        return self.hash_before != self.hash_after


def history(store: Store, graph: ox.NamedNode, lang: str) -> list[HistoryEntry]:
    """The audited changes of one provider graph, newest first."""
    rows = queries.run(store, "editing_history", graph=graph, lang=lang)
    return [
        record(
            HistoryEntry,
            row,
            {"editor": "editorName", "authority": "authorityLabel"},
            files=[f for f in text(row, "files").split("\n") if f],
        )
        for row in rows
    ]
