"""The vocabularies as the demo generator sees them: codes per scheme and links between concepts.

Read from the knowledge files through a named query, so every code the generator writes exists in
ontology/ and nothing official is typed into Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from catalogue import queries
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE, RDF_TYPE, SK, SKOS, code
from catalogue.store import Store, scratch_store

_ENDS = (SK + "validUntil", SK + "validTo", SK + "repealedBy", "http://schema.org/validThrough")


@dataclass
class Vocabulary:
    schemes: dict[str, list[ox.NamedNode]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[ox.NamedNode, dict[str, list[ox.NamedNode | ox.Literal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    scheme_of: dict[ox.NamedNode, str] = field(default_factory=dict)
    current: set[ox.NamedNode] = field(default_factory=set)
    shapes: dict[ox.NamedNode, dict[str, list[ox.NamedNode | ox.Literal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    @classmethod
    def from_store(cls, store: Store) -> Vocabulary:
        vocab = cls()
        for row in queries.run(store, "vocabulary_statements"):
            concept, scheme = row["concept"], row["scheme"]
            if not isinstance(concept, ox.NamedNode) or not scheme.value.startswith(BASE):
                continue
            slug = scheme.value[len(BASE) :]
            if concept not in vocab.scheme_of:
                vocab.scheme_of[concept] = slug
                vocab.schemes[slug].append(concept)
            value = row["value"]
            if isinstance(value, ox.NamedNode | ox.Literal):
                vocab.statements[concept][row["property"].value].append(value)
        for row in queries.run(store, "shape_statements"):
            value = row["value"]
            if isinstance(value, ox.NamedNode | ox.Literal):
                vocab.shapes[row["subject"]][row["property"].value].append(value)  # type: ignore[index]
        today = dt.date.today().isoformat()
        for slug, members in vocab.schemes.items():
            current = [c for c in members if not vocab._ended(c, today)]
            vocab.schemes[slug] = sorted(current, key=lambda c: c.value)
            vocab.current.update(current)
        return vocab

    def _ended(self, concept: ox.NamedNode, today: str) -> bool:
        for prop in _ENDS:
            for value in self.statements[concept].get(prop, []):
                if isinstance(value, ox.NamedNode) or value.value <= today:
                    return True
        return False

    def members(self, scheme: str) -> list[ox.NamedNode]:
        return self.schemes.get(scheme, [])

    def of_type(self, scheme: str, cls: str) -> list[ox.NamedNode]:
        kind = ox.NamedNode(SK + cls)
        members = self.members(scheme)
        return [c for c in members if kind in self.statements[c].get(RDF_TYPE.value, [])]

    def linked(self, concept: ox.NamedNode, scheme: str) -> list[ox.NamedNode]:
        """Current concepts of ``scheme`` that ``concept`` points to, by any property."""
        found = {
            v
            for values in self.statements[concept].values()
            for v in values
            if isinstance(v, ox.NamedNode) and v in self.current and self.scheme_of[v] == scheme
        }
        return sorted(found, key=lambda c: c.value)

    def linking(self, scheme: str, target: ox.NamedNode) -> list[ox.NamedNode]:
        """Concepts of ``scheme`` that point to ``target``, by any property."""
        return [c for c in self.members(scheme) if target in self.linked(c, self.scheme_of[target])]

    def flag(self, concept: ox.NamedNode, prop: str) -> bool:
        return any(v.value == "true" for v in self.statements[concept].get(SK + prop, []))

    def rank(self, concept: ox.NamedNode) -> int:
        ranks = self.statements[concept].get(SK + "rank", [])
        return int(ranks[0].value) if ranks else 0

    def label(self, concept: ox.NamedNode) -> str:
        labels = self.statements[concept].get(f"{SKOS}prefLabel", [])
        for value in labels:
            if isinstance(value, ox.Literal) and value.language == "da":
                return value.value
        return code(concept.value)


@cache
def knowledge_vocabulary() -> Vocabulary:
    """The vocabularies of the knowledge files shipped with the catalogue, read once."""
    store = scratch_store()
    load_knowledge(store)
    return Vocabulary.from_store(store)
