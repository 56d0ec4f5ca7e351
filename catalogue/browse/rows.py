"""Small helpers to read named-query rows into Python values."""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar, get_type_hints

from catalogue.namespaces import code
from catalogue.store import Row

R = TypeVar("R")

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


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


_READERS_OF: dict[type, tuple[tuple[str, str, Any, bool], ...]] = {}


def _readers(cls: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(field, column, reader, has a default) for each field of a dataclass, by its type."""
    if cls in _READERS_OF:
        return _READERS_OF[cls]
    hints = get_type_hints(cls)
    out = []
    for f in fields(cls):
        kind = hints[f.name]
        optional = isinstance(kind, types.UnionType) and type(None) in kind.__args__
        base = next(a for a in kind.__args__ if a is not type(None)) if optional else kind
        reader = _READERS.get((base, optional))
        defaulted = f.default is not MISSING or f.default_factory is not MISSING
        out.append((f.name, _camel(f.name), reader, defaulted))
    _READERS_OF[cls] = tuple(out)
    return _READERS_OF[cls]


def _whole_or_none(row: Row, key: str) -> int | None:
    return number(row, key) if key in row else None


_READERS: dict[tuple[type, bool], Any] = {
    (str, False): text,
    (int, False): number,
    (int, True): _whole_or_none,
    (float, True): decimal,
    (bool, False): lambda row, key: bool(flag(row, key)),
    (bool, True): flag,
    (Concept, True): concept,
    (Concept, False): lambda row, key: concept(row, key) or Concept("", ""),
}


def record(cls: type[R], row: Row, columns: Mapping[str, str] | None = None, **given: Any) -> R:
    """A dataclass from one named-query row.

    Each field is read from the column named after it in camelCase (``duty_to_advise`` from
    ``dutyToAdvise``) or from the column ``columns`` names for it, by the field's type: ``str``
    text, ``int`` number, ``float | None`` decimal, ``bool`` flag, ``Concept`` a concept labelled
    by ``<column>Label``. ``given`` values are used as they are; a field with a default
    that is neither given nor readable keeps its default.
    """
    columns = columns or {}
    values: dict[str, Any] = {}
    for name, column, reader, defaulted in _readers(cls):
        if name in given:
            values[name] = given[name]
        elif reader is not None:
            values[name] = reader(row, columns.get(name, column))
        elif not defaulted:
            raise TypeError(f"{cls.__name__}.{name}: no reader for its type; give it")
    return cls(**values)
