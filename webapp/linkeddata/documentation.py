"""The ontology documentation, generated from the loaded Turtle through named queries: one page
per class, property and concept scheme, and an index of them all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue import queries
from catalogue.namespaces import BASE, GRAPH, PREFIXES, SK, VOCAB
from catalogue.store import Store
from webapp.browse.links import href

SK_NS = str(SK)
RELATION_KEYS = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subClassOf",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "subPropertyOf",
    "http://www.w3.org/2000/01/rdf-schema#domain": "domain",
    "https://schema.org/domainIncludes": "domainIncludes",
    "http://www.w3.org/2000/01/rdf-schema#range": "range",
    "http://www.w3.org/2002/07/owl#inverseOf": "inverseOf",
    "http://www.w3.org/2002/07/owl#equivalentClass": "equivalentClass",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "closeMatch",
    "hasSubClass": "hasSubClass",
    "describedBy": "describedBy",
    "pointedToBy": "pointedToBy",
}


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None


@dataclass(frozen=True)
class Term:
    iri: str
    name: str  # the local name after ontology#
    kind: str  # Class, ObjectProperty, DatatypeProperty, AnnotationProperty, Property
    label: str
    definition: str

    @property
    def link(self) -> Link:
        return Link(self.label, doc_href(self.iri))


@dataclass(frozen=True)
class Scheme:
    iri: str
    slug: str
    label: str
    definition: str
    concepts: int


@dataclass(frozen=True)
class Concept:
    link: Link
    notations: list[str]


@dataclass(frozen=True)
class Statement:
    predicate: Link
    value: Link
    note: str = ""


@dataclass(frozen=True)
class OntologyIndex:
    classes: list[Term]
    properties: list[Term]
    schemes: list[Scheme]
    shapes: list[Link]
    iri: str


@dataclass(frozen=True)
class TermPage:
    term: Term
    relations: dict[str, list[Link]] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/ontology/{self.term.name}"


def compact(iri: str) -> str:
    """A prefixed name when a catalogue prefix covers the IRI, else the IRI."""
    for name, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and "/" not in local:
            return f"{name}:{local}"
    return iri


def doc_href(iri: str) -> str | None:
    """Ontology terms link to their documentation page, everything else as ``links.href``."""
    if iri.startswith(SK_NS):
        return "/ontology/" + iri[len(SK_NS) :]
    return href(iri)


def _text(row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal], key: str) -> str:
    term = row.get(key)
    return term.value if term is not None else ""


def terms(store: Store, lang: str) -> list[Term]:
    return [
        Term(
            row["term"].value,
            row["term"].value[len(SK_NS) :],
            row["kind"].value.rpartition("#")[2],
            _text(row, "label"),
            _text(row, "definition"),
        )
        for row in queries.run(store, "ontology_terms", lang=lang)
    ]


def schemes(store: Store, lang: str) -> list[Scheme]:
    return [
        Scheme(
            row["scheme"].value,
            row["scheme"].value.removeprefix(str(VOCAB)).removeprefix(str(SK_NS)),
            _text(row, "label") or compact(row["scheme"].value),
            _text(row, "definition"),
            int(_text(row, "concepts") or 0),
        )
        for row in queries.run(store, "concept_schemes", lang=lang)
    ]


def scheme_concepts(store: Store, scheme: str, lang: str) -> list[Concept]:
    """The concepts of a scheme in the scheme's order, each once with all its notations."""
    concepts: dict[str, Concept] = {}
    for row in queries.run(store, "browse_scheme", scheme=scheme, lang=lang):
        iri = row["concept"].value
        concept = concepts.setdefault(
            iri, Concept(Link(_text(row, "label") or compact(iri), href(iri)), [])
        )
        notation = _text(row, "notation")
        if notation and notation not in concept.notations:
            concept.notations.append(notation)
    return list(concepts.values())


def index(store: Store, lang: str) -> OntologyIndex:
    all_terms = terms(store, lang)
    shapes = sorted(
        row["g"].value
        for row in queries.run(store, "knowledge_graphs")
        if isinstance(row["g"], ox.NamedNode) and row["g"].value.startswith(f"{GRAPH}shapes/")
    )
    return OntologyIndex(
        classes=[t for t in all_terms if t.kind == "Class"],
        properties=[t for t in all_terms if t.kind != "Class"],
        schemes=schemes(store, lang),
        shapes=[
            Link(g.removeprefix(f"{GRAPH}shapes/"), "/shapes/" + g.removeprefix(f"{GRAPH}shapes/"))
            for g in shapes
        ],
        iri=f"{BASE}ontology",
    )


def statements(triples: list[ox.Triple]) -> list[Statement]:
    """A resource's statements for a table: prefixed predicates, linked or literal values."""
    out = []
    for triple in sorted(triples, key=lambda t: (t.predicate.value, str(t.object))):
        value = triple.object
        if isinstance(value, ox.NamedNode):
            shown, note = Link(compact(value.value), doc_href(value.value)), ""
        elif isinstance(value, ox.Literal):
            shown = Link(value.value, None)
            note = f"@{value.language}" if value.language else compact(value.datatype.value)
            note = "" if note == "xsd:string" else note
        else:
            shown, note = Link(str(value), None), ""
        predicate = Link(compact(triple.predicate.value), doc_href(triple.predicate.value))
        out.append(Statement(predicate, shown, note))
    return out


def term_page(store: Store, name: str, lang: str) -> TermPage | None:
    iri = SK_NS + name
    found = next((t for t in terms(store, lang) if t.name == name), None)
    if found is None:
        return None
    relations: dict[str, list[Link]] = defaultdict(list)
    for row in queries.run(store, "ontology_term_relations", term=iri, lang=lang):
        key = RELATION_KEYS.get(row["rel"].value)
        if key:
            target = row["target"].value
            relations[key].append(
                Link(_text(row, "targetLabel") or compact(target), doc_href(target))
            )
    triples = queries.construct(store, "browse_describe", resource=iri)
    return TermPage(found, dict(relations), statements(triples))
