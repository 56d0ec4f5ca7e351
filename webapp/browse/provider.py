"""The provider page: /id/provider/<tpid>."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template

from catalogue.browse import provider as providers
from catalogue.browse.provider import Provider
from webapp.browse import bp
from webapp.browse.links import resource_iri
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class ProviderContext:
    provider: Provider


def provider_context(tpid: str) -> ProviderContext:
    found = providers.provider(
        get_catalogue().store, resource_iri("id/provider", tpid), current_language()
    )
    if found is None:
        abort(404)
    return ProviderContext(found)


@bp.get("/id/provider/<tpid>")
def provider(tpid: str) -> str:
    return render_template("browse/provider.html", ctx=provider_context(tpid))
