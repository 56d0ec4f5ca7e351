"""The SPARQL 1.1 Service Description of the endpoint (returned by GET without a query)."""

from __future__ import annotations

import pyoxigraph as ox

from catalogue.namespaces import GRAPH, RDF_TYPE
from webapp.negotiation import GRAPH_FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "ntriples": "N-Triples",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(endpoint_url: str) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint_url + "#service")
    dataset = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint_url)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(
            dataset,
            ox.NamedNode("http://purl.org/dc/terms/description"),
            ox.Literal(
                "The default graph is the union of all named graphs. Named graphs are under "
                f"{GRAPH}. Read-only; SERVICE, LOAD and updates are refused.",
                language="en",
            ),
        ),
    ]
    for key in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append(
            ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS_NS + FORMAT_IRIS[key]))
        )
    return triples
