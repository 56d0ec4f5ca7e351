"""SPARQL results as an HTML table (the editor page and the named query pages share it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox

from catalogue.store import Row
from webapp.browse.links import href


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # never javascript: or data: (THREATS.md B8)
    note: str = ""  # language tag or datatype


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    truncated: bool = False
    boolean: bool | None = None


XSD = "http://www.w3.org/2001/XMLSchema#"


def _iri_cell(iri: str) -> Cell:
    """Catalogue IRIs link to their local page (when there is one), other http(s) IRIs link out."""
    return Cell(iri, href(iri))


def cell_from_json(term: dict[str, object] | None) -> Cell:
    if term is None:
        return Cell("")
    value = str(term.get("value", ""))
    kind = term.get("type")
    if kind == "uri":
        return _iri_cell(value)
    if kind == "bnode":
        return Cell(f"_:{value}")
    if kind == "triple":
        return Cell(json.dumps(term.get("value"), ensure_ascii=False))
    if "xml:lang" in term:
        return Cell(value, note=f"@{term['xml:lang']}")
    datatype = str(term.get("datatype", ""))
    return Cell(value, note=datatype.removeprefix(XSD) if datatype else "")


def table_from_json(body: bytes, truncated: bool = False) -> Table:
    """A SPARQL JSON results document (SELECT or ASK) as a table."""
    document = json.loads(body)
    if "boolean" in document:
        return Table([], [], boolean=bool(document["boolean"]))
    columns: list[str] = document["head"]["vars"]
    rows = [
        [cell_from_json(binding.get(name)) for name in columns]
        for binding in document["results"]["bindings"]
    ]
    return Table(columns, rows, truncated)


def cell_from_term(term: object) -> Cell:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Cell(term.value, note=f"@{term.language}")
        datatype = term.datatype.value
        note = "" if datatype == XSD + "string" else datatype.removeprefix(XSD)
        return Cell(term.value, note=note)
    return Cell(str(term))


def table_from_rows(columns: list[str], rows: list[Row], truncated: bool = False) -> Table:
    """Rows of a named query (already evaluated in-process) as a table."""
    cells = [[cell_from_term(row[n]) if n in row else Cell("") for n in columns] for row in rows]
    return Table(columns, cells, truncated)
