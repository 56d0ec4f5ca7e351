"""Instance pages of the service itself, under ``/-/`` so they never clash with catalogue IRIs:
``/-/health``, ``/-/version``, ``/-/queries`` (the loaded named queries) and ``/-/config`` (the
settings, secrets left out)."""

from __future__ import annotations

import platform
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, jsonify, url_for

from catalogue import __version__, queries
from catalogue.store import StoreError
from webapp.catalogue_ext import get_catalogue

bp = Blueprint("instance", __name__)

SECRET_SETTINGS = frozenset({"secret_key"})
LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl", "flask", "waitress")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _without_credentials(value: object) -> object:
    """Endpoint URLs may carry ``user:password@``; never show it."""
    if isinstance(value, str) and "@" in value and "://" in value:
        parts = urlsplit(value)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return value


@bp.get("/-/health")
def health() -> tuple[Response, int]:
    catalogue = get_catalogue()
    freshness: dict[str, object] = {}
    try:
        catalogue.store.ask("ASK {}")
        freshness = catalogue.store.freshness()  # behind a read replica: how far it lags
        store_ok = True
    except (StoreError, OSError):
        store_ok = False
    status = 200 if store_ok else 503
    body: dict[str, object] = {"status": "ok" if store_ok else "unavailable", "store": store_ok}
    if freshness:
        body["data"] = freshness
    return jsonify(body), status


@bp.get("/-/version")
def versions() -> Response:
    libraries = {name: _version(name) for name in LIBRARIES}
    return jsonify(
        {"specialekatalog": __version__, "python": platform.python_version(), **libraries}
    )


@bp.get("/-/queries")
def named_queries() -> Response:
    return jsonify(
        [
            {
                "name": q.name,
                "title": q.title,
                "title_en": q.title_en,
                "description": q.description,
                "description_en": q.description_en,
                "form": q.form,
                "params": [asdict(p) for p in q.params],
                "tags": list(q.tags),
                "page": url_for("queries.page", name=q.name),
            }
            for q in queries.registry().values()
        ]
    )


@bp.get("/-/config")
def config() -> Response:
    settings = asdict(get_catalogue().settings)
    shown = {k: _without_credentials(v) for k, v in settings.items() if k not in SECRET_SETTINGS}
    return jsonify(shown)
