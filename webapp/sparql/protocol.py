"""Reading a SPARQL 1.1 Protocol request: where the query is, the dataset, the asked format.

https://www.w3.org/TR/sparql11-protocol/#query-operation: ``query`` by GET, by POST of an HTML form,
or as the POST body with ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
any number of times. Anything else is a protocol error (HTTP 400, or 415 for a body type that is not
a query). The protocol's update operation is refused: this endpoint is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

from catalogue.sparql import Dataset, SparqlError
from webapp.negotiation import FORMATS

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"

# Values of the non-standard ``format`` / ``output`` parameters that common clients send.
RESULT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "json-ld": "jsonld",
    "jsonld": "jsonld",
    "json": "jsonld",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
}
_BY_MEDIA_TYPE = {
    media_type: f.key for f in FORMATS.values() for media_type in (f.media_type, *f.aliases)
}


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    dataset: Dataset
    format_hints: tuple[str, ...]


def read(request: Request) -> ProtocolRequest:
    """The protocol request, or ``SparqlError`` for a protocol error."""
    args = request.args
    if request.method in ("GET", "HEAD"):  # HEAD: the GET's answer without its body
        params = args
    elif request.mimetype == FORM:
        params = request.form
        if "query" in args:
            raise SparqlError(
                400, "the query must be in the form body, not also in the URL", "query_twice"
            )
    elif request.mimetype == QUERY_BODY:
        if "query" in args:
            raise SparqlError(
                400, "a query in the body must not also be given in the URL", "query_body_and_url"
            )
        params = args
    elif request.mimetype == UPDATE_BODY:
        raise SparqlError(400, READ_ONLY, "update_request")
    else:
        raise SparqlError(
            415,
            f"send the query by GET, as {FORM}, or as {QUERY_BODY} (got {request.mimetype!r})",
            "media_type",
            form=FORM,
            body=QUERY_BODY,
            got=repr(request.mimetype),
        )
    if "update" in params or "update" in args:
        raise SparqlError(400, READ_ONLY, "update_request")
    if request.method == "POST" and request.mimetype == QUERY_BODY:
        try:
            queries = [request.get_data().decode("utf-8")]
        except UnicodeDecodeError:
            raise SparqlError(400, "the query is not valid UTF-8", "not_utf8") from None
    else:
        queries = params.getlist("query")
    if len(queries) > 1:
        raise SparqlError(400, "more than one query was given", "several_queries")
    dataset = Dataset.of(
        [*params.getlist("default-graph-uri"), *_url_only(request, "default-graph-uri")],
        [*params.getlist("named-graph-uri"), *_url_only(request, "named-graph-uri")],
    )
    hints = tuple(
        value.strip()
        for name in ("format", "output")
        for value in (*params.getlist(name), *_url_only(request, name))
        if value.strip()
    )
    return ProtocolRequest(queries[0] if queries else None, dataset, hints)


def _url_only(request: Request, name: str) -> list[str]:
    """A parameter in the URL of a form POST (the dataset may be given there too)."""
    if request.method == "POST" and request.mimetype == FORM:
        return request.args.getlist(name)
    return []


def hinted_format(hints: tuple[str, ...], is_graph: bool, offered: tuple[str, ...]) -> str | None:
    """The first ``format``/``output`` value that names an offered format."""
    names = GRAPH_NAMES if is_graph else RESULT_NAMES
    for hint in hints:
        key = names.get(hint.lower()) or _BY_MEDIA_TYPE.get(hint.lower())
        if key in offered:
            return key
    return None


def client_address(request: Request, trusted_proxies: int) -> str:
    """The client's address for the per-client query limit: the connection's, or behind
    ``trusted_proxies`` reverse proxies the address the nearest of them saw (the entry it appended
    to ``X-Forwarded-For``), so a client cannot pick its own identity by sending the header."""
    if trusted_proxies > 0:
        forwarded = [
            entry.strip()
            for header in request.headers.getlist("X-Forwarded-For")
            for entry in header.split(",")
            if entry.strip()
        ]
        if len(forwarded) >= trusted_proxies:
            return forwarded[-trusted_proxies]
    return request.remote_addr or ""
