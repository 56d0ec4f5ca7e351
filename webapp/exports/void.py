"""The VoID description of the catalogue at ``/.well-known/void`` (RFC 5785, VoID section 7)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from catalogue import queries
from catalogue.namespaces import BASE, DCAT, DCTERMS, FOAF, GRAPH, SKOS, VOID
from catalogue.store import Store

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
DATASET = ox.NamedNode(BASE + "id/dataset/catalogue")
SUBSETS = {
    "providers": (f"{GRAPH}provider/", "Leverandørernes poster", "The providers' records"),
    "reports": (f"{GRAPH}report/", "Seneste kontrolrapporter", "Latest compliance reports"),
}
DUMPS = ("catalogue.nq.gz", "catalogue.trig.gz")
FORMATS = ("http://www.w3.org/ns/formats/N-Quads", "http://www.w3.org/ns/formats/TriG")


@dataclass(frozen=True)
class Statistics:
    per_graph: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.per_graph.values())

    def under(self, prefix: str) -> tuple[int, int]:
        """(graphs, triples) of the graphs whose IRI starts with ``prefix``."""
        counts = [n for g, n in self.per_graph.items() if g.startswith(prefix)]
        return len(counts), sum(counts)


def statistics(store: Store) -> Statistics:
    rows = queries.run(store, "void_statistics")
    return Statistics({row["g"].value: int(row["triples"].value) for row in rows})


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def void(store: Store, stats: Statistics, uri_space: str) -> list[ox.Triple]:
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
        ox.Triple(DATASET, _n(VOID.triples), _int(stats.total)),
        ox.Triple(DATASET, _n(VOID.rootResource), ox.NamedNode(BASE + "ontology")),
        ox.Triple(DATASET, _n(VOID.vocabulary), ox.NamedNode(BASE + "ontology#")),
    ]
    for vocabulary in (SKOS, DCAT, DCTERMS):
        triples.append(ox.Triple(DATASET, _n(VOID.vocabulary), _n(vocabulary)))
    for dump, fmt in zip(DUMPS, FORMATS, strict=True):
        triples.append(ox.Triple(DATASET, _n(VOID.dataDump), ox.NamedNode(f"{BASE}-/dumps/{dump}")))
        triples.append(ox.Triple(DATASET, _n(VOID.feature), _n(fmt)))
    for row in queries.run(store, "dcat_knowledge_datasets"):
        graph = row["dataset"]
        triples += [
            ox.Triple(DATASET, _n(VOID.subset), graph),
            ox.Triple(graph, RDF_TYPE, _n(VOID.Dataset)),
            ox.Triple(graph, _n(DCTERMS.title), row["titleDa"]),
            ox.Triple(graph, _n(VOID.triples), _int(stats.per_graph.get(graph.value, 0))),
            ox.Triple(graph, _n(VOID.dataDump), ox.NamedNode(graph.value + ".ttl")),
        ]
    for name, (prefix, title_da, title_en) in SUBSETS.items():
        subset = ox.NamedNode(f"{BASE}id/dataset/{name}")
        graphs, count = stats.under(prefix)
        triples += [
            ox.Triple(DATASET, _n(VOID.subset), subset),
            ox.Triple(subset, RDF_TYPE, _n(VOID.Dataset)),
            ox.Triple(subset, _n(DCTERMS.title), ox.Literal(title_da, language="da")),
            ox.Triple(subset, _n(DCTERMS.title), ox.Literal(title_en, language="en")),
            ox.Triple(subset, _n(VOID.triples), _int(count)),
            ox.Triple(subset, _n(VOID.entities), _int(graphs)),
        ]
    return triples
