"""Small helpers to read named-query rows into Python values."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.store import Row

HTTP_SCHEMES = ("http://", "https://")


def text(row: Row, key: str, default: str = "") -> str:
    term = row.get(key)
    return term.value if term is not None else default


def number(row: Row, key: str, default: int = 0) -> int:
    term = row.get(key)
    if term is None:
        return default
    try:
        return int(term.value)
    except ValueError:
        return int(float(term.value))


def decimal(row: Row, key: str) -> float | None:
    term = row.get(key)
    return float(term.value) if term is not None else None


def flag(row: Row, key: str) -> bool | None:
    term = row.get(key)
    if term is None:
        return None
    return term.value in ("true", "1")


def is_http(iri: str) -> bool:
    """Only http(s) IRIs may ever become links (THREATS B8: no ``javascript:`` hrefs)."""
    return iri.lower().startswith(HTTP_SCHEMES)


def code(iri: str) -> str:
    """The last path segment of an IRI: a concept's code or a resource's key."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Concept:
    """A thing with an IRI and a label in the page language."""

    iri: str
    label: str

    @property
    def code(self) -> str:
        return code(self.iri)


def concept(row: Row, key: str, label_key: str | None = None) -> Concept | None:
    iri = text(row, key)
    if not iri:
        return None
    return Concept(iri, text(row, label_key or key + "Label", code(iri)))


_DANISH = str.maketrans({"æ": "z{", "ø": "z|", "å": "z}", "Æ": "z{", "Ø": "z|", "Å": "z}"})


def danish_key(value: str) -> str:
    """A sort key that puts æ, ø, å after z, as Danish readers expect."""
    return value.casefold().translate(_DANISH)
