"""The VoID description of the catalogue at ``/.well-known/void`` (RFC 5785, VoID section 7)."""

from __future__ import annotations

import pyoxigraph as ox

from catalogue import queries
from catalogue.namespaces import BASE, DCAT, DCTERMS, FOAF, RDF_TYPE, SKOS, VOID, XSD, term
from catalogue.store import Store
from webapp.exports.dumps import DUMPS

DATASET = ox.NamedNode(BASE + "id/dataset/catalogue")
SUBSETS = {
    "providers": ("Leverandørernes poster", "The providers' records"),
    "reports": ("Seneste kontrolrapporter", "Latest compliance reports"),
}


def _triples(store: Store, graph: str) -> int:
    rows = queries.run(store, "void_statistics", graph=graph)
    return int(rows[0]["triples"].value) if rows else 0


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=term(XSD, "integer"))


def void(store: Store) -> list[ox.Triple]:
    description = ox.NamedNode(BASE + ".well-known/void")
    triples = [
        ox.Triple(description, RDF_TYPE, term(VOID, "DatasetDescription")),
        ox.Triple(
            description, term(DCTERMS, "title"), ox.Literal("VoID: Specialekatalog", language="en")
        ),
        ox.Triple(description, term(FOAF, "primaryTopic"), DATASET),
        ox.Triple(DATASET, RDF_TYPE, term(VOID, "Dataset")),
        ox.Triple(DATASET, term(DCTERMS, "title"), ox.Literal("Specialekatalog", language="da")),
        ox.Triple(
            DATASET,
            term(DCTERMS, "license"),
            ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"),
        ),
        ox.Triple(DATASET, term(VOID, "sparqlEndpoint"), ox.NamedNode(BASE + "sparql")),
        ox.Triple(DATASET, term(VOID, "uriSpace"), ox.Literal(BASE)),
        ox.Triple(DATASET, term(VOID, "rootResource"), ox.NamedNode(BASE + "ontology")),
        ox.Triple(DATASET, term(VOID, "vocabulary"), ox.NamedNode(BASE + "ontology#")),
    ]
    for vocabulary in (SKOS, DCAT, DCTERMS):
        triples.append(ox.Triple(DATASET, term(VOID, "vocabulary"), ox.NamedNode(str(vocabulary))))
    for dump, (fmt, compressed) in DUMPS.items():
        if not compressed or fmt.rdf is None:
            continue
        triples.append(
            ox.Triple(DATASET, term(VOID, "dataDump"), ox.NamedNode(f"{BASE}-/dumps/{dump}"))
        )
        triples.append(ox.Triple(DATASET, term(VOID, "feature"), ox.NamedNode(fmt.rdf.iri)))
    for row in queries.run(store, "dcat_knowledge_datasets"):
        graph = ox.NamedNode(row["dataset"].value)
        triples += [
            ox.Triple(DATASET, term(VOID, "subset"), graph),
            ox.Triple(graph, RDF_TYPE, term(VOID, "Dataset")),
            ox.Triple(graph, term(DCTERMS, "title"), row["titleDa"]),
            ox.Triple(graph, term(VOID, "triples"), _int(_triples(store, graph.value))),
            ox.Triple(graph, term(VOID, "dataDump"), ox.NamedNode(graph.value + ".ttl")),
        ]
    records = queries.run(store, "void_records")[0]
    for name, (title_da, title_en) in SUBSETS.items():
        subset = ox.NamedNode(f"{BASE}id/dataset/{name}")
        triples += [
            ox.Triple(DATASET, term(VOID, "subset"), subset),
            ox.Triple(subset, RDF_TYPE, term(VOID, "Dataset")),
            ox.Triple(subset, term(DCTERMS, "title"), ox.Literal(title_da, language="da")),
            ox.Triple(subset, term(DCTERMS, "title"), ox.Literal(title_en, language="en")),
            ox.Triple(subset, term(VOID, "entities"), _int(int(records[name].value))),
        ]
    return triples
