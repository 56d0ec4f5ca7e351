"""Staff with relevant practical experience (sk:staffWithRelevantExperience, guides version 3).

The import column is optional, so a file written before it imports as before; given, it is mapped
and must hang together with the experience counts (5 years <= 3 years <= relevant <= staff).
Without it the lightly specialised practical-experience criterion counts the staff with 3 years'
experience, who are included among those with relevant experience (sk:includes in the guides).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
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
SERVICE = BASE + "id/provider/900101/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95"


def without_experience(row: int) -> bytes:
    """good.csv (no relevant-experience column) with no staff with 3 or 5 years' experience in
    data row ``row`` (1-based)."""
    header, *rows = GOOD.read_text(encoding="utf-8").splitlines()
    names = header.split(";")
    cells = rows[row - 1].split(";")
    for column in ("Medarbejdere med 3 års erfaring", "Medarbejdere med 5 års erfaring"):
        cells[names.index(column)] = "0"
    rows[row - 1] = ";".join(cells)
    return "\n".join([header, *rows]).encode()


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


def _let_results(store: EmbeddedStore) -> set[str]:
    """Focus nodes of the autism guide's let practical-experience criterion in a fresh check."""
    results = (r for c in check(store, force=True) for r in c.results)
    return {r.focus.value for r in results if r.shape.value == BASE + LET}


def test_an_old_file_counts_the_staff_with_3_years_for_the_let_criterion() -> None:
    # the first row (autism) has 12 staff with 3 years' experience and no relevant-experience column
    store = EmbeddedStore()
    load_knowledge(store)
    assert import_paths(store, [GOOD], max_bytes=LIMIT).ok
    assert [q for q in store.quads() if q.predicate == RELEVANT] == []
    assert _let_results(store) == set()


def test_an_old_file_without_experienced_staff_misses_the_let_criterion() -> None:
    store = EmbeddedStore()
    load_knowledge(store)
    result = import_data(store, [("old.csv", without_experience(1))], max_bytes=LIMIT)
    assert result.ok, [str(p) for p in result.problems]
    assert _let_results(store) == {SERVICE}


def test_a_given_count_of_0_misses_the_let_criterion() -> None:
    # 0 with relevant experience (then 0 with 3 years too, by integrity) is evidence, not a gap
    store = EmbeddedStore()
    load_knowledge(store)
    old = without_experience(1).decode().splitlines()
    new = [f"{old[0]};{COLUMN}", f"{old[1]};0", f"{old[2]};4", f"{old[3]};3"]
    assert import_data(store, [("new.csv", "\n".join(new).encode())], max_bytes=LIMIT).ok
    assert _let_results(store) == {SERVICE}


def test_the_gap_shows_the_figures_the_criterion_counted() -> None:
    # no relevant-experience count: the gap's figure is the 3-year count it includes, against 1
    store = EmbeddedStore()
    load_knowledge(store)
    assert import_data(store, [("old.csv", without_experience(1))], max_bytes=LIMIT).ok
    check(store, force=True)
    rows = queries.run(store, "compliance_gaps", service=ox.NamedNode(SERVICE), lang="en")
    gap = [r for r in rows if r["shape"].value == BASE + LET]
    assert [(r["evidence"].value, r["found"].value, r["needed"].value) for r in gap] == [
        (RELEVANT.value, "0", "1")
    ]
