"""Load the knowledge files (ontology/ and shapes/) into the store, one named graph per file.

Need figures may also be a CSV file per planning year, ``ontology/need/{year}.csv``
(catalogue/need.py): checked whole against the functions and regions once the Turtle is in.

Each graph describes itself: its source file and the SHA-256 of the file's bytes. Loading again
with unchanged files does no work; a changed file replaces its graph in one atomic write, together
with its description. Files that disappeared have their graphs dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
from catalogue.config import knowledge_paths
from catalogue.namespaces import BASE, GRAPH, SK
from catalogue.store import Store

DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
CONTENT_HASH = ox.NamedNode(str(SK.contentHash))
KNOWLEDGE_DIRS = ("ontology", "shapes")
NEED_CSV = "need/*.csv"  # under ontology/


@dataclass(frozen=True)
class KnowledgeFile:
    path: Path
    graph: ox.NamedNode
    relative: str

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class LoadReport:
    loaded: list[str]
    unchanged: list[str]
    dropped: list[str]


def knowledge_files(root: Path | None = None) -> Iterator[KnowledgeFile]:
    """Every Turtle file under ontology/ and shapes/ (and the need figures' CSV files), with the
    graph it loads into."""
    for name in KNOWLEDGE_DIRS:
        folder = root / name if root else knowledge_paths()[name]
        csv = sorted(folder.glob(NEED_CSV)) if name == "ontology" else []
        for path in sorted(folder.rglob("*.ttl")) + csv:
            stem = path.relative_to(folder).with_suffix("").as_posix()
            relative = f"{name}/{path.relative_to(folder).as_posix()}"
            yield KnowledgeFile(path, ox.NamedNode(f"{GRAPH}{name}/{stem}"), relative)


def is_knowledge_graph(graph: ox.NamedNode) -> bool:
    return any(graph.value.startswith(f"{GRAPH}{name}/") for name in KNOWLEDGE_DIRS)


def parse_file(file: KnowledgeFile) -> list[ox.Triple]:
    """Parse with the store's own parser; errors name the file, line and column."""
    try:
        with file.path.open("rb") as handle:
            return [q.triple for q in ox.parse(handle, ox.RdfFormat.TURTLE, base_iri=BASE)]
    except SyntaxError as exc:
        raise SyntaxError(f"{file.relative}: {exc}") from exc


def load_knowledge(store: Store, root: Path | None = None) -> LoadReport:
    """Bring the store's knowledge graphs in line with the files (under ``root``, if given)."""
    stored = {row["g"]: row["hash"].value for row in queries.run(store, "knowledge_hashes")}  # type: ignore[union-attr]
    changed: dict[ox.NamedNode, list[ox.Triple]] = {}
    loaded, unchanged = [], []
    need_files: dict[KnowledgeFile, str] = {}
    seen: set[ox.NamedNode] = set()
    for file in knowledge_files(root):
        seen.add(file.graph)
        digest = file.digest()
        if stored.get(file.graph) == digest:
            unchanged.append(file.relative)
            continue
        if file.path.suffix == ".csv":
            need_files[file] = digest
            continue
        changed[file.graph] = [*parse_file(file), *_described(file, digest)]
        loaded.append(file.relative)
    gone = [g for g in stored if isinstance(g, ox.NamedNode) and g not in seen]
    for graph in gone:
        changed[graph] = []
    store.replace_graphs(changed)
    if need_files:  # after the Turtle: checked against its functions and regions
        from catalogue import need

        store.replace_graphs(
            {
                f.graph: [
                    *need.knowledge_triples(store, f.path, f.relative, f.graph),
                    *_described(f, digest),
                ]
                for f, digest in need_files.items()
            }
        )
        loaded += [f.relative for f in need_files]
    return LoadReport(loaded, unchanged, [g.value for g in gone])


def _described(file: KnowledgeFile, digest: str) -> list[ox.Triple]:
    return [
        ox.Triple(file.graph, DCT_SOURCE, ox.Literal(file.relative)),
        ox.Triple(file.graph, CONTENT_HASH, ox.Literal(digest)),
    ]
