"""The DCAT-AP-DK 2.0.2 catalogue description at ``/catalog``.

The fixed part is Turtle (``catalog.ttl`` next to this module); the knowledge datasets come from the
store (``queries/dcat_knowledge_datasets.rq``), each with its named graph as a Turtle download.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
from catalogue.namespaces import BASE
from catalogue.store import Store

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
TURTLE = ox.NamedNode("https://www.iana.org/assignments/media-types/text/turtle")
TURTLE_FORMAT = ox.NamedNode(
    "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE"
)
CATALOG = ox.NamedNode(BASE + "catalog")
PUBLISHER = ox.NamedNode(BASE + "id/agent/specialekatalog")


def _n(namespace: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + name)


@cache
def _fixed() -> tuple[ox.Triple, ...]:
    path = Path(__file__).with_name("catalog.ttl")
    return tuple(
        q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    )


def _text(value: str, lang: str) -> ox.Literal:
    return ox.Literal(value, language=lang)


def knowledge_datasets(store: Store) -> list[ox.Triple]:
    """One dcat:Dataset per knowledge file, with its graph as a Turtle distribution."""
    triples: list[ox.Triple] = []
    for row in queries.run(store, "dcat_knowledge_datasets"):
        dataset = row["dataset"]
        assert isinstance(dataset, ox.NamedNode)
        distribution = ox.NamedNode(dataset.value + ".ttl#distribution")
        download = ox.NamedNode(dataset.value + ".ttl")
        title_da = row["titleDa"].value
        title_en = row["titleEn"].value if "titleEn" in row else title_da
        source = row["source"].value if "source" in row else dataset.value
        triples += [
            ox.Triple(CATALOG, _n(DCAT, "dataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, _n(DCAT, "Dataset")),
            ox.Triple(dataset, _n(DCT, "title"), _text(title_da, "da")),
            ox.Triple(dataset, _n(DCT, "title"), _text(title_en, "en")),
            ox.Triple(
                dataset, _n(DCT, "description"), _text(f"{title_da}. Kildefil: {source}", "da")
            ),
            ox.Triple(
                dataset, _n(DCT, "description"), _text(f"{title_en}. Source file: {source}", "en")
            ),
            ox.Triple(dataset, _n(DCT, "publisher"), PUBLISHER),
            ox.Triple(dataset, _n(DCAT, "distribution"), distribution),
            ox.Triple(distribution, RDF_TYPE, _n(DCAT, "Distribution")),
            ox.Triple(distribution, _n(DCT, "title"), _text(f"{title_da} (Turtle)", "da")),
            ox.Triple(distribution, _n(DCT, "title"), _text(f"{title_en} (Turtle)", "en")),
            ox.Triple(distribution, _n(DCAT, "accessURL"), download),
            ox.Triple(distribution, _n(DCAT, "downloadURL"), download),
            ox.Triple(distribution, _n(DCAT, "mediaType"), TURTLE),
            ox.Triple(distribution, _n(DCT, "format"), TURTLE_FORMAT),
        ]
        if "license" in row:
            triples.append(ox.Triple(distribution, _n(DCT, "license"), row["license"]))
            licence = ox.NamedNode(row["license"].value)
            triples.append(ox.Triple(licence, RDF_TYPE, _n(DCT, "LicenseDocument")))
    return triples


def catalog(store: Store, modified: dt.date) -> list[ox.Triple]:
    """The whole catalogue description; ``modified`` is when the data last changed."""
    date = ox.Literal(modified.isoformat(), datatype=XSD_DATE)
    triples = [*_fixed(), ox.Triple(CATALOG, _n(DCT, "modified"), date)]
    triples += knowledge_datasets(store)
    return list(dict.fromkeys(triples))
