"""The query guard: cheap lexical checks on a public query, before any parser sees it.

The embedded engine crashes on deeply nested input and federates through ``SERVICE`` with no way to
switch it off (THREATS.md A1, A4), so the checks here are done on the text, without parsing:

- the length in bytes and the nesting depth of ``{ ( [`` (strings, IRIs and comments ignored);
- no ``SERVICE``, no ``LOAD`` and no update operation anywhere, in any letter case;
- ``FROM`` / ``FROM NAMED`` (and the protocol's dataset parameters) may only name the catalogue's
  own graphs (``{base}graph/...``).

SPARQL processes ``\\u`` escapes before parsing, so the text is checked both as written and with
escapes decoded; a query must pass both. The scan is linear in the length of the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from catalogue.namespaces import GRAPH

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
ALLOWED_GRAPH_PREFIX = str(GRAPH)

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<lstring>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
  | (?P<word>[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class QueryRefused(ValueError):
    """The query is not accepted; the message is safe to show and says why (in English).

    ``key`` and ``params`` name the same message for translation (``sparql.refused.<key>`` in the
    web app's messages)."""

    def __init__(self, message: str, key: str, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer with triples, SELECT and ASK with results."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group())


def _decoded(text: str) -> str:
    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return _ESCAPE.sub(char, text)


def _check_graph(iri: str) -> None:
    if not iri.startswith(ALLOWED_GRAPH_PREFIX):
        raise QueryRefused(
            f"FROM and the dataset parameters may only name the catalogue's own graphs "
            f"(IRIs starting with {ALLOWED_GRAPH_PREFIX})",
            "foreign_graph",
            prefix=ALLOWED_GRAPH_PREFIX,
        )


def check_dataset(iris: Iterable[str]) -> None:
    """The protocol's ``default-graph-uri`` / ``named-graph-uri`` values."""
    for iri in iris:
        _check_graph(iri)


def _scan(text: str, limits: Limits) -> str | None:
    """Check one reading of the text; the query form found, if any."""
    depth = 0
    form: str | None = None
    prefixes: dict[str, str] = {}
    tokens = list(_tokens(text))
    for index, token in enumerate(tokens):
        if token.kind == "open":
            depth += 1
            if depth > limits.max_depth:
                raise QueryRefused(
                    f"the query is nested too deeply (more than {limits.max_depth} levels)",
                    "too_deep",
                    depth=limits.max_depth,
                )
        elif token.kind == "close":
            depth -= 1
        elif token.kind == "word":
            word = token.text.upper()
            if word == "SERVICE":
                raise QueryRefused("SERVICE is not allowed on this endpoint", "service")
            if word in UPDATE_WORDS:
                raise QueryRefused(
                    "this endpoint is read-only: updates and LOAD are not accepted", "update"
                )
            if word in QUERY_FORMS and form is None:
                form = word
            elif word == "PREFIX" and index + 2 < len(tokens):
                name, iri = tokens[index + 1], tokens[index + 2]
                if name.kind == "pname" and iri.kind == "iri":
                    prefixes[name.text] = iri.text[1:-1]
            elif word == "FROM":
                following = tokens[index + 1 : index + 3]
                if following and following[0].kind == "word":
                    following = following[1:]  # FROM NAMED
                _check_graph(_resolve(following[0] if following else None, prefixes))
    return form


def _resolve(token: _Token | None, prefixes: dict[str, str]) -> str:
    if token is None:
        return ""
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        base = prefixes.get(prefix + ":")
        return base + local if base is not None else ""
    return ""


def check(text: str, limits: Limits) -> CheckedQuery:
    """Accept the query or raise ``QueryRefused``; never parses it."""
    if not text.strip():
        raise QueryRefused("the query is empty", "empty")
    if len(text.encode("utf-8")) > limits.max_bytes:
        raise QueryRefused(
            f"the query is too long (more than {limits.max_bytes} bytes)",
            "too_long",
            bytes=limits.max_bytes,
        )
    form = _scan(text, limits)
    decoded = _decoded(text)
    if decoded != text:
        form = _scan(decoded, limits) or form
    if form is None:
        raise QueryRefused(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", "not_query"
        )
    return CheckedQuery(text, form)
