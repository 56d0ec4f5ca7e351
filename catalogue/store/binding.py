"""Values for a query's parameters, written into the query text for a remote SPARQL server.

The embedded store hands parameters to Oxigraph as ``substitutions``: the variable is bound at the
top of the query, and the planner treats it as a constant everywhere in the query's own scope
(filters inside ``OPTIONAL`` included). A ``VALUES`` block joined at the top gives the same answers,
but the server's planner does not see a constant: the criteria of one specialfunktion took 2.4 s
that way and 44 ms with the value in the text (1,000 providers; 37-50 s for the specialfunktion
page at 10,000 providers over the Oxigraph server).

So the value goes into the text, with the meaning of ``substitutions`` kept:

- ``BIND(<term> AS ?name)`` opens the outermost group, so the variable is still bound for the
  projection, ``GROUP BY``, ``ORDER BY``, a ``CONSTRUCT`` template and ``SELECT *``;
- each ``?name`` (or ``$name``) of the query's own scope inside that group becomes the term;
- in an update (``DELETE``/``INSERT`` ... ``WHERE``) the templates keep the variable too, bound
  from the ``WHERE`` group;
- a nested ``{ SELECT ... }`` keeps its own variables (a subquery has its own scope; its answers
  are joined on what it projects), and so does the right side of ``MINUS`` (it removes solutions
  by their shared variables; a constant there would share none).

The text is cut into the SPARQL grammar's terminals (``catalogue.sparql.guard``), so strings, IRIs
and comments are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

Bindings = Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]


# Query forms whose first group is the pattern; in CONSTRUCT and updates it is a template, and the
# pattern is the group after WHERE.
GROUP_FIRST = ("SELECT", "ASK", "DESCRIBE")


class BindingError(ValueError):
    """The query has no group to bind values in."""


def bind_values(query: str, bindings: Bindings) -> str:
    """``query`` with each bound variable given its value in the text (see the module docstring)."""
    if not bindings:
        return query
    # the grammar's terminals, as the public query guard cuts them (imported here: the sparql
    # package imports the named queries, which import the store)
    from catalogue.sparql.guard import _tokens as sparql_tokens

    terms = {name: str(term) for name, term in bindings.items()}
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in text order
    opened: int | None = None  # where the outermost group's content begins
    form = ""
    depth = 0
    kept_from: int | None = None  # depth of a subquery or MINUS group that keeps its own scope
    previous = ""
    for token in sparql_tokens(query):
        text = token.text.upper() if token.kind == "word" else token.text
        if not form and text in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "INSERT", "DELETE"):
            form = text
        if text == "{":
            depth += 1
            if opened is None and depth == 1 and (form in GROUP_FIRST or previous == "WHERE"):
                opened = token.position + 1
            elif opened is not None and kept_from is None and previous == "MINUS":
                kept_from = depth
        elif text == "}":
            if kept_from == depth:
                kept_from = None
            depth -= 1
        elif text == "SELECT" and depth > 0 and kept_from is None:
            kept_from = depth  # ``{ SELECT ...}``: the subquery's scope ends with its group
        elif (
            token.kind == "var"
            and opened is not None
            and depth > 0
            and kept_from is None
            and token.text[1:] in terms
            and previous != "AS"
        ):
            edits.append((token.position, token.position + len(token.text), terms[token.text[1:]]))
        previous = text
    if opened is None:
        raise BindingError("a query with parameters needs a WHERE clause")
    binds = "".join(f" BIND({term} AS ?{name})" for name, term in terms.items())
    edits.insert(0, (opened, opened, binds + " "))
    edits.sort(key=lambda edit: edit[0])
    parts, last = [], 0
    for start, end, text in edits:
        parts.append(query[last:start])
        parts.append(text)
        last = end
    parts.append(query[last:])
    return "".join(parts)
