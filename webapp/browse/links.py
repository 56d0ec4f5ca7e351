"""Turning IRIs from the data into safe links.

An IRI in the catalogue's base maps to the local path that serves it (URI-space mapping) and
becomes a link only when the app has a route for that path. Any other ``http(s)`` IRI links out;
anything else (``javascript:``, ``data:``, ``urn:``) is never rendered as a link (THREATS B8).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from catalogue.browse.rows import is_http
from catalogue.namespaces import BASE
from webapp.negotiation import alternates

_KEY = re.compile(r"^[A-Za-z0-9._~-]{1,200}$")


def stored_iri(*segments: str) -> str:
    """The stored IRI (``namespaces.BASE``) for a path like ``id/provider/<key>``; 404 for odd
    keys. Pages look resources up and link them by stored IRI; the public base is applied to every
    response on its way out (``webapp/uri_space.py``)."""
    if not all(_KEY.match(segment) for segment in segments[1:]):
        abort(404)
    return BASE + "/".join(segments)


def local_path(iri: str) -> str | None:
    """The local path of an IRI in the catalogue's base, if it has one."""
    if not iri.startswith(BASE):
        return None
    return "/" + iri[len(BASE) :]


def _routable(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path.split("#", 1)[0], method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def with_language(path: str) -> str:
    """Keep an explicitly chosen language (``?lang=``) on internal links."""
    chosen = request.args.get("lang")
    if chosen not in ("da", "en"):
        return path
    return path + ("&" if "?" in path else "?") + urlencode({"lang": chosen})


def href(iri: str) -> str | None:
    """Where a link to ``iri`` should go, or None when it must stay plain text."""
    path = local_path(iri)
    if path is not None:
        return with_language(path) if _routable(path) else None
    return iri if is_http(iri) else None


def href_for_path(path: str) -> str | None:
    """A link to one of the app's own pages, when the app serves it."""
    return with_language(path) if _routable(path) else None


def external(iri: str) -> str | None:
    """An outbound link (a provider's website): http(s) only."""
    return iri if is_http(iri) else None


def init_app(app: Flask) -> None:
    helpers = (href, href_for_path, external, with_language, alternates)
    app.jinja_env.globals.update({helper.__name__: helper for helper in helpers})
