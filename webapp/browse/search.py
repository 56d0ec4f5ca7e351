"""Search with facets: /search?q=...&region=...&level=...&page=2 (every state is a URL)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import render_template, request, url_for

from catalogue.browse import search as searching
from catalogue.browse.search import FACETS, SearchResult
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language

MAX_QUERY = 200


@dataclass(frozen=True)
class SearchContext:
    result: SearchResult

    def url(self, page: int | None = None, toggle: tuple[str, str] | None = None) -> str:
        """This search with another page, or with one facet value switched on or off."""
        filters = {f: list(v) for f, v in self.result.filters.items()}
        if toggle:
            facet, value = toggle
            values = filters.setdefault(facet, [])
            if value in values:
                values.remove(value)
            else:
                values.append(value)
        args: list[tuple[str, str]] = []
        if self.result.query:
            args.append(("q", self.result.query))
        args += [(f, v) for f in FACETS for v in filters.get(f, [])]
        if page and page > 1:
            args.append(("page", str(page)))
        if request.args.get("lang") in ("da", "en"):
            args.append(("lang", request.args["lang"]))
        return url_for("browse.search") + ("?" + urlencode(args) if args else "")


def search_context() -> SearchContext:
    query = request.args.get("q", "")[:MAX_QUERY]
    filters = {f: request.args.getlist(f)[:50] for f in FACETS if request.args.getlist(f)}
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    result = searching.search(get_catalogue().store, query, filters, page, current_language())
    return SearchContext(result)


@bp.get("/search")
def search() -> str:
    return render_template("browse/search.html", ctx=search_context())
