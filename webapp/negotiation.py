"""Content negotiation: one way to choose among the formats of ``catalogue.formats``, one RDF
response.

Every view that has both an HTML page and an RDF (or SPARQL results) twin calls ``negotiate()`` with
the format keys it offers and answers accordingly::

    fmt = negotiate(request, RESOURCE_FORMATS, extension=ext)
    if fmt is None:
        return not_acceptable(RESOURCE_FORMATS)
    if fmt != "html":
        return rdf_response(triples, fmt)

``negotiate()`` adds ``Vary: Accept`` to the response of the current request. ``rdf_response()``
serialises with the store's own writer, with stored IRIs; the public base is applied to every
response on its way out (``webapp/uri_space.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from flask import Request, Response, after_this_request

from catalogue.formats import FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format, for_extension
from catalogue.namespaces import PREFIXES

__all__ = ["FORMATS", "GRAPH_FORMATS", "RESOURCE_FORMATS", "RESULT_FORMATS", "Format"]

RESOURCE_FORMATS = ("html", *GRAPH_FORMATS)


def format_for_extension(extension: str) -> str | None:
    """The format key for a file extension such as ``ttl`` (without the dot), if any."""
    fmt = for_extension(extension)
    return fmt.key if fmt is not None else None


def split_extension(path: str, offered: Sequence[str] = RESOURCE_FORMATS) -> tuple[str, str | None]:
    """``("id/provider/1", "turtle")`` for ``"id/provider/1.ttl"``; unknown extensions stay."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension:
        key = format_for_extension(extension)
        if key in offered:
            return stem, key
    return path, None


def negotiate(
    request: Request, offered: Sequence[str] = RESOURCE_FORMATS, *, extension: str | None = None
) -> str | None:
    """The best offered format key for this request, or None when the client accepts none.

    An explicit extension (a format key, see ``split_extension``) wins over ``Accept``. No
    ``Accept`` header, or ``*/*``, gives the first offered format. Adds ``Vary: Accept``.
    """

    @after_this_request
    def vary(response: Response) -> Response:
        response.vary.add("Accept")
        return response

    if extension is not None:
        return extension if extension in offered else None
    if not request.accept_mimetypes:
        return offered[0]
    candidates: list[str] = []
    owner: dict[str, str] = {}
    for key in offered:
        fmt = FORMATS[key]
        for media_type in (fmt.media_type, *fmt.aliases):
            candidates.append(media_type)
            owner[media_type] = key
    best = request.accept_mimetypes.best_match(candidates)
    return owner[best] if best else None


def not_acceptable(offered: Sequence[str]) -> Response:
    """406 naming what this resource can be had as."""
    types = ", ".join(FORMATS[key].media_type for key in offered)
    response = Response(f"406 Not Acceptable. Available: {types}\n", 406, mimetype="text/plain")
    response.vary.add("Accept")
    return response


def serialize(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    """Triples in one of GRAPH_FORMATS with the catalogue's prefixes (stored IRIs: the public base
    is applied to every response on its way out, ``webapp/uri_space.py``)."""
    rdf = FORMATS[fmt].rdf
    if rdf is None or fmt not in GRAPH_FORMATS:
        raise ValueError(f"{fmt} is not a graph format")
    return ox.serialize(triples, format=rdf, prefixes=PREFIXES) or b""


def rdf_response(triples: Iterable[ox.Triple], fmt: str, *, status: int = 200) -> Response:
    """An RDF answer in one of GRAPH_FORMATS (charset UTF-8, ``Vary: Accept``)."""
    media_type = FORMATS[fmt].media_type
    response = Response(
        serialize(triples, fmt), status, content_type=f"{media_type}; charset=utf-8"
    )
    response.vary.add("Accept")
    return response


def alternates(path: str, offered: Sequence[str] = GRAPH_FORMATS) -> list[tuple[Format, str]]:
    """The machine-readable twins of a page as (format, URL) pairs, for ``<link rel=alternate>``.

    ``path`` is the page's path without extension; each twin is at ``path + "." + extension``.
    """
    return [(FORMATS[key], f"{path}.{FORMATS[key].extension}") for key in offered]
