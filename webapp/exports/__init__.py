"""Exports for other agencies: full dumps at stable URLs under ``/-/dumps/``, the VoID description
at ``/.well-known/void`` and the DCAT-AP-DK catalogue description at ``/catalog``."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, current_app, request, send_file

from webapp import uri_space
from webapp.catalogue_ext import get_catalogue
from webapp.exports import catalog as dcat
from webapp.exports import void as voidset
from webapp.exports.dumps import DUMPS, DumpCache
from webapp.linkeddata import resource_response
from webapp.negotiation import (
    GRAPH_FORMATS,
    negotiate,
    not_acceptable,
    rdf_response,
    split_extension,
)

bp = Blueprint("exports", __name__)
_lock = threading.Lock()


def _dumps(app: Flask) -> DumpCache:
    with _lock:
        cache = app.extensions.get("dumps")
        if cache is None:
            cache = DumpCache(get_catalogue().store, uri_space.current())
            app.extensions["dumps"] = cache
    return cache  # type: ignore[no-any-return]


def prepare_dumps(app: Flask) -> None:
    """Write the dumps ahead of the first request for them (``serve``'s warm-up)."""
    with app.app_context():
        _dumps(app).prepare()


# /catalog also answers a browser with a page; a client that names no format gets Turtle
CATALOG_FORMATS = (*GRAPH_FORMATS, "html")


def _negotiated(name: str, offered: tuple[str, ...]) -> str:
    _, extension = split_extension(name, offered)
    fmt = negotiate(request, offered, extension=extension)
    if fmt is None:
        abort(not_acceptable(offered))
    return fmt


def _description(
    name: str,
    ext: str | None,
    triples: Callable[[], list[ox.Triple]],
    page_about: ox.NamedNode | None = None,
) -> Response:
    """A description of the catalogue, open to every origin, in the negotiated format; with
    ``page_about``, an HTML page of that resource's statements for a browser."""
    offered = CATALOG_FORMATS if page_about is not None else GRAPH_FORMATS
    fmt = _negotiated(f"{name}.{ext}" if ext else name, offered)
    if fmt == "html" and page_about is not None:
        about = [t for t in triples() if t.subject == page_about]
        return resource_response(page_about.value, fmt, f"/{name}", about)
    response = rdf_response(triples(), fmt)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/-/dumps/<name>")
def dump(name: str) -> Response:
    if name not in DUMPS:
        abort(404)
    path = _dumps(current_app._get_current_object()).path(name)  # type: ignore[attr-defined]
    fmt, compressed = DUMPS[name]
    response = send_file(
        path,
        mimetype="application/gzip" if compressed else fmt.media_type,
        as_attachment=True,
        download_name=name,
        conditional=True,
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<any(ttl, jsonld, rdf, nt):ext>")
def void(ext: str | None = None) -> Response:
    return _description("void", ext, lambda: voidset.void(get_catalogue().store))


@bp.get("/catalog")
@bp.get("/catalog.<any(ttl, jsonld, rdf, nt):ext>")
def catalog(ext: str | None = None) -> Response:
    return _description(
        "catalog", ext, lambda: dcat.catalog(get_catalogue().store, dt.date.today()), dcat.CATALOG
    )
