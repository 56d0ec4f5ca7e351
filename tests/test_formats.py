"""The one table of formats (catalogue/formats.py): keys, media types and extensions as clients
and files use them, taken from pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue.formats import DATASET_FORMATS, FORMATS, for_extension, rdf_for_file


def test_media_types_are_bare_and_unique() -> None:
    types = [f.media_type for f in FORMATS.values()]
    assert all(";" not in t for t in types), types  # Accept matching needs the bare type
    assert len(set(types)) == len(types)
    assert FORMATS["csv"].media_type == "text/csv"
    assert FORMATS["turtle"].media_type == "text/turtle"


def test_extensions_find_their_format() -> None:
    for fmt in FORMATS.values():
        assert for_extension(fmt.extension) == fmt
    assert for_extension(".TTL") == FORMATS["turtle"]
    assert for_extension("xlsx") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("providers.ttl", ox.RdfFormat.TURTLE),
        ("dump.nq", ox.RdfFormat.N_QUADS),
        ("ontology.owl", ox.RdfFormat.RDF_XML),
        ("data.json", ox.RdfFormat.JSON_LD),
        ("providers.csv", None),
        ("ttl", None),
    ],
)
def test_files_are_read_by_extension(name: str, expected: ox.RdfFormat | None) -> None:
    assert rdf_for_file(name) == expected


def test_dataset_formats_keep_named_graphs() -> None:
    assert all(FORMATS[key].dataset for key in DATASET_FORMATS)
    assert not FORMATS["turtle"].dataset
