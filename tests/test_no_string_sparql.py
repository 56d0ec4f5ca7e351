"""No SPARQL is built with f-strings, ``%`` or ``str.format`` in catalogue/ and webapp/ (STYLE.md 4,
THREATS.md A8): values are bound, never formatted into query text.

The one reviewed exception is the store's own serialisation of update data and of parameter
values for a remote server (``catalogue/store/``), where every term is written by pyoxigraph's
serialiser; it is listed below by function, so a new place that formats SPARQL fails this test
until it is reviewed and listed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("catalogue", "webapp")
SPARQL = re.compile(
    r"\b(SELECT\s+(DISTINCT|REDUCED|\*|\?|\$|\()|WHERE\s*\{|ASK\s*\{|CONSTRUCT\s*(\{|WHERE)"
    r"|DESCRIBE\s+[?<$*]|(INSERT|DELETE)\s+(DATA|WHERE|\{)|PREFIX\s+[\w-]*:|GRAPH\s*[?$<{]"
    r"|FILTER\s*\(|VALUES\s*[?$(]|OPTIONAL\s*\{|UNION\s*\{|LOAD\s+<|(DROP|CLEAR)\s+"
    r"(GRAPH|ALL|SILENT|DEFAULT|NAMED))"
)
ALLOWED = {
    # The reviewed exception: the store serialises update data (and, in binding.py, parameter
    # values for a remote server); every term is written by pyoxigraph's own serialiser.
    ("catalogue/store/common.py", "replace_update"),
    ("catalogue/store/common.py", "changes_update"),  # the triples as the store dumped them
    ("catalogue/store/remote.py", "_insert"),
    ("catalogue/store/remote.py", "add"),
    # The compliance fast path compiles the vendored shapes to SPARQL: it pre-binds parameter
    # values from the shapes graph (written by pyoxigraph's serialiser, SHACL 1.0 section 5.2.1),
    # inserts focus patterns built from the shapes' targets and joins validators into UNIONs
    # (``branch``: the values of joined parameters in a VALUES block, written the same way). No
    # visitor-supplied value reaches these texts.
    ("catalogue/compliance/compiler.py", "branch"),
    ("catalogue/compliance/compiler.py", "declarations"),
    ("catalogue/compliance/fastpath.py", "query"),
    ("catalogue/compliance/fastpath.py", "focus_query"),
    ("catalogue/compliance/fastpath.py", "live"),  # the focus patterns of the compiled shapes
    ("catalogue/compliance/fastpath.py", "_pairs"),
    ("catalogue/compliance/compiler.py", "value_focus"),
    ("catalogue/compliance/paths.py", "values"),
    # sh:closed: the allowed predicates are the IRIs of the shape's property paths and of
    # sh:ignoredProperties in the vendored shapes graph, each written by pyoxigraph's serialiser.
    ("catalogue/compliance/compiler.py", "_closed"),
    # An ASK validator of a constraint component in the vendored shapes graph, turned into the
    # SELECT of its failing value nodes (its group in FILTER NOT EXISTS); checked by safety.py.
    ("catalogue/compliance/compiler.py", "_ask"),
}


def _constant_text(node: ast.AST) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def formatted_strings(tree: ast.AST) -> list[tuple[str, int, str]]:
    """(enclosing function, line, text) of every f-string, ``%`` or ``.format`` on a string."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in node.values
        ):
            found.append((function, node.lineno, _constant_text(node)))
            return
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            found.append((function, node.lineno, _constant_text(node.left)))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            found.append((function, node.lineno, _constant_text(node.func.value)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def offenders() -> list[str]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function, line, text in formatted_strings(tree):
                if SPARQL.search(text) and (relative, function) not in ALLOWED:
                    out.append(f"{relative}:{line} in {function}(): {text[:60]!r}")
    return out


def test_no_sparql_is_built_by_string_formatting() -> None:
    assert offenders() == []


def test_the_allow_list_is_still_needed() -> None:
    """Every allowed place still formats SPARQL; remove entries that no longer do."""
    used = set()
    present = {(relative, function) for relative, function in ALLOWED if (ROOT / relative).exists()}
    for relative, function in present:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        if any(f == function and SPARQL.search(t) for f, _, t in formatted_strings(tree)):
            used.add((relative, function))
    assert used == present


def test_the_check_catches_the_forms_it_is_meant_to_catch() -> None:
    sample = ast.parse(
        "def f(v):\n"
        "    a = f'SELECT ?s WHERE {{ ?s ?p \"{v}\" }}'\n"
        "    b = 'SELECT ?s WHERE { ?s ?p \"%s\" }' % v\n"
        "    c = 'ASK {{ <{}> ?p ?o }}'.format(v)\n"
        "    d = f'Hello {v}'\n"
    )
    hits = [line for _, line, text in formatted_strings(sample) if SPARQL.search(text)]
    assert hits == [2, 3, 4]
