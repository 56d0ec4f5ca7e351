"""Which SHACL-SPARQL validators the fast path may evaluate for all focus nodes at once.

SHACL pre-binds ``$this`` to one focus node at a time; the fast path instead joins the set of all
focus nodes in at the start of the validator's outermost group. The two give the same answers only
when every use of ``$this`` sees the joined value, which holds for this form (the rules in
shapes/components.ttl):

- ``$this`` occurs in the outermost group, in an OPTIONAL group directly inside it, or inside
  ``EXISTS`` / ``NOT EXISTS`` groups nested in those; never in BIND outside the outermost group,
  and it is never bound by ``AS``;
- no sub-SELECT, VALUES, MINUS, SERVICE or GRAPH (they are evaluated apart from the join), no
  LIMIT or OFFSET (they would cut across focus nodes);
- with aggregates, ``$this`` is among the GROUP BY variables (one group per focus node), and only
  aggregates a repeated row does not change: COUNT(DISTINCT ...), MIN, MAX, SAMPLE (the store's
  union default graph repeats a triple held by two named graphs; pyshacl's data graph is a set).

``unsafe`` returns why a validator is outside that form (``None``: safe). It reads the query text
with a small scanner, not a parser; a form it does not recognise is refused, never guessed.
``ask_group`` reads the group graph pattern of an ASK validator, which the compiler turns into a
SELECT (the value nodes for which the group has no solution); ``$value`` must then follow the
rules above for ``$this`` too (it is joined in the same way).

``joinable`` tells whether a parameter's variable may be joined in the same way instead of being
substituted (``fastpath`` then runs the constraints that differ only in such values as one
pattern with a VALUES block): every use is where a use of ``$this`` may be, and the outermost
query neither aggregates nor groups, orders or cuts its solutions (they would mix constraints).
"""

from __future__ import annotations

import re
from functools import cache

_TOKENS = r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<comment>\#[^\n]*)
      | (?P<this>[$?]NAME\b)
      | (?P<var>[$?][A-Za-z_0-9]\w*)
      | (?P<pname>[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]+)
      | (?P<word>[A-Za-z_]+)
      | (?P<open>\{) | (?P<close>\}) | (?P<paren>[()])"""


@cache
def _tokens(name: str) -> re.Pattern[str]:
    """The scanner's tokens, with the uses of the variable ``name`` as the ``this`` kind."""
    return re.compile(_TOKENS.replace("NAME", re.escape(name)), re.VERBOSE)


_TOKEN = _tokens("this")
_FORBIDDEN = {"VALUES", "MINUS", "SERVICE", "GRAPH", "LIMIT", "OFFSET"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_REPEAT_SENSITIVE = {"SUM", "AVG", "GROUP_CONCAT"}
# what the outermost query of a joined parameter must not use unless it has a GROUP BY (ORDER:
# in any case; _CUTTING: anywhere): the constraints joined in one query would be aggregated,
# ordered or cut together
_OUTERMOST = _AGGREGATES | {"GROUP", "HAVING", "ORDER"}
_CUTTING = {"LIMIT", "OFFSET"}


def unsafe(select: str) -> str | None:
    """Why the validator cannot be joined with all focus nodes at once, or None."""
    return _scan(select, "this", whole=True)


def joinable(select: str, name: str) -> bool:
    """Whether the variable ``name`` (a parameter's) may be joined in at the start of the
    outermost group of ``select`` instead of being substituted, with the same answers (when
    the outermost query groups, the joined variables are added to its GROUP BY: see
    ``group_by``)."""
    return _scan(select, name, whole=False) is None


def group_by(select: str) -> int | None:
    """Where the variables of the outermost query's GROUP BY start (an index into ``select``),
    or None if it has none."""
    depth = 0
    previous = ""
    for match in _TOKEN.finditer(select):
        kind, text = match.lastgroup, match.group()
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            if previous == "GROUP" and text.upper() == "BY":
                return match.end()
            previous = text.upper()
    return None


def _scan(select: str, name: str, whole: bool) -> str | None:
    """Why ``name`` cannot be joined in (``whole``: with the rules on the whole query that make
    the join of all focus nodes exact; else a parameter's, for which only its own uses and how
    the outermost query treats its solutions matter), or None."""
    stack: list[str] = []  # the kind of each open group: WHERE, OPTIONAL, EXISTS, GROUP
    previous = ""
    selects = 0
    bind_depth: int | None = None  # parenthesis depth of an open BIND (...)
    parens = 0
    aggregates = False
    group_by_this = False
    after_group_by = False
    grouped = not whole and group_by(select) is not None
    past_group_by = False  # in the outermost query's GROUP BY or HAVING
    for match in _tokens(name).finditer(select):
        kind, text = match.lastgroup, match.group()
        if kind in ("string", "iri", "comment", "var", "pname"):
            continue
        if kind == "word":
            word = text.upper()
            if not whole:
                outermost = not stack and (word == "ORDER" or not grouped)
                if outermost and word in _OUTERMOST or word in _CUTTING:
                    return f"its outermost query uses {word}"
            elif word in _FORBIDDEN:
                return f"uses {word}"
            if word == "SELECT":
                selects += 1
                if selects > 1 and whole:
                    return "has a sub-SELECT"
            if word in _AGGREGATES:
                aggregates = True
            if word in _REPEAT_SENSITIVE:
                return f"uses {word}, which a triple repeated in two graphs would change"
            if word == "COUNT" and not re.match(r"\s*\(\s*DISTINCT\b", select[match.end() :], re.I):
                return "uses COUNT without DISTINCT (a repeated triple would change it)"
            if word == "AS" and select[match.end() :].lstrip().startswith(("?this", "$this")):
                return "binds $this with AS"
            if word == "BIND" and bind_depth is None:
                bind_depth = parens
            past_group_by = past_group_by or (previous == "GROUP" and word == "BY" and not stack)
            after_group_by = (previous == "GROUP" and word == "BY") or (
                after_group_by and word not in ("HAVING", "ORDER")
            )
            previous = word
            continue
        if kind == "paren":
            parens += 1 if text == "(" else -1
            if bind_depth is not None and parens == bind_depth:
                bind_depth = None
            continue
        if kind == "open":
            opener = {"WHERE": "WHERE", "OPTIONAL": "OPTIONAL", "EXISTS": "EXISTS"}.get(previous)
            stack.append(opener or ("WHERE" if not stack else "GROUP"))
            previous = ""
            continue
        if kind == "close":
            if stack:
                stack.pop()
            previous = ""
            continue
        # a use of the variable
        if after_group_by:
            group_by_this = True
        if not stack:
            if whole or past_group_by:
                continue  # the projection, or (a parameter's) GROUP BY or HAVING
            return f"uses ${name} in the projection"
        if not re.fullmatch(r"WHERE(OPTIONAL)?(EXISTS)*", "".join(stack)):
            return f"uses ${name} in a nested group other than OPTIONAL or EXISTS"
        if bind_depth is not None and len(stack) > 1:
            return f"uses ${name} in BIND outside the outermost group"
    if not whole:
        return None
    if aggregates and not group_by_this:
        return "aggregates without $this among the GROUP BY variables"
    return None


_ASK = re.compile(r"(?:\s|\#[^\n]*)*ASK\s*(WHERE\s*)?(?=\{)", re.IGNORECASE)


def ask_group(ask: str) -> str:
    """The group graph pattern of an ASK query, braces included: the query must be ``ASK
    [WHERE] { ... }`` and nothing else (no PREFIX or BASE, dataset clause, solution modifier or
    VALUES after the group). Raises ValueError naming what is not of that form."""
    head = _ASK.match(ask)
    if head is None:
        raise ValueError("is not of the form ASK { ... } (no PREFIX, BASE or FROM)")
    depth = 0
    for match in _TOKEN.finditer(ask, head.end()):
        if match.lastgroup == "open":
            depth += 1
        elif match.lastgroup == "close":
            depth -= 1
            if depth == 0:
                if _code(ask[match.end() :]).strip():
                    raise ValueError("has a solution modifier or VALUES after its group")
                return ask[head.end() : match.end()]
    raise ValueError("has unbalanced braces")


def _code(text: str) -> str:
    """The text without its comments."""
    return _TOKEN.sub(lambda m: "" if m.lastgroup == "comment" else m.group(), text)
