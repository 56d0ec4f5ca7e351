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
from catalogue.namespaces import BASE, DCAT, DCTERMS, RDF_TYPE, XSD, term
from catalogue.store import Store

TURTLE = ox.NamedNode("https://www.iana.org/assignments/media-types/text/turtle")
TURTLE_FORMAT = ox.NamedNode(
    "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE"
)
CATALOG = ox.NamedNode(BASE + "catalog")
PUBLISHER = ox.NamedNode(BASE + "id/agent/specialekatalog")


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
            ox.Triple(CATALOG, term(DCAT, "dataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, term(DCAT, "Dataset")),
            ox.Triple(dataset, term(DCTERMS, "title"), _text(title_da, "da")),
            ox.Triple(dataset, term(DCTERMS, "title"), _text(title_en, "en")),
            ox.Triple(
                dataset,
                term(DCTERMS, "description"),
                _text(f"{title_da}. Kildefil: {source}", "da"),
            ),
            ox.Triple(
                dataset,
                term(DCTERMS, "description"),
                _text(f"{title_en}. Source file: {source}", "en"),
            ),
            ox.Triple(dataset, term(DCTERMS, "publisher"), PUBLISHER),
            ox.Triple(dataset, term(DCAT, "distribution"), distribution),
            ox.Triple(distribution, RDF_TYPE, term(DCAT, "Distribution")),
            ox.Triple(distribution, term(DCTERMS, "title"), _text(f"{title_da} (Turtle)", "da")),
            ox.Triple(distribution, term(DCTERMS, "title"), _text(f"{title_en} (Turtle)", "en")),
            ox.Triple(distribution, term(DCAT, "accessURL"), download),
            ox.Triple(distribution, term(DCAT, "downloadURL"), download),
            ox.Triple(distribution, term(DCAT, "mediaType"), TURTLE),
            ox.Triple(distribution, term(DCTERMS, "format"), TURTLE_FORMAT),
        ]
        if "license" in row:
            triples.append(ox.Triple(distribution, term(DCTERMS, "license"), row["license"]))
            licence = ox.NamedNode(row["license"].value)
            triples.append(ox.Triple(licence, RDF_TYPE, term(DCTERMS, "LicenseDocument")))
    return triples


def catalog(store: Store, modified: dt.date) -> list[ox.Triple]:
    """The whole catalogue description; ``modified`` is when the data last changed."""
    date = ox.Literal(modified.isoformat(), datatype=term(XSD, "date"))
    triples = [*_fixed(), ox.Triple(CATALOG, term(DCTERMS, "modified"), date)]
    triples += knowledge_datasets(store)
    return list(dict.fromkeys(triples))
