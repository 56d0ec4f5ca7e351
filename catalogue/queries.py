"""Named SPARQL queries: one ``queries/<name>.rq`` file each, with grlc-style front-matter.

Front-matter lines start with ``#+``::

    #+ title: Specialer og specialfunktioner
    #+ title-en: Specialities and specialty functions
    #+ description: ...
    #+ description-en: ...
    #+ param: lang string
    #+ param: region iri optional
    #+ tags: browse

A parameter is bound to the query variable of the same name (it must be projected by a SELECT).
Every file is parsed once, at start-up, so a syntax error fails early.

A query written with ``LATERAL`` (SPARQL 1.2 drafts; much faster on Oxigraph at national scale) also
has a SPARQL 1.1 form, ``queries/portable/<name>.rq``, with the same answers: it runs on a store
whose engine does not evaluate ``LATERAL`` (``Store.lateral``; Virtuoso, GraphDB).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from catalogue.config import knowledge_paths
from catalogue.store import Row, Store, Term, scratch_store

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = {
    "iri": None,
    "string": None,
    "integer": XSD + "integer",
    "decimal": XSD + "decimal",
    "date": XSD + "date",
    "boolean": XSD + "boolean",
}
_FRONT = re.compile(r"^#\+\s*([\w-]+)\s*:\s*(.*?)\s*$")


def _typed(lexical: str, type_name: str) -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(PARAM_TYPES[type_name] or XSD + "string"))


class QueryError(ValueError):
    """A named query is unknown, malformed, or was given bad parameters."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: str
    description: str
    title_en: str = ""
    description_en: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    portable: str = ""  # the SPARQL 1.1 form when ``text`` needs LATERAL

    def text_for(self, store: Store) -> str:
        """The form this store's engine evaluates."""
        return self.portable if self.portable and not store.lateral else self.text

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        body = re.sub(r"(?m)^\s*(#.*|PREFIX\s.*|BASE\s.*)$", "", self.text, flags=re.IGNORECASE)
        match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        if match is None:
            raise QueryError(f"{self.name}: no query form found")
        return match.group(1).upper()

    def term(self, param: Param, value: object) -> Term:
        """Turn a caller's value into an RDF term, validating it."""
        if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
            return value
        text = str(value)
        try:
            if param.type == "iri":
                return ox.NamedNode(text)
            if param.type == "string":
                return ox.Literal(text)
            if param.type == "boolean":
                lexical = {"true": "true", "1": "true", "false": "false", "0": "false"}[
                    text.lower()
                ]
            else:
                parse = {"integer": int, "decimal": Decimal, "date": dt.date.fromisoformat}
                lexical = str(parse[param.type](text))  # type: ignore[operator]
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise QueryError(f"parameter {param.name}: not a valid {param.type}: {text!r}") from exc
        return _typed(lexical, param.type)

    def bindings(self, values: Mapping[str, object]) -> dict[str, Term]:
        known = {p.name: p for p in self.params}
        unknown = set(values) - set(known)
        if unknown:
            raise QueryError(f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}")
        bound: dict[str, Term] = {}
        for param in self.params:
            value = values.get(param.name)
            if value is None or value == "":
                if not param.optional:
                    raise QueryError(f"{self.name}: parameter {param.name} is required")
                continue
            bound[param.name] = self.term(param, value)
        return bound


_LATERAL = re.compile(r"(?m)^[^#\n]*\bLATERAL\b")


def uses_lateral(text: str) -> bool:
    """The query text (outside comments) uses LATERAL."""
    return _LATERAL.search(text) is not None


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    portable_path = path.parent / "portable" / path.name
    portable = portable_path.read_text(encoding="utf-8") if portable_path.is_file() else ""
    if uses_lateral(text) and not portable:
        raise QueryError(f"{path.name}: uses LATERAL but has no portable/{path.name}")
    if uses_lateral(portable):
        raise QueryError(f"portable/{path.name}: the portable form uses LATERAL")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        match = _FRONT.match(line)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "param":
            words = value.split()
            if len(words) < 2 or words[1] not in PARAM_TYPES:
                raise QueryError(f"{path.name}: bad param line {value!r}")
            params.append(Param(words[0], words[1], "optional" in words[2:]))
        else:
            meta[key] = value
    for required in ("title", "description"):
        if not meta.get(required):
            raise QueryError(f"{path.name}: front-matter has no {required}")
    query = NamedQuery(
        name=path.stem,
        text=text,
        title=meta["title"],
        description=meta["description"],
        title_en=meta.get("title-en", ""),
        description_en=meta.get("description-en", ""),
        params=tuple(params),
        tags=tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip()),
        portable=portable,
    )
    _check(query, query.text)
    if portable:
        _check(query, portable)
    return query


def _check(query: NamedQuery, text: str) -> None:
    """Parse the query with the store's own engine on an empty store, parameters bound."""
    samples: dict[str, ox.NamedNode | ox.Literal] = {
        "iri": ox.NamedNode("urn:x:check"),
        "string": ox.Literal("x"),
    }
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(p.name): samples.get(p.type, _typed("1", "integer")) for p in query.params
    }
    try:
        scratch_store().oxigraph.query(text, substitutions=subs if query.form == "SELECT" else None)
    except (SyntaxError, RuntimeError) as exc:
        raise QueryError(f"{query.name}.rq: {exc}") from exc


@cache
def registry() -> dict[str, NamedQuery]:
    """All named queries, parsed once."""
    folder = knowledge_paths()["queries"]
    return {q.name: q for q in map(parse_query_file, sorted(folder.glob("*.rq")))}


def get(name: str) -> NamedQuery:
    try:
        return registry()[name]
    except KeyError:
        raise QueryError(f"no named query {name!r}") from None


def run(store: Store, name: str, **params: object) -> list[Row]:
    """Run a named SELECT query with its parameters bound."""
    query = get(name)
    return store.select(query.text_for(store), query.bindings(params))


def ask(store: Store, name: str, **params: object) -> bool:
    query = get(name)
    return store.ask(query.text_for(store), query.bindings(params))


def construct(store: Store, name: str, **params: object) -> list[ox.Triple]:
    query = get(name)
    return store.construct(query.text_for(store), query.bindings(params))
