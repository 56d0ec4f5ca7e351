"""Full-text search over providers and concepts, with facet counts.

The index is built from named queries: every label and code of the concepts (``search_labels``),
the providers and their facet values read municipality by municipality (``search_providers``,
``search_provider_facets``), their specialfunktioner for the whole country at once
(``search_provider_functions``) and the concepts themselves (``search_concepts``). It is kept per
store until the store changes (``catalogue.browse.cache``: rebuilt in the background after a write;
for a store without a change counter, after a minute). A provider matches
when every word of the query occurs in its name, identifiers, address, or any label or code
(Danish, English, alternative) of its municipality, region, target groups, levels,
specialfunktioner, offer types or legal bases. Facets combine with AND across facets and OR within
one; each facet's counts ignore that facet's own selection (disjunctive faceting).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain

from catalogue import queries
from catalogue.browse.cache import cached
from catalogue.browse.rows import code, danish_key, number, text
from catalogue.namespaces import SK, VOCAB
from catalogue.store import Store

FACETS = (
    "region",
    "municipality",
    "target_group",
    "level",
    "decided_level",
    "function",
    "offer_type",
    "legal_basis",
)
PAGE_SIZE = 20
MUNICIPALITIES = f"{VOCAB}municipality"
CONCEPT_HITS = 8
CONCEPT_KINDS = {
    str(SK.Speciality): "speciality",
    str(SK.SpecialtyFunction): "function",
    str(SK.TargetGroup): "target_group",
    str(SK.SubTargetGroup): "target_group",
}


@dataclass(frozen=True)
class Document:
    iri: str
    name: str
    tpid: str
    city: str
    municipality: str
    region: str
    text: str


@dataclass
class SearchIndex:
    documents: list[Document]
    postings: dict[str, dict[str, set[int]]]
    labels: dict[str, dict[str, str]]
    ranks: dict[str, int]
    concepts: list[tuple[str, str, str]]  # (iri, kind, searchable text)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # facet -> code -> iri
    positions: dict[str, int] = field(default_factory=dict)  # provider IRI -> document index

    def document(self, iri: str) -> Document | None:
        position = self.positions.get(iri)
        return self.documents[position] if position is not None else None

    def label(self, iri: str, lang: str) -> str:
        labels = self.labels.get(iri, {})
        return labels.get(lang) or labels.get("da") or labels.get("") or code(iri)


@dataclass(frozen=True)
class Hit:
    iri: str
    name: str
    city: str
    municipality: str
    region: str


@dataclass(frozen=True)
class ConceptHit:
    iri: str
    label: str
    kind: str


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class SearchResult:
    query: str
    filters: dict[str, list[str]]
    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: list[Facet]
    concepts: list[ConceptHit]


def normalise(value: str) -> str:
    return " ".join(value.casefold().split())


def words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", normalise(query)) if w]


def municipality_iris(store: Store) -> list[str]:
    """Every municipality: providers are read municipality by municipality (each has exactly one,
    shapes/integrity.ttl), which keeps every query small."""
    rows = queries.run(store, "browse_scheme", scheme=MUNICIPALITIES, lang="da")
    return [text(row, "concept") for row in rows]


def build_index(store: Store) -> SearchIndex:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    texts: dict[str, list[str]] = defaultdict(list)
    ranks: dict[str, int] = {}
    for row in queries.run(store, "search_labels"):
        iri, label = text(row, "concept"), text(row, "label")
        texts[iri].append(label)
        if text(row, "kind") == "pref":
            labels[iri].setdefault(text(row, "language"), label)
        if "rank" in row:
            ranks[iri] = number(row, "rank")
    postings: dict[str, dict[str, set[int]]] = {f: defaultdict(set) for f in FACETS}
    documents: list[Document] = []
    position: dict[str, int] = {}
    extra: dict[int, list[str]] = defaultdict(list)
    municipalities = municipality_iris(store)
    rows = [
        r for m in municipalities for r in queries.run(store, "search_providers", municipality=m)
    ]
    rows.sort(key=lambda r: danish_key(text(r, "name")))  # index order is result order
    for row in rows:
        iri = text(row, "provider")
        if iri in position:
            continue
        index = position[iri] = len(documents)
        municipality, region = text(row, "municipality"), text(row, "region")
        for facet, value in (("municipality", municipality), ("region", region)):
            if value:
                postings[facet][value].add(index)
                extra[index].extend(texts.get(value, []))
        own = [text(row, k) for k in ("name", "tpid", "cvr", "street", "postalCode", "city")]
        documents.append(Document(iri, own[0], own[1], own[5], municipality, region, " ".join(own)))
    facets = chain(
        (
            row
            for m in municipalities
            for row in queries.run(store, "search_provider_facets", municipality=m)
        ),
        queries.run(store, "search_provider_functions"),  # few rows: the whole country at once
    )
    for row in facets:
        index = position.get(text(row, "provider"), -1)
        if index < 0:
            continue
        value = text(row, "value")
        postings[text(row, "facet")][value].add(index)
        extra[index].extend(texts.get(value, []))
    documents = [
        Document(
            d.iri,
            d.name,
            d.tpid,
            d.city,
            d.municipality,
            d.region,
            normalise(d.text + " " + " ".join(extra[i])),
        )
        for i, d in enumerate(documents)
    ]
    concept_kinds = {
        text(r, "concept"): CONCEPT_KINDS[text(r, "type")]
        for r in queries.run(store, "search_concepts")
    }
    concepts = [
        (iri, kind, normalise(" ".join(texts.get(iri, [])))) for iri, kind in concept_kinds.items()
    ]
    codes = {f: {code(iri): iri for iri in values} for f, values in postings.items()}
    return SearchIndex(documents, postings, dict(labels), ranks, concepts, codes, position)


def index(store: Store) -> SearchIndex:
    return cached(store, "search-index", lambda: build_index(store))


def _selection(idx: SearchIndex, filters: dict[str, list[str]]) -> dict[str, set[int]]:
    """For each facet with a choice, the documents that have any chosen value."""
    chosen: dict[str, set[int]] = {}
    for facet, codes in filters.items():
        iris = [idx.codes.get(facet, {}).get(c) for c in codes]
        matched: set[int] = set()
        for iri in iris:
            if iri:
                matched |= idx.postings[facet][iri]
        chosen[facet] = matched
    return chosen


def _facet(idx: SearchIndex, name: str, base: set[int], chosen: list[str], lang: str) -> Facet:
    values = []
    for iri, docs in idx.postings[name].items():
        count = len(base & docs)
        selected = code(iri) in chosen
        if count or selected:
            values.append(FacetValue(code(iri), idx.label(iri, lang), count, selected))
    if name in ("level", "decided_level"):
        values.sort(key=lambda v: idx.ranks.get(idx.codes[name][v.code], 0))
    elif name == "region":
        values.sort(key=lambda v: danish_key(v.label))
    else:
        values.sort(key=lambda v: (-v.count, danish_key(v.label)))
    return Facet(name, values)


def search(
    store: Store, query: str, filters: dict[str, list[str]], page: int, lang: str
) -> SearchResult:
    idx = index(store)
    terms = words(query)
    matched = {i for i, d in enumerate(idx.documents) if all(t in d.text for t in terms)}
    filters = {f: v for f, v in filters.items() if f in FACETS and v}
    chosen = _selection(idx, filters)
    result = set(matched)
    for docs in chosen.values():
        result &= docs
    facets = []
    for name in FACETS:
        base = set(matched)
        for other, docs in chosen.items():
            if other != name:
                base &= docs
        facets.append(_facet(idx, name, base, filters.get(name, []), lang))
    ordered = sorted(result)
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    hits = [
        Hit(
            d.iri,
            d.name,
            d.city,
            idx.label(d.municipality, lang) if d.municipality else "",
            idx.label(d.region, lang) if d.region else "",
        )
        for d in (idx.documents[i] for i in ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    ]
    concepts = (
        [
            ConceptHit(iri, idx.label(iri, lang), kind)
            for iri, kind, blob in idx.concepts
            if all(t in blob for t in terms)
        ]
        if terms
        else []
    )
    concepts.sort(key=lambda c: (list(CONCEPT_KINDS.values()).index(c.kind), danish_key(c.label)))
    return SearchResult(
        query=query,
        filters=filters,
        hits=hits,
        total=len(result),
        page=page,
        pages=pages,
        facets=facets,
        concepts=concepts[:CONCEPT_HITS],
    )
