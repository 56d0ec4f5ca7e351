"""Exports of the catalogue, streamed: the whole dataset, the provider data, or one named graph.

Dataset formats (N-Quads, TriG, JSON-LD) keep the named graphs; Turtle holds triples only, so a
Turtle export of the providers is exactly what ``specialekatalog import`` reads back. A full dataset
export goes back with ``specialekatalog restore``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

import pyoxigraph as ox

from catalogue.formats import DATASET_FORMATS, FORMATS, for_extension
from catalogue.namespaces import BASE, PREFIXES, PROVIDER_GRAPHS, is_private
from catalogue.publish import UriSpace
from catalogue.store import Store

# what ``export`` writes, by file extension: the dataset formats and Turtle
EXTENSIONS = (*(FORMATS[key].extension for key in DATASET_FORMATS), FORMATS["turtle"].extension)
ALL, PUBLIC, PROVIDERS = "all", "public", "providers"
PROGRESS_EVERY = 10_000  # quads between two progress reports


class ExportError(ValueError):
    """The export cannot be made as asked (e.g. the whole dataset as Turtle)."""


def graph_iri(name: str) -> ox.NamedNode:
    """A graph given as a full IRI or relative to the base (``graph/provider/123456``)."""
    return ox.NamedNode(name if "://" in name else BASE + name.lstrip("/"))


def _private(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.NamedNode) and is_private(quad.graph_name.value)


def _provider_quads(store: Store) -> Iterator[ox.Quad]:
    return (
        q
        for q in store.quads()
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(PROVIDER_GRAPHS)
    )


def _reporting(quads: Iterator[ox.Quad], progress: Callable[[int], None]) -> Iterator[ox.Quad]:
    """The quads unchanged, telling ``progress`` how many have gone by, in steps."""
    done = 0
    for done, quad in enumerate(quads, 1):
        if done % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
        yield quad
    progress(done % PROGRESS_EVERY)


def export(
    store: Store,
    output: IO[bytes],
    fmt: str,
    graph: str | None = None,
    progress: Callable[[int], None] | None = None,
    uri_space: UriSpace | None = None,
) -> None:
    """Write ``graph`` (``all``, ``public`` (all but private graphs), ``providers`` or a
    graph name) to ``output`` in the format of file extension ``fmt`` (one of ``EXTENSIONS``).

    The default is ``all`` for the dataset formats and ``providers`` for Turtle. ``progress``
    is told how many quads have been written, every ``PROGRESS_EVERY``. ``uri_space``: write the
    IRIs under its public base (the public dumps); without it, as stored (backups, re-imports).
    """
    chosen = for_extension(fmt) if fmt in EXTENSIONS else None
    if chosen is None or chosen.rdf is None:
        raise ExportError(f"cannot export as {fmt!r}: use one of {', '.join(EXTENSIONS)}")
    rdf_format = chosen.rdf
    selection = graph or (ALL if rdf_format.supports_datasets else PROVIDERS)
    prefixes = None if rdf_format == ox.RdfFormat.N_QUADS else PREFIXES
    if selection in (ALL, PUBLIC):
        if not rdf_format.supports_datasets:
            raise ExportError(
                "Turtle holds one graph: export 'providers' or one graph, or use nq, trig or jsonld"
            )
        quads: Iterator[ox.Quad] = store.quads()
        if selection == PUBLIC:
            quads = (q for q in quads if not _private(q))
    elif selection == PROVIDERS:
        quads = _provider_quads(store)
    else:
        try:
            named = graph_iri(selection)
        except ValueError:
            raise ExportError(f"{selection!r} names no graph: give an IRI or graph/...") from None
        if named not in store.graph_names():
            raise ExportError(f"the store has no graph {named.value}")
        quads = store.quads(named)
    if progress is not None:
        quads = _reporting(quads, progress)
    if uri_space is not None:
        quads = uri_space.public_quads(quads)
        prefixes = uri_space.public_prefixes(prefixes) if prefixes else None
    if rdf_format.supports_datasets:
        ox.serialize(quads, output, rdf_format, prefixes=prefixes)
    else:
        triples = (q.triple for q in quads)
        ox.serialize(triples, output, rdf_format, prefixes=prefixes, base_iri=BASE)
