"""Staff with relevant practical experience (sk:staffWithRelevantExperience, guides version 3).

The import column is optional, so a file written before it imports as before; given, it is mapped
and must hang together with the experience counts (5 years <= 3 years <= relevant <= staff).
Without it a service does not meet the lightly specialised practical-experience criterion.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from catalogue.compliance import check
from catalogue.importing import import_data, import_paths
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE
from catalogue.store import EmbeddedStore

GOOD = Path(__file__).parent / "data" / "import" / "good.csv"
LIMIT = 2**20
COLUMN = "Medarbejdere med relevant praksiserfaring"
RELEVANT = ox.NamedNode(BASE + "ontology#staffWithRelevantExperience")
LET = "shapes/guides/autisme#PraksiserfaringLet"


def with_column(values: list[str]) -> bytes:
    """good.csv with the relevant-experience column added at the end, one value per row."""
    header, *rows = GOOD.read_text(encoding="utf-8").splitlines()
    assert COLUMN not in header and len(rows) == len(values)
    lines = [f"{header};{COLUMN}"] + [f"{r};{v}" for r, v in zip(rows, values, strict=True)]
    return "\n".join(lines).encode()


def test_a_file_without_the_column_imports_and_has_no_value() -> None:
    store = EmbeddedStore()
    result = import_paths(store, [GOOD], max_bytes=LIMIT)
    assert result.ok, [str(p) for p in result.problems]
    assert [q for q in store.quads() if q.predicate == RELEVANT] == []


def test_the_column_is_mapped() -> None:
    store = EmbeddedStore()
    result = import_data(store, [("new.csv", with_column(["15", "4", "3"]))], max_bytes=LIMIT)
    assert result.ok, [str(p) for p in result.problems]
    assert sorted(q.object.value for q in store.quads() if q.predicate == RELEVANT) == [
        "15",
        "3",
        "4",
    ]


def test_fewer_with_relevant_experience_than_with_3_years_is_refused() -> None:
    # the first row has 12 staff with 3 years' experience
    result = import_data(
        EmbeddedStore(), [("bad.csv", with_column(["11", "4", "3"]))], max_bytes=LIMIT
    )
    assert not result.ok and result.written == 0
    rules = {(p.rule, p.line) for p in result.problems if p.severity == "error"}
    assert ("TargetGroupService-staffWith3YearsExperience-relevantExperience", 2) in rules


def test_without_relevant_experience_the_let_criterion_fails() -> None:
    store = EmbeddedStore()
    load_knowledge(store)
    assert import_data(store, [("new.csv", with_column(["15", "4", "3"]))], max_bytes=LIMIT).ok
    before = {r.shape.value for c in check(store, force=True) for r in c.results}
    assert BASE + LET not in before
    import_paths(store, [GOOD], max_bytes=LIMIT)  # the same providers, without the column
    after = {r.shape.value for c in check(store, force=True) for r in c.results}
    assert BASE + LET in after
