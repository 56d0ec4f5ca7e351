"""The provider page: /id/provider/<tpid>."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, render_template

from catalogue.browse import provider as providers
from catalogue.browse.provider import Provider
from catalogue.browse.report import Check, checks
from webapp.browse import bp, resource
from webapp.browse.links import stored_iri
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class ProviderContext:
    provider: Provider
    last_check: Check | None
    jsonld: str


def provider_context(tpid: str) -> ProviderContext:
    store = get_catalogue().store
    found = providers.provider(store, stored_iri("id/provider", tpid), current_language())
    if found is None:
        abort(404)
    graph = stored_iri("graph/provider", tpid)
    history = checks(store, found.identity.iri)
    return ProviderContext(
        found,
        history[0] if history else None,
        resource.embedded_jsonld(found.identity.iri, graph),
    )


@bp.get("/id/provider/<tpid>")
def provider(tpid: str) -> str | Response:
    tpid, fmt = resource.choose(tpid)
    if fmt != "html":
        return resource.graph(stored_iri("graph/provider", tpid), fmt)
    return render_template("browse/provider.html", ctx=provider_context(tpid))
