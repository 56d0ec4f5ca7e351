"""Named queries as pages: ``/queries/`` lists them, ``/queries/<name>`` shows a form for the
query's declared parameters and its results, also as ``.json`` (SPARQL JSON) and ``.csv``.

These are the app's own queries from ``queries/``; the visitor only supplies parameter values, which
are validated and bound (never formatted into the query text).

CSV here (as at ``/sparql``) is the W3C SPARQL 1.1 CSV results format, a data interchange format:
values are written exactly as they are, with no spreadsheet-formula escaping (THREATS.md D5; the
human-oriented report CSV of the compliance pages escapes instead).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, url_for

from catalogue import queries
from catalogue.queries import NamedQuery, QueryError
from catalogue.sparql.results import Caps, solutions_answer
from catalogue.store import Bindings, StoreError
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language
from webapp.negotiation import FORMATS
from webapp.sparql.results import Table, table_from_rows

bp = Blueprint("queries", __name__, template_folder="../templates")

INPUT_TYPES = {"integer": "number", "decimal": "text", "date": "date", "iri": "url"}


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


def _columns(query: NamedQuery, bindings: Bindings) -> list[str]:
    """The projected variables, in order (evaluated on an empty store, so it costs nothing)."""
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in bindings.items()
    }
    result = ox.Store().query(query.text, substitutions=subs)
    return [v.value for v in result.variables]  # type: ignore[union-attr]


@bp.get("/queries/")
def index() -> str:
    lang = current_language()
    items = [item(q, lang) for q in queries.registry().values()]
    return render_template("queries/index.html", items=items)


@bp.get("/queries/<name>")
def page(name: str) -> str:
    query = _named(name)
    values = _values(query)
    lang = current_language()
    table = graph_text = error = None
    downloads: list[tuple[str, str]] = []
    complete = all(values[p.name] or p.optional for p in query.params)
    if complete:
        try:
            bindings = query.bindings(values)
            store = get_catalogue().store
            if query.form == "SELECT":
                rows = store.select(query.text_for(store), bindings)
                cap = get_catalogue().settings.sparql_max_rows
                table = table_from_rows(_columns(query, bindings), rows[:cap], len(rows) > cap)
                args = {k: v for k, v in values.items() if v}
                downloads = [
                    (FORMATS[ext].label, url_for(f"queries.as_{ext}", name=name, **args))  # type: ignore[arg-type]
                    for ext in ("json", "csv")
                ]
            elif query.form == "ASK":
                table = Table([], [], boolean=store.ask(query.text_for(store), bindings))
            else:
                graph_text = (
                    ox.serialize(
                        store.construct(query.text_for(store), bindings),
                        format=ox.RdfFormat.TURTLE,
                    )
                    or b""
                ).decode("utf-8")
        except (QueryError, StoreError) as exc:
            error = str(exc)
    fields = [
        Field(p.name, p.type, INPUT_TYPES.get(p.type, "text"), values[p.name], not p.optional)
        for p in query.params
    ]
    editor_url = url_for("sparql.endpoint", example=name, lang=lang)
    context = QueryContext(
        item(query, lang), query.text, fields, table, graph_text, error, downloads, editor_url
    )
    return render_template("queries/query.html", ctx=context)


def _export(name: str, fmt: str) -> Response:
    query = _named(name)
    if query.form != "SELECT":
        abort(404)
    values = _values(query)
    try:
        bindings = query.bindings(values)
        store = get_catalogue().store
        rows = store.select(query.text_for(store), bindings)
    except (QueryError, StoreError) as exc:
        return Response(str(exc) + "\n", 400, mimetype="text/plain")
    settings = get_catalogue().settings
    caps = Caps(settings.sparql_max_rows, settings.sparql_max_result_mb * 1024 * 1024)
    answer = solutions_answer(_columns(query, bindings), rows, fmt, caps)
    response = Response(answer.body, content_type=f"{FORMATS[fmt].media_type}; charset=utf-8")
    response.headers["X-Result-Truncated"] = "true" if answer.truncated else "false"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/queries/<name>.json")
def as_json(name: str) -> Response:
    return _export(name, "json")


@bp.get("/queries/<name>.csv")
def as_csv(name: str) -> Response:
    return _export(name, "csv")
