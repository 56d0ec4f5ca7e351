"""Need figures from a CSV file per planning year (catalogue/need.py): loaded by the command line
and as a knowledge file, every bad line named by file, line and rule with nothing written; and the
demo catalogue's illustrative need figures and near misses, non-trivial in every region at 300
providers."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import Catalogue, Settings, need, planning
from catalogue.browse.concepts import scheme, specialty_plan
from catalogue.cli import main
from catalogue.compliance import check
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE, VOCAB
from tests.conftest import demo_catalogue_with, memory_catalogue

ROOT = Path(__file__).resolve().parent.parent
AUTISM = "autisme-udviklingshaemning-voksne"
GOOD = f"""function;region;places;source;illustrative
{AUTISM};1081;12;Region Nordjyllands rammeaftale 2028 (testtal);nej
{AUTISM};1084;40;Region Hovedstadens rammeaftale 2028 (testtal);ja
"""
BAD = f"""function,region,places,source,illustrative
{AUTISM},1081,12,Rammeaftale,nej
ikke-en-funktion,1081,3,Rammeaftale,nej
{AUTISM},1086,3,Rammeaftale,nej
{AUTISM},1082,tre,Rammeaftale,nej
{AUTISM},1083,4,,måske
{AUTISM},1081,5,Rammeaftale,nej
"""


@pytest.fixture(scope="module")
def catalogue() -> Iterator[Catalogue]:
    catalogue = memory_catalogue()
    yield catalogue
    catalogue.close()


def figures(store: object, year: int) -> dict[str, tuple[int, bool]]:
    return {
        f.region.rsplit("/", 1)[-1]: (f.needed, f.illustrative)
        for f in planning._need_supply(store)  # type: ignore[arg-type]
        if f.year == year and f.function.endswith(AUTISM)
    }


def test_a_csv_file_loads_its_year_and_replaces_it_whole(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "2028.csv"
    path.write_text(GOOD, encoding="utf-8")
    loaded = need.load_file(catalogue.store, path)
    assert len(loaded) == 2
    assert figures(catalogue.store, 2028) == {"1081": (12, False), "1084": (40, True)}
    path.write_text(GOOD.splitlines()[0] + "\n" + GOOD.splitlines()[1] + "\n", encoding="utf-8")
    need.load_file(catalogue.store, path)
    assert figures(catalogue.store, 2028) == {"1081": (12, False)}


def test_every_bad_line_is_named_by_file_line_and_rule_and_nothing_is_written(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "2029.csv"
    path.write_text(BAD, encoding="utf-8")
    before = catalogue.store.generation
    with pytest.raises(need.NeedError) as raised:
        need.load_file(catalogue.store, path)
    found = {(p.file, p.line, p.rule) for p in raised.value.problems}
    assert found == {
        ("2029.csv", 3, "specialfunktion"),
        ("2029.csv", 4, "region"),
        ("2029.csv", 5, "pladser"),
        ("2029.csv", 6, "kilde"),
        ("2029.csv", 6, "illustrativ"),
        ("2029.csv", 7, "dublet"),
    }
    assert "2029.csv: linje/line 4: region: [region]" in str(raised.value)
    assert catalogue.store.generation == before
    assert figures(catalogue.store, 2029) == {}


def test_a_file_without_the_columns_or_a_year_is_refused(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "2030.csv"
    path.write_text("funktion;region;pladser\n", encoding="utf-8")
    with pytest.raises(need.NeedError, match=r"\[kolonner\]"):
        need.load_file(catalogue.store, path)
    undated = tmp_path / "behov.csv"
    undated.write_text(GOOD, encoding="utf-8")
    with pytest.raises(need.NeedError, match=r"\[aar\]"):
        need.load_file(catalogue.store, undated)
    need.load_file(catalogue.store, undated, year=2031)
    assert figures(catalogue.store, 2031) == {"1081": (12, False), "1084": (40, True)}


def test_a_csv_knowledge_file_loads_with_the_turtle_and_a_bad_one_writes_nothing(
    tmp_path: Path,
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "ontology/need").mkdir(exist_ok=True)
    (root / "ontology/need/2032.csv").write_text(GOOD, encoding="utf-8")
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    try:
        report = load_knowledge(catalogue.store, root)
        assert "ontology/need/2032.csv" in report.loaded
        assert figures(catalogue.store, 2032) == {"1081": (12, False), "1084": (40, True)}
        # the CSV file gives 2032: a second source for the year is refused
        with pytest.raises(need.NeedError, match="ontology/need/2032"):
            need.write(catalogue.store, 2032, [])
        (root / "ontology/need/2032.csv").write_text(BAD, encoding="utf-8")
        with pytest.raises(need.NeedError, match="linje/line 3"):
            load_knowledge(catalogue.store, root)
        assert figures(catalogue.store, 2032) == {"1081": (12, False), "1084": (40, True)}
    finally:
        catalogue.close()


def test_the_command_line_loads_a_year_or_lists_the_problems(tmp_path: Path) -> None:
    env = {"SPECIALEKATALOG_STORE": str(tmp_path / "store")}
    runner = CliRunner()
    assert runner.invoke(main, ["load"], env=env).exit_code == 0
    (tmp_path / "2028.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "2029.csv").write_text(BAD, encoding="utf-8")
    done = runner.invoke(main, ["need", "load", str(tmp_path / "2028.csv")], env=env)
    assert done.exit_code == 0, done.output
    assert "2 need figures loaded" in done.output
    refused = runner.invoke(main, ["need", "load", str(tmp_path / "2029.csv")], env=env)
    assert refused.exit_code == 1
    assert "2029.csv: linje/line 5: places: [pladser]" in refused.output
    assert "nothing loaded" in refused.output


@pytest.fixture(scope="module")
def demo_300() -> Iterator[Catalogue]:
    catalogue = demo_catalogue_with(300, 1)
    check(catalogue.store)
    yield catalogue
    catalogue.close()


def test_the_demo_has_near_misses_for_every_function_in_every_region(demo_300: Catalogue) -> None:
    store = demo_300.store
    regions = scheme(store, str(VOCAB["region"]), "da")
    functions = [f for s in specialty_plan(store, "da") for f in s.functions]
    assert len(regions) == 5 and len(functions) == 10
    for function in functions:
        misses, _ = planning.near_miss_services(store, function.iri, "da")
        where = Counter(m.region for m in misses)
        assert all(where[r.iri] >= 1 for r in regions), (function.code, where)
        ranked = {g.region.iri for g in planning.development(store, function, regions, "da")}
        assert ranked == {r.iri for r in regions}, function.code


def test_the_demo_need_figures_follow_the_catalogue_with_regions_short_and_covered(
    demo_300: Catalogue,
) -> None:
    found = planning.need_supply(demo_300.store)
    assert len(found) == 50 and all(f.illustrative and f.year == 2027 for f in found)
    by_function: dict[str, list[planning.NeedSupply]] = {}
    for f in found:
        by_function.setdefault(f.function, []).append(f)
    for function, rows in by_function.items():
        assert function.startswith(BASE)
        assert sum(r.short for r in rows) >= 2, function  # the deliberately short regions
    assert sum(not f.short for f in found) >= 10  # and covered regions
