"""The formats the catalogue reads and writes: one table, built on pyoxigraph's ``RdfFormat`` and
``QueryResultsFormat``, which already know each format's media type and file extension.

A format has a ``key`` (the name views, templates and the CLI use: ``turtle``, ``nquads``, ``json``
...), and is found by its key, its file extension (``for_extension``) or its media type (content
negotiation in ``webapp/negotiation.py``). Which formats a given way out offers is decided where it
is served (``GRAPH_FORMATS`` for one graph, ``DATASET_FORMATS`` for a dataset ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()  # further media types a client may ask for it by
    read_as: tuple[str, ...] = ()  # further file extensions read as this format

    @property
    def media_type(self) -> str:
        """The bare media type (pyoxigraph gives CSV and TSV with a charset parameter)."""
        if self.rdf is not None:
            return self.rdf.media_type
        if self.results is not None:
            return self.results.media_type.split(";", 1)[0].strip()
        return "text/html"

    @property
    def extension(self) -> str:
        if self.rdf is not None:
            return self.rdf.file_extension
        if self.results is not None:
            return self.results.file_extension
        return "html"

    @property
    def dataset(self) -> bool:
        """Keeps named graphs (N-Quads, TriG, JSON-LD)."""
        return self.rdf is not None and self.rdf.supports_datasets


_TABLE = (
    Format("html", "HTML", aliases=("application/xhtml+xml",)),
    Format("turtle", "Turtle", ox.RdfFormat.TURTLE, aliases=("application/x-turtle",)),
    Format("jsonld", "JSON-LD", ox.RdfFormat.JSON_LD, read_as=("json",)),
    Format("rdfxml", "RDF/XML", ox.RdfFormat.RDF_XML, read_as=("xml", "owl")),
    Format("ntriples", "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("nquads", "N-Quads", ox.RdfFormat.N_QUADS),
    Format("trig", "TriG", ox.RdfFormat.TRIG),
    Format(
        "json", "SPARQL JSON", results=ox.QueryResultsFormat.JSON, aliases=("application/json",)
    ),
    Format(
        "xml",
        "SPARQL XML",
        results=ox.QueryResultsFormat.XML,
        aliases=("application/xml", "text/xml"),
    ),
    Format("csv", "CSV", results=ox.QueryResultsFormat.CSV),
    Format("tsv", "TSV", results=ox.QueryResultsFormat.TSV),
)
FORMATS: dict[str, Format] = {f.key: f for f in _TABLE}
_BY_EXTENSION = {f.extension: f for f in _TABLE}

GRAPH_FORMATS = ("turtle", "jsonld", "rdfxml", "ntriples")  # one graph: triples
DATASET_FORMATS = ("nquads", "trig", "jsonld")  # named graphs kept
RESULT_FORMATS = ("json", "xml", "csv", "tsv")  # SPARQL SELECT and ASK answers


def for_extension(extension: str) -> Format | None:
    """The format written with a file extension such as ``ttl`` (without the dot), if any."""
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def rdf_for_file(name: str) -> ox.RdfFormat | None:
    """The RDF format to read a file in, by its extension (also ``.json``, ``.xml``, ``.owl``)."""
    if "." not in name:
        return None
    extension = name.rpartition(".")[2].lower()
    for fmt in _TABLE:
        if fmt.rdf is not None and extension in (fmt.extension, *fmt.read_as):
            return fmt.rdf
    return None
