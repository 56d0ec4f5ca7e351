"""The public base on every way in and out of the web app (``catalogue/publish.py`` says why).

Out: one ``after_request`` hook rewrites the body of every response the app sends (pages, RDF,
report downloads, /queries, /sparql answers, VoID, DCAT; streamed answers chunk by chunk). The only
bodies it leaves alone are files sent as they are (``send_file``): the public dumps, which are
written with the public base already (``webapp/exports/dumps.py``), and static assets.
In: a WSGI wrapper rewrites the query string and the body of form posts and SPARQL requests, so a
client that only knows public IRIs finds the stored resources.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, current_app

from catalogue.publish import UriSpace

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_REQUEST_BODIES = (
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
)


def current() -> UriSpace:
    space: UriSpace = current_app.extensions["uri_space"]
    return space


def _encoded(chunks: Iterable[bytes | str]) -> Iterable[bytes]:
    return (c.encode("utf-8") if isinstance(c, str) else c for c in chunks)


def _outgoing(response: Response) -> Response:
    space = current()
    if not space.mapped or response.direct_passthrough:
        return response
    if response.is_streamed:
        response.response = space.public_chunks(_encoded(response.response))
    else:
        response.set_data(space.public_bytes(response.get_data()))
    return response


def _incoming(space: UriSpace, app: WSGIApp, limit: int) -> WSGIApp:
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if query:
            environ["QUERY_STRING"] = space.stored_bytes(query.encode("latin-1")).decode("latin-1")
        kind = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if kind in _REQUEST_BODIES and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > limit:  # too large: left to Flask, which refuses it unread
                return app(environ, start_response)
            body = space.stored_bytes(environ["wsgi.input"].read(length))
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return wrapped


def init_app(app: Flask, space: UriSpace) -> None:
    app.extensions["uri_space"] = space
    if space.mapped:
        app.after_request(_outgoing)
        limit = app.config.get("MAX_CONTENT_LENGTH") or sys.maxsize
        app.wsgi_app = _incoming(space, app.wsgi_app, limit)  # type: ignore[method-assign, assignment]
