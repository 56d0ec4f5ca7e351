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


def _negotiated(name: str) -> str:
    _, extension = split_extension(name, GRAPH_FORMATS)
    fmt = negotiate(request, GRAPH_FORMATS, extension=extension)
    if fmt is None:
        abort(not_acceptable(GRAPH_FORMATS))
    return fmt


def _description(name: str, ext: str | None, triples: Callable[[], list[ox.Triple]]) -> Response:
    """A description of the catalogue, open to every origin, in the negotiated format."""
    fmt = _negotiated(f"{name}.{ext}" if ext else name)
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
        "catalog", ext, lambda: dcat.catalog(get_catalogue().store, dt.date.today())
    )
