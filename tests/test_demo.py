"""The demo generator: deterministic, consistent, spread over the country and the levels."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue import Catalogue
from catalogue.cli import main
from catalogue.demo import generate, generate_rows, write_csv, write_turtle
from catalogue.demo.vocabulary import knowledge_vocabulary
from catalogue.namespaces import PROVIDER_KEY, provider_key
from catalogue.store import canonical_hash

SK = "https://specialekatalog.example/ontology#"


def _rows(n: int, seed: int) -> list[dict[str, str]]:
    return [row for rows in generate_rows(n, seed, knowledge_vocabulary()) for row in rows]


def test_same_seed_same_providers_and_prefix_stable() -> None:
    assert _rows(20, 3) == _rows(20, 3)
    assert _rows(40, 3)[: len(_rows(20, 3))] == _rows(20, 3)
    assert _rows(20, 3) != _rows(20, 4)


def test_identifiers_are_unique_and_well_formed() -> None:
    providers = {
        provider_key(row["tpid"] or None, row["cvr"], row.get("own_ref")): row
        for row in _rows(500, 1)
    }
    assert len(providers) == 500
    assert len({row["cvr"] for row in providers.values()}) == 500
    assert all(len(row["cvr"]) == 8 and row["cvr"].isdigit() for row in providers.values())
    assert all(PROVIDER_KEY.fullmatch(key) for key in providers)
    # most have a Tilbudsportalen id; the § 148 a ones (municipal supervision) have none
    without = [row for row in providers.values() if not row["tpid"]]
    assert 0 < len(without) < 50
    assert all(row["supervising_municipality"] and not row["authority"] for row in without)


def test_counts_are_consistent() -> None:
    for row in _rows(300, 2):
        staff, three, five = int(row["staff"]), int(row["staff_3y"]), int(row["staff_5y"])
        assert 0 <= five <= three <= int(row["staff_relevant"]) <= staff
        assert 0 <= int(row["staff_educated"]) <= staff
        assert 0 <= int(row["staff_further"]) <= staff
        assert 0 <= int(row["staff_aids"]) <= staff
        assert 0 <= int(row["complex"]) <= int(row["citizens"])
        assert 0 <= float(row["turnover"].replace(",", ".")) <= 1


def test_spread_over_every_municipality_and_region() -> None:
    vocab = knowledge_vocabulary()
    rows = _rows(len(vocab.members("vocab/municipality")), 5)
    assert {row["municipality"] for row in rows} == {
        m.value.rsplit("/", 1)[-1] for m in vocab.members("vocab/municipality")
    }
    assert len({row["authority"] for row in rows if row["authority"]}) == len(
        vocab.members("vocab/supervisory-authority")
    )


def test_providers_serve_one_to_three_target_groups() -> None:
    per_provider = Counter(row["tpid"] or row["own_ref"] for row in _rows(200, 9))
    assert set(per_provider.values()) <= {1, 2, 3}
    assert len(set(per_provider.values())) == 3


def test_each_provider_has_its_own_graph_of_iris() -> None:
    for record in generate(30, 7):
        assert record.graph.value.endswith(f"/graph/provider/{record.tpid}")
        subjects = {t.subject for t in record.triples}
        assert all(isinstance(s, ox.NamedNode) for s in subjects)
        assert all(f"/id/provider/{record.tpid}" in s.value for s in subjects)


def test_turtle_and_csv_output_parse() -> None:
    turtle = io.BytesIO()
    write_turtle(turtle, 10, 7)
    parsed = {q.triple for q in ox.parse(turtle.getvalue(), ox.RdfFormat.TURTLE)}
    assert parsed == {t for record in generate(10, 7) for t in record.triples}
    text = io.StringIO()
    write_csv(text, 10, 7)
    lines = text.getvalue().splitlines()
    assert lines[0].startswith("Tilbuds-ID;Tilbudsnavn;")
    assert len(lines) == 1 + len(_rows(10, 7))


def test_cli_writes_to_stdout_and_loads_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["demo", "--providers", "3", "--seed", "7", "--format", "csv"])
    assert out.exit_code == 0 and out.output.startswith("Tilbuds-ID;")
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    args = ["demo", "--providers", "5", "--seed", "7", "--load", "--if-empty"]
    assert runner.invoke(main, args).exit_code == 0
    catalogue = Catalogue.open()
    first = canonical_hash(catalogue.store.quads())
    catalogue.close()
    assert runner.invoke(main, [*args[:2], "9", *args[3:]]).exit_code == 0
    catalogue = Catalogue.open()
    assert canonical_hash(catalogue.store.quads()) == first
    catalogue.close()


def test_demo_catalogue_fixture_holds_60_providers(demo_catalogue: Catalogue) -> None:
    rows = demo_catalogue.store.select(f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{SK}Provider> }}")
    assert int(rows[0]["n"].value) == 60


def test_demo_providers_pass_the_integrity_shapes() -> None:
    from catalogue.importing.problems import Problems
    from catalogue.importing.validation import validate

    problems = Problems("demo")
    validate(list(generate(150, 13)), problems)
    assert problems.items == []


@pytest.mark.slow
def test_pilots_reach_every_level_and_near_misses_occur() -> None:
    from catalogue.compliance.check import check
    from tests.conftest import demo_catalogue_with

    catalogue = demo_catalogue_with(150, 1)
    check(catalogue.store)
    placed = catalogue.store.select(
        f"SELECT ?group ?level WHERE {{ ?s <{SK}placedAt> ?level ; <{SK}targetGroup> ?group }}"
    )
    levels: dict[str, set[str]] = {}
    for row in placed:
        levels.setdefault(row["group"].value, set()).add(row["level"].value.rsplit("/", 1)[-1])
    pilots = [g for g in levels if any(p in g for p in ("9b3fd322", "d26f97e8", "615310e8"))]
    assert len(pilots) == 3
    assert all({"let", "moderat", "hoej"} <= levels[g] for g in pilots), levels
    near = catalogue.store.select(
        f"""SELECT ?s (COUNT(DISTINCT ?parameter) AS ?failing) WHERE {{
          ?s <{SK}placedAt> ?placed . ?placed <{SK}rank> ?rank .
          ?verdict <{SK}service> ?s ; <{SK}level> ?next ; <{SK}holds> false ;
                   <{SK}parameter> ?parameter .
          ?next <{SK}rank> ?nextRank FILTER(?nextRank = ?rank + 1)
        }} GROUP BY ?s"""
    )
    assert sum(1 for row in near if int(row["failing"].value) <= 2) >= 10


def test_writing_demo_files_reports_each_provider() -> None:
    steps: list[int] = []
    write_csv(io.StringIO(), 5, 3, progress=steps.append)
    write_turtle(io.BytesIO(), 4, 3, progress=steps.append)
    assert steps == [1] * 9
