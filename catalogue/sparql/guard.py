"""The query guard: a public query is cut into the SPARQL 1.1 grammar's terminals, exactly, and
judged on those tokens before any engine sees it.

The embedded engine federates through ``SERVICE`` with no way to switch it off and crashes on
input nested or chained too deeply (THREATS.md A1, A4). A guard that reads the text with looser
rules than the engine can be fooled: a number read as ``\\d[\\w.]*`` swallowed the keyword of
``2e3.SERVICE``, a prefixed name ``ex:.SERVICE`` hid it too. So the text is cut by the grammar's
own terminal definitions (SPARQL 1.1 section 19.8: IRIREF, PNAME_LN, BLANK_NODE_LABEL, VAR1/2,
LANGTAG, INTEGER/DECIMAL/DOUBLE, the four string forms, WS, comments, punctuation), and:

- anything that is not a terminal, and any bare word that is not a SPARQL keyword or built-in
  function, refuses the query (fail closed: ``trueSERVICE`` is not a word the grammar knows);
- ``SERVICE``, ``LOAD`` and every update keyword refuse it;
- the length in bytes, the nesting depth of ``{ ( [`` and the number of operators and
  pattern-building keywords are bounded (the engine's parser and planner recurse on them);
- ``FROM`` / ``FROM NAMED`` (and the protocol's dataset parameters) may only name the catalogue's
  own graphs (``{base}graph/...``).

SPARQL processes ``\\u`` escapes before parsing, so the text is checked both as written and with
escapes decoded; a query must pass both. The scan is linear in the length of the query and
recursion-free. The query workers have no network either (``catalogue.sparql.isolation``): a gap
in this guard still reaches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from catalogue.namespaces import GRAPH

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
    | {"DATA", "USING", "DEFAULT", "ALL", "INTO", "TO"}
)
# Every bare word of the grammar (keywords and built-in calls, SPARQL 1.1 and the 1.2 / Oxigraph
# additions the engine accepts), upper case. Prefixed names and variables are not bare words.
KEYWORDS = frozenset(
    """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY ASC
    DESC LIMIT OFFSET VALUES UNDEF GROUP HAVING OPTIONAL GRAPH UNION MINUS FILTER BIND EXISTS NOT
    IN A TRUE FALSE LATERAL VERSION SILENT
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
    MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG
    STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX
    AVG SAMPLE GROUP_CONCAT SEPARATOR
    TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR ADJUST
    """.split()
)
# Keywords that each add a level to the engine's algebra (counted with the operators).
PATTERN_WORDS = frozenset({"OPTIONAL", "MINUS", "BIND", "FILTER", "UNION", "GRAPH", "EXISTS"})
PATTERN_WORDS |= {"NOT", "LATERAL", "VALUES", "IN", "IF", "COALESCE"}
OPERATORS = frozenset(
    {"!", "&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "^", "|", "?"}
    | {"{", "(", "[", "<<", "<<(", "{|"}
)
_WORDS = KEYWORDS | UPDATE_WORDS | {"SERVICE"}
ALLOWED_GRAPH_PREFIX = str(GRAPH)

# SPARQL 1.1 section 19.8, productions [139]-[173], as character classes.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_EXPONENT = "[eE][+-]?[0-9]+"

_TOKEN = re.compile(
    rf"""
    (?P<space>[\x20\t\r\n]+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\[tbnrf\\"']))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|\\[tbnrf\\"']))*'''
              |"(?:[^"\\\n\r]|\\[tbnrf\\"'])*"
              |'(?:[^'\\\n\r]|\\[tbnrf\\"'])*')
  | (?P<var>[?$]{_VARNAME})
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}
              |[0-9]*\.[0-9]+|[0-9]+)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|<<\(|\)>>|<<|>>|\{{\||\|}}|[{{}}()\[\];,.=<>!+\-*/^|?~])
    """,
    re.VERBOSE,
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
    max_operators: int = 500


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    names_dataset: bool = False  # FROM or FROM NAMED: the query's own dataset, not the union

    @property
    def is_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer with triples, SELECT and ASK with results."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _not_sparql(text: str, position: int) -> QueryRefused:
    shown = text[position : position + 20]
    return QueryRefused(
        f"not valid SPARQL at character {position + 1}: {shown!r}",
        "lexical",
        position=position + 1,
        text=repr(shown),
    )


def _tokens(text: str) -> Iterator[_Token]:
    """The grammar's terminals, in order, without white space and comments; refuses the query
    at the first character that starts no terminal."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _not_sparql(text, position)
        kind = match.lastgroup or ""
        if kind == "word" and match.group().upper() not in _WORDS:
            kind = "unknown"  # refused by the scan, after any refusal earlier in the text
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group(), position)
        position = match.end()


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


def _refuse_word(word: str) -> None:
    if word == "SERVICE":
        raise QueryRefused("SERVICE is not allowed on this endpoint", "service")
    if word in UPDATE_WORDS:
        raise QueryRefused(
            "this endpoint is read-only: updates and LOAD are not accepted", "update"
        )


def _scan(text: str, limits: Limits) -> tuple[str | None, bool]:
    """Check one reading of the text; the query form found, if any, and whether it has FROM."""
    depth = operators = 0
    form: str | None = None
    names_dataset = False
    prefixes: dict[str, str] = {}
    base = ""  # BASE: relative IRIs are resolved against it (RFC 3986), as the engine does
    tokens = list(_tokens(text))
    for index, token in enumerate(tokens):
        if token.kind == "unknown":
            raise _not_sparql(text, token.position)
        if token.kind == "word":
            word = token.text.upper()
            _refuse_word(word)
            operators += word in PATTERN_WORDS
            if word in QUERY_FORMS and form is None:
                form = word
            elif word == "BASE" and index + 1 < len(tokens):
                base = _resolve(tokens[index + 1], prefixes, base)
            elif word == "PREFIX" and index + 2 < len(tokens):
                name, iri = tokens[index + 1], tokens[index + 2]
                if name.kind == "pname" and iri.kind == "iri":
                    prefixes[name.text] = _resolve(iri, prefixes, base)
            elif word == "FROM":
                names_dataset = True
                following = tokens[index + 1 : index + 3]
                if following and following[0].kind == "word":
                    following = following[1:]  # FROM NAMED
                _check_graph(_resolve(following[0] if following else None, prefixes, base))
        elif token.kind == "punct":
            operators += token.text in OPERATORS
            if token.text in "{([" or token.text in ("<<", "<<(", "{|"):
                depth += 1
                if depth > limits.max_depth:
                    raise QueryRefused(
                        f"the query is nested too deeply (more than {limits.max_depth} levels)",
                        "too_deep",
                        depth=limits.max_depth,
                    )
            elif token.text in "})]" or token.text in (">>", ")>>", "|}"):
                depth -= 1
        if operators > limits.max_operators:
            raise QueryRefused(
                f"the query has too many operators and clauses (more than {limits.max_operators})",
                "too_complex",
                operators=limits.max_operators,
            )
    return form, names_dataset


def _resolve(token: _Token | None, prefixes: dict[str, str], base: str) -> str:
    if token is None:
        return ""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]) if base else token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix + ":")
        return namespace + local if namespace is not None else ""
    return ""


def check(text: str, limits: Limits) -> CheckedQuery:
    """Accept the query or raise ``QueryRefused``."""
    if not text.strip():
        raise QueryRefused("the query is empty", "empty")
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise QueryRefused(
            f"the query is too long (more than {limits.max_bytes} bytes)",
            "too_long",
            bytes=limits.max_bytes,
        )
    decoded = _decoded(text)  # what the engine parses: checked first, for the clearer refusal
    form, names_dataset = _scan(decoded, limits)
    if decoded != text:
        form = _scan(text, limits)[0] or form
    if form is None:
        raise QueryRefused(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", "not_query"
        )
    return CheckedQuery(text, form, names_dataset)
