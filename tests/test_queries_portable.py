"""Every named query written with LATERAL has a SPARQL 1.1 form (queries/portable/) with the same
answers, and the catalogue picks the form by what the store's engine evaluates."""

from __future__ import annotations

from collections import Counter
from itertools import islice

import pytest

from catalogue import Catalogue, queries
from catalogue.store import Row, Store

LATERAL_QUERIES = sorted(n for n, q in queries.registry().items() if queries.uses_lateral(q.text))


def _bag(rows: list[Row]) -> Counter[tuple[tuple[str, str], ...]]:
    return Counter(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def _values(store: Store, query: str, name: str) -> list[str]:
    return sorted({str(row[name].value) for row in store.select(query) if name in row})


def _params(store: Store, name: str) -> list[dict[str, str]]:
    """Parameter sets that reach real data in the checked demo catalogue."""
    sk = "PREFIX sk: <https://specialekatalog.example/ontology#> "
    functions = _values(store, sk + "SELECT ?f WHERE { ?f a sk:SpecialtyFunction }", "f")
    regions = _values(store, sk + "SELECT ?r WHERE { ?r a sk:Region }", "r")
    services = _values(store, sk + "SELECT ?s WHERE { ?s sk:placedAt ?l }", "s")
    levels = _values(store, sk + "SELECT ?l WHERE { ?s sk:placedAt ?l }", "l")
    if name in ("browse_function_providers", "compliance_function_providers"):
        return [{"function": f, "lang": "da"} for f in functions] + [
            {"function": f, "lang": "en"} for f in functions[:3]
        ]
    if name == "compliance_level_counts":
        return [{"region": r, "lang": lang} for r in regions for lang in ("da", "en")]
    if name == "compliance_evidence":
        return [
            {"service": s, "level": level, "lang": lang}
            for s in islice(services, 0, len(services), max(1, len(services) // 3))
            for level in levels
            for lang in ("da", "en")
        ]
    if name == "competence_gaps":
        pairs = store.select(
            sk + "SELECT ?s ?f WHERE { ?q sk:missingCriteria ?m ; sk:service ?s ; "
            "sk:specialtyFunction ?f FILTER(?m > 0) } ORDER BY ?s ?f LIMIT 12"
        )
        return [
            {"service": r["s"].value, "function": r["f"].value, "lang": lang}
            for r in pairs
            for lang in ("da", "en")
        ]
    return [{}]


def test_the_lateral_queries_are_the_known_ones() -> None:
    assert LATERAL_QUERIES == [
        "browse_function_providers",
        "capacity_by_region",
        "competence_gaps",
        "compliance_evidence",
        "compliance_function_providers",
        "compliance_level_counts",
    ]


@pytest.mark.parametrize("name", LATERAL_QUERIES)
def test_portable_form_gives_the_same_answers(checked_catalogue: Catalogue, name: str) -> None:
    store = checked_catalogue.store
    query = queries.get(name)
    assert query.portable and not queries.uses_lateral(query.portable)
    known = {p.name for p in query.params}
    answered = 0
    for params in _params(store, name):
        bindings = query.bindings({k: v for k, v in params.items() if k in known})
        lateral = store.select(query.text, bindings)
        portable = store.select(query.portable, bindings)
        assert _bag(portable) == _bag(lateral), params
        answered += bool(lateral)
    assert answered > 0  # the comparison reached data, not only empty answers


class _WithoutLateral:
    """The checked store as an engine without LATERAL would present it."""

    lateral = False

    def __init__(self, store: Store) -> None:
        self._store = store

    def select(self, query: str, bindings: object = None) -> list[Row]:
        if queries.uses_lateral(query):
            raise AssertionError("a LATERAL query reached an engine without it")
        return self._store.select(query, bindings)  # type: ignore[arg-type]


def test_the_catalogue_picks_the_form_by_the_store(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    assert store.lateral
    rows = queries.run(store, "capacity_by_region")
    assert rows
    without = _WithoutLateral(store)
    assert _bag(queries.run(without, "capacity_by_region")) == _bag(rows)  # type: ignore[arg-type]
