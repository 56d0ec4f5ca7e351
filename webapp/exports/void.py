"""The VoID description of the catalogue at ``/.well-known/void`` (RFC 5785, VoID section 7)."""

from __future__ import annotations

import pyoxigraph as ox

from catalogue import queries
from catalogue.namespaces import BASE, DCAT, DCTERMS, FOAF, SKOS, VOID
from catalogue.store import Store

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
DATASET = ox.NamedNode(BASE + "id/dataset/catalogue")
SUBSETS = {
    "providers": ("Leverandørernes poster", "The providers' records"),
    "reports": ("Seneste kontrolrapporter", "Latest compliance reports"),
}
DUMPS = ("catalogue.nq.gz", "catalogue.trig.gz")
FORMATS = ("http://www.w3.org/ns/formats/N-Quads", "http://www.w3.org/ns/formats/TriG")


def _triples(store: Store, graph: str) -> int:
    rows = queries.run(store, "void_statistics", graph=graph)
    return int(rows[0]["triples"].value) if rows else 0


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def void(store: Store, uri_space: str) -> list[ox.Triple]:
    description = ox.NamedNode(BASE + ".well-known/void")
    triples = [
        ox.Triple(description, RDF_TYPE, _n(VOID.DatasetDescription)),
        ox.Triple(
            description, _n(DCTERMS.title), ox.Literal("VoID: Specialekatalog", language="en")
        ),
        ox.Triple(description, _n(FOAF.primaryTopic), DATASET),
        ox.Triple(DATASET, RDF_TYPE, _n(VOID.Dataset)),
        ox.Triple(DATASET, _n(DCTERMS.title), ox.Literal("Specialekatalog", language="da")),
        ox.Triple(DATASET, _n(DCTERMS.license), _n("https://creativecommons.org/licenses/by/4.0/")),
        ox.Triple(DATASET, _n(VOID.sparqlEndpoint), ox.NamedNode(BASE + "sparql")),
        ox.Triple(DATASET, _n(VOID.uriSpace), ox.Literal(uri_space)),
        ox.Triple(DATASET, _n(VOID.rootResource), ox.NamedNode(BASE + "ontology")),
        ox.Triple(DATASET, _n(VOID.vocabulary), ox.NamedNode(BASE + "ontology#")),
    ]
    for vocabulary in (SKOS, DCAT, DCTERMS):
        triples.append(ox.Triple(DATASET, _n(VOID.vocabulary), _n(vocabulary)))
    for dump, fmt in zip(DUMPS, FORMATS, strict=True):
        triples.append(ox.Triple(DATASET, _n(VOID.dataDump), ox.NamedNode(f"{BASE}-/dumps/{dump}")))
        triples.append(ox.Triple(DATASET, _n(VOID.feature), _n(fmt)))
    for row in queries.run(store, "dcat_knowledge_datasets"):
        graph = _n(row["dataset"].value)
        triples += [
            ox.Triple(DATASET, _n(VOID.subset), graph),
            ox.Triple(graph, RDF_TYPE, _n(VOID.Dataset)),
            ox.Triple(graph, _n(DCTERMS.title), row["titleDa"]),
            ox.Triple(graph, _n(VOID.triples), _int(_triples(store, graph.value))),
            ox.Triple(graph, _n(VOID.dataDump), ox.NamedNode(graph.value + ".ttl")),
        ]
    records = queries.run(store, "void_records")[0]
    for name, (title_da, title_en) in SUBSETS.items():
        subset = ox.NamedNode(f"{BASE}id/dataset/{name}")
        triples += [
            ox.Triple(DATASET, _n(VOID.subset), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID.Dataset)),
            ox.Triple(subset, _n(DCTERMS.title), ox.Literal(title_da, language="da")),
            ox.Triple(subset, _n(DCTERMS.title), ox.Literal(title_en, language="en")),
            ox.Triple(subset, _n(VOID.entities), _int(int(records[name].value))),
        ]
    return triples
