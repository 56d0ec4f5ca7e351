"""Capped answers: at most ``max_rows`` rows (or triples) and about ``max_bytes`` of terms.

The rows are read one by one from the engine's iterator and the rest is never evaluated. SELECT and
ASK answers are written as SPARQL JSON and converted by the engine's own writers to XML, CSV or TSV;
CONSTRUCT and DESCRIBE answers are serialised by the engine's RDF writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from catalogue.formats import FORMATS
from catalogue.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Caps:
    max_rows: int
    max_bytes: int


@dataclass(frozen=True)
class Answer:
    body: bytes
    fmt: str
    rows: int
    truncated: bool


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term(term.subject),
                "predicate": _term(term.predicate),
                "object": _term(term.object),
            },
        }
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _size(term: object) -> int:
    return len(str(term))


def _take(items: Iterable[Any], caps: Caps, size: Any) -> tuple[list[Any], bool]:
    """The first items within the caps, and whether more were left."""
    kept: list[Any] = []
    total = 0
    iterator: Iterator[Any] = iter(items)
    for item in iterator:
        total += size(item)
        if len(kept) >= caps.max_rows or total > caps.max_bytes:
            return kept, True
        kept.append(item)
    return kept, False


def _from_json(document: dict[str, Any], fmt: str) -> bytes:
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if fmt == "json":
        return data
    parsed = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
    out = parsed.serialize(format=FORMATS[fmt].results)
    assert out is not None  # no output file given: the bytes are returned
    return out


def _get(solution: Any, name: str) -> Any:
    try:
        return solution[name]
    except KeyError:
        return None


def solutions_answer(names: list[str], solutions: Iterable[Any], fmt: str, caps: Caps) -> Answer:
    """Solutions (engine solutions or ``{name: term}`` rows) as a capped results document."""

    def row_size(solution: Any) -> int:
        return sum(_size(_get(solution, name)) for name in names) + 1

    kept, truncated = _take(solutions, caps, row_size)
    bindings = [
        {name: _term(term) for name in names if (term := _get(solution, name)) is not None}
        for solution in kept
    ]
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return Answer(_from_json(document, fmt), fmt, len(bindings), truncated)


def boolean_answer(value: bool, fmt: str) -> Answer:
    return Answer(_from_json({"head": {}, "boolean": value}, fmt), fmt, 1, False)


def triples_answer(triples: Iterable[ox.Triple], fmt: str, caps: Caps) -> Answer:
    def unique() -> Iterator[ox.Triple]:
        seen: set[ox.Triple] = set()
        for triple in triples:
            if triple not in seen:
                seen.add(triple)
                yield triple

    kept, truncated = _take(unique(), caps, _size)
    body = ox.serialize(kept, format=FORMATS[fmt].rdf, prefixes=PREFIXES)
    assert body is not None  # no output file given: the bytes are returned
    return Answer(body, fmt, len(kept), truncated)


def answer(result: object, fmt: str, caps: Caps, offset: int = 0) -> Answer:
    """Any query result of the engine (or parsed from a remote server) as a capped answer, from
    its ``offset``-th row (or triple) on: one page of a long answer."""
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return solutions_answer(names, islice(result, offset, None), fmt, caps)
    if isinstance(result, ox.QueryBoolean):
        return boolean_answer(bool(result), fmt)
    return triples_answer(islice(result, offset, None), fmt, caps)  # type: ignore[call-overload]


def columns(query: str, bindings: Mapping[str, Any]) -> list[str]:
    """The projected variables of a SELECT query, in order (evaluated on an empty store, so it
    costs nothing)."""
    # imported here: the query workers load this module but not the store package (pool.BOOT)
    from catalogue.store import scratch_store

    subs = {ox.Variable(name): term for name, term in bindings.items()}
    result = scratch_store().oxigraph.query(query, substitutions=subs)
    return [v.value for v in result.variables]  # type: ignore[union-attr]
