"""Named queries as pages: ``/queries/`` lists them, ``/queries/<name>`` shows a form for the
query's declared parameters and its results, also as ``.json`` (SPARQL JSON) and ``.csv``.

These are the app's own queries from ``queries/``; the visitor only supplies parameter values, which
are validated and bound (never formatted into the query text). They run like a public query at
``/sparql`` (issue 14, findings 2 and 3): in the query service's worker pool, on the snapshot
without private graphs, within its time budget, row cap and per-client limit, answers kept per
store generation; long answers come in pages (``?page=2``, a ``Link: rel="next"`` header).

The CSV is meant for spreadsheets: a text value that begins with ``= + - @``, a tab or a carriage
return is written with a leading apostrophe (OWASP, CSV injection), so a formula imported into the
catalogue through RDF is never run by the program that opens the file. Numbers are written as they
are.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from catalogue import queries
from catalogue.queries import NamedQuery, Param, QueryError
from catalogue.sparql import Answer, SparqlError
from catalogue.store import Bindings
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language
from webapp.negotiation import FORMATS
from webapp.sparql import error_texts, query_service
from webapp.sparql.protocol import client_address
from webapp.sparql.results import Table, table_from_json

bp = Blueprint("queries", __name__, template_folder="../templates")

INPUT_TYPES = {"integer": "number", "decimal": "text", "date": "date", "iri": "url"}
PAGE_ROWS = 1000  # rows per page of a named query's answer (page, JSON and CSV alike)
MAX_PAGE = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {f"{XSD}{name}" for name in ("integer", "decimal", "double", "float")}


@dataclass(frozen=True)
class QueryItem:
    name: str
    title: str
    description: str
    form: str
    params: list[str]
    tags: list[str]


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    input_type: str
    value: str
    required: bool


@dataclass(frozen=True)
class QueryContext:
    item: QueryItem
    text: str
    fields: list[Field]
    table: Table | None
    graph_text: str | None
    error: str | None
    downloads: list[tuple[str, str]]
    editor_url: str
    next_url: str | None = None


def item(query: NamedQuery, lang: str) -> QueryItem:
    english = lang == "en"
    return QueryItem(
        query.name,
        query.title_en if english and query.title_en else query.title,
        query.description_en if english and query.description_en else query.description,
        query.form,
        [p.name for p in query.params],
        list(query.tags),
    )


def _named(name: str) -> NamedQuery:
    try:
        return queries.get(name)
    except QueryError:
        abort(404)


def _values(query: NamedQuery) -> dict[str, str]:
    lang = current_language()
    values = {p.name: request.args.get(p.name, "").strip() for p in query.params}
    if "lang" in values and not values["lang"]:
        values["lang"] = lang
    return values


def _page() -> int:
    """The page asked for, or ``SparqlError`` naming the parameter and its range."""
    number = request.args.get("page", "1")
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= MAX_PAGE:
        raise SparqlError(
            400,
            f"parameter page: a whole number from 1 to {MAX_PAGE}, not {number!r}",
            "bad_page",
            max=MAX_PAGE,
            value=repr(number),
        )
    return int(number)


def _bindings(query: NamedQuery, values: dict[str, str]) -> Bindings:
    """The parameters as terms, or ``SparqlError`` naming the parameter and its type."""
    try:
        return query.bindings(values)
    except QueryError as exc:
        wrong = [p for p in query.params if values.get(p.name) and _invalid(query, p, values)]
        if not wrong:
            raise SparqlError(400, str(exc), "bad_parameters", detail=str(exc)) from None
        param = wrong[0]
        raise SparqlError(
            400,
            str(exc),
            "bad_parameter",
            name=param.name,
            type=param.type,
            value=repr(values[param.name]),
        ) from None


def _invalid(query: NamedQuery, param: Param, values: dict[str, str]) -> bool:
    try:
        query.term(param, values[param.name])
    except QueryError:
        return True
    return False


def _run(query: NamedQuery, values: dict[str, str], fmt: str, page: int) -> Answer:
    """Raises ``SparqlError`` (a bad parameter value, refused, over budget)."""
    settings = get_catalogue().settings
    client = client_address(request, settings.trusted_proxies)
    return query_service().run_named(
        query,
        _bindings(query, values),
        fmt,
        client,
        offset=(page - 1) * PAGE_ROWS,
        rows=PAGE_ROWS,
    )


def _page_url(endpoint: str, name: str, values: dict[str, str], page: int) -> str:
    args = {k: v for k, v in values.items() if v}
    return url_for(endpoint, name=name, page=page, **args)  # type: ignore[arg-type]


@bp.get("/queries/")
def index() -> str:
    lang = current_language()
    items = [item(q, lang) for q in queries.registry().values()]
    return render_template("queries/index.html", items=items)


@bp.get("/queries/<name>")
def page(name: str) -> Response:
    query = _named(name)
    values = _values(query)
    lang = current_language()
    table = graph_text = error = next_url = None
    status = 200
    downloads: list[tuple[str, str]] = []
    complete = all(values[p.name] or p.optional for p in query.params)
    if complete:
        fmt = "turtle" if query.form in ("CONSTRUCT", "DESCRIBE") else "json"
        try:
            number = _page()
            answer = _run(query, values, fmt, number)
        except SparqlError as exc:
            error, status = error_texts(exc)[lang], exc.status
        else:
            if fmt == "turtle":
                graph_text = answer.body.decode("utf-8")
            else:
                table = table_from_json(answer.body, answer.truncated)
            if answer.truncated:
                next_url = _page_url("queries.page", name, values, number + 1)
            if query.form == "SELECT":
                downloads = [
                    (FORMATS[ext].label, _page_url(f"queries.as_{ext}", name, values, number))
                    for ext in ("json", "csv")
                ]
    fields = [
        Field(p.name, p.type, INPUT_TYPES.get(p.type, "text"), values[p.name], not p.optional)
        for p in query.params
    ]
    editor_url = url_for("sparql.endpoint", example=name, lang=lang)
    context = QueryContext(
        item(query, lang),
        query.text,
        fields,
        table,
        graph_text,
        error,
        downloads,
        editor_url,
        next_url,
    )
    return Response(render_template("queries/query.html", ctx=context), status)


def _spreadsheet_safe(term: dict[str, Any] | None) -> str:
    if term is None:
        return ""
    value = str(term["value"])
    if term.get("datatype") in NUMERIC:
        return value
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv(body: bytes) -> bytes:
    document = json.loads(body)
    names: list[str] = document["head"]["vars"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for binding in document["results"]["bindings"]:
        writer.writerow([_spreadsheet_safe(binding.get(name)) for name in names])
    return out.getvalue().encode("utf-8")


def _export(name: str, fmt: str) -> Response:
    query = _named(name)
    if query.form != "SELECT":
        abort(404)
    values = _values(query)
    try:
        number = _page()
        answer = _run(query, values, "json", number)
    except SparqlError as exc:
        texts = error_texts(exc)
        response = Response(f"{texts['da']}\n{texts['en']}\n", exc.status, mimetype="text/plain")
        if exc.status in (429, 503):
            response.headers["Retry-After"] = "2"
        return response
    body = _csv(answer.body) if fmt == "csv" else answer.body
    response = Response(body, content_type=f"{FORMATS[fmt].media_type}; charset=utf-8")
    response.headers["X-Result-Truncated"] = "true" if answer.truncated else "false"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if answer.truncated:
        link = _page_url(f"queries.as_{fmt}", name, values, number + 1)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@bp.get("/queries/<name>.json")
def as_json(name: str) -> Response:
    return _export(name, "json")


@bp.get("/queries/<name>.csv")
def as_csv(name: str) -> Response:
    return _export(name, "csv")
