"""The public SPARQL endpoint (SPARQL 1.1 Protocol) and its query editor page, at ``/sparql``.

Clients get results by ``Accept`` (or the common ``format``/``output`` parameters); browsers get the
editor page, with the results as a table when a query was given. Without a query the endpoint
answers with its service description. Reads are open to every origin (CORS); updates are refused.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from catalogue import queries
from catalogue.namespaces import PREFIXES
from catalogue.sparql import Answer, CheckedQuery, QueryService, SparqlError
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import LANGUAGES, current_language, texts
from webapp.negotiation import (
    FORMATS,
    GRAPH_FORMATS,
    RESOURCE_FORMATS,
    RESULT_FORMATS,
    negotiate,
    not_acceptable,
    rdf_response,
)
from webapp.security import CSP
from webapp.sparql import protocol
from webapp.sparql.description import service_description
from webapp.sparql.results import Table, table_from_json

bp = Blueprint("sparql", __name__, template_folder="../templates")

RESULT_OFFERS = (*RESULT_FORMATS, "html")
GRAPH_OFFERS = (*GRAPH_FORMATS, "html")
EXAMPLE_QUERY = "example_providers"
TRUNCATED_HEADER = "X-Result-Truncated"
ROWS_HEADER = "X-Result-Rows"
_lock = threading.Lock()


def query_service(app: Flask | None = None) -> QueryService:
    """The app's query service, started on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        service = app.extensions.get("sparql")
        if service is None:
            service = app.extensions["sparql"] = QueryService(get_catalogue())
    return service  # type: ignore[no-any-return]


def prepare(app: Flask) -> None:
    """Start the query service (snapshot, workers) before the first query (serve's warm-up)."""
    with app.app_context():
        query_service(app).prepare()


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    url: str


@dataclass(frozen=True)
class EditorContext:
    query: str
    table: Table | None
    graph_text: str | None
    error: str | None
    downloads: list[tuple[str, str]]
    examples: list[Example]
    share_url: str | None
    max_rows: int
    timeout_s: float


def _examples(lang: str) -> list[Example]:
    return [
        Example(
            q.name,
            q.title_en if lang == "en" and q.title_en else q.title,
            q.description_en if lang == "en" and q.description_en else q.description,
            url_for("sparql.endpoint", example=q.name, lang=lang),
        )
        for q in queries.registry().values()
    ]


def _query_url(query: str, **extra: str) -> str:
    return url_for("sparql.endpoint") + "?" + urlencode({"query": query, **extra})


def editor_page(
    query: str | None = None,
    *,
    checked: CheckedQuery | None = None,
    answer: Answer | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang = current_language()
    settings = get_catalogue().settings
    table = graph_text = None
    if answer is not None and checked is not None:
        if checked.is_graph:
            graph_text = answer.body.decode("utf-8")
        else:
            table = table_from_json(answer.body, answer.truncated)
    downloads: list[tuple[str, str]] = []
    if checked is not None and query is not None:
        offers = GRAPH_FORMATS if checked.is_graph else RESULT_FORMATS
        downloads = [(FORMATS[k].label, _query_url(query, format=k)) for k in offers]
    if query is None:
        example = request.args.get("example", EXAMPLE_QUERY)
        named = queries.registry().get(example) or queries.registry().get(EXAMPLE_QUERY)
        query = named.text if named else ""
    context = EditorContext(
        query=query,
        table=table,
        graph_text=graph_text,
        error=error,
        downloads=downloads,
        examples=_examples(lang),
        share_url=_query_url(query, lang=lang) if checked is not None else None,
        max_rows=settings.sparql_max_rows,
        timeout_s=settings.sparql_timeout_s,
    )
    nonce = secrets.token_urlsafe(16)
    body = render_template("sparql/editor.html", ctx=context, style_nonce=nonce)
    response = Response(body, status, mimetype="text/html")
    # The editor component (CodeMirror) writes its styles into a <style> element carrying this
    # nonce, and sizes its gutters with style attributes; scripts stay 'self' only.
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'"
    )
    return response


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/plain", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > 0


def error_texts(exc: SparqlError) -> dict[str, str]:
    """The error's message in Danish and English (``sparql.refused.<key>`` in the catalogues)."""
    found = texts(f"sparql.refused.{exc.key}", **exc.params)
    return found if found is not None else dict.fromkeys(LANGUAGES, exc.message)


def error_response(exc: SparqlError, query: str | None = None) -> Response:
    texts = error_texts(exc)
    if _wants_html():
        return editor_page(query, error=texts[current_language()], status=exc.status)
    # The status and headers are for programs; the text for the people who read it: Danish first.
    body = "".join(f"{texts[lang]}\n" for lang in LANGUAGES)
    response = Response(body, exc.status, mimetype="text/plain")
    response.headers["Content-Language"] = ", ".join(LANGUAGES)
    if exc.status in (429, 503):
        response.headers["Retry-After"] = "2"
    return response


def answer_response(answer: Answer, fmt: str) -> Response:
    media_type = FORMATS[fmt].media_type
    response = Response(answer.body, 200, content_type=f"{media_type}; charset=utf-8")
    response.headers[TRUNCATED_HEADER] = "true" if answer.truncated else "false"
    response.headers[ROWS_HEADER] = str(answer.rows)
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    try:
        call = protocol.read(request)
    except SparqlError as exc:
        return error_response(exc)
    if call.query is None:
        return description_or_editor()
    service = query_service()
    try:
        checked = service.check(call.query)
    except SparqlError as exc:
        return error_response(exc, call.query)
    offers = GRAPH_OFFERS if checked.is_graph else RESULT_OFFERS
    fmt = protocol.hinted_format(call.format_hints, checked.is_graph, offers)
    fmt = fmt or negotiate(request, offers) or _other_family_default(checked)
    if fmt is None:
        return not_acceptable(offers)
    run_format = fmt
    if fmt == "html":
        run_format = "turtle" if checked.is_graph else "json"
    try:
        client = protocol.client_address(request, get_catalogue().settings.trusted_proxies)
        answer = service.run(checked, run_format, call.dataset, client)
    except SparqlError as exc:
        return error_response(exc, call.query)
    if fmt == "html":
        return editor_page(call.query, checked=checked, answer=answer)
    return answer_response(answer, fmt)


def _other_family_default(checked: CheckedQuery) -> str | None:
    """A SPARQL client that asks for results formats for a CONSTRUCT (or for RDF for a SELECT),
    as rdflib's SPARQLStore does, gets the default format of the right kind instead of a 406."""
    other = RESULT_FORMATS if checked.is_graph else GRAPH_FORMATS
    if negotiate(request, other) is None or not request.accept_mimetypes.provided:
        return None
    return GRAPH_FORMATS[0] if checked.is_graph else RESULT_FORMATS[0]


def description_or_editor() -> Response:
    fmt = negotiate(request, RESOURCE_FORMATS)
    if fmt is None:
        return not_acceptable(RESOURCE_FORMATS)
    if fmt == "html":
        return editor_page()
    # the configured base, never the request's Host header (which a client chooses)
    base = get_catalogue().settings.base_iri.rstrip("/")
    endpoint_url = base + url_for("sparql.endpoint")
    return rdf_response(service_description(endpoint_url), fmt)


@bp.after_request
def cors(response: Response) -> Response:
    """Reads are open to every origin; nothing here uses cookies or changes state."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, {ROWS_HEADER}"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _prefixed(iri: str) -> str | None:
    for name, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and "/" not in local and "#" not in local:
            return f"{name}:{local}"
    return None


@bp.get("/sparql/terms.json")
def terms() -> Response:
    """Prefixes and the catalogue's own terms, for the editor's completion (no network needed)."""
    rows = queries.run(get_catalogue().store, "editor_terms", lang=current_language())
    found = [
        {
            "term": _prefixed(row["term"].value) or f"<{row['term'].value}>",
            "label": row["label"].value if "label" in row else "",
            "kind": row["kind"].value.rpartition("#")[2],
        }
        for row in rows
    ]
    return jsonify({"prefixes": PREFIXES, "terms": found})


def editor_assets() -> bool:
    """True when the editor bundle was built (``make editor``); the page works without it."""
    static = Path(current_app.static_folder or "")
    return (static / "editor" / "editor.js").is_file()


@bp.app_context_processor
def editor_globals() -> dict[str, object]:
    return {"editor_assets": editor_assets}
