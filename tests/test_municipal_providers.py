"""Providers outside the socialtilsyn (SEL § 148 a): supervised by their municipality, without a
Tilbudsportalen id (key: CVR number and own reference), ambulant § 85 support. They import from
CSV and from RDF, meet the prerequisite through municipal supervision in good standing, qualify
for the visual-impairment pilot's § 85 specialfunktion where their data meet its criteria, and
their municipality's editor can decide their placement."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import Catalogue
from catalogue.cli import main
from catalogue.compliance import ProviderCheck, check
from catalogue.decisions import NewDecision, basis, record
from catalogue.demo import generate_rows, write_csv, write_turtle
from catalogue.demo.generator import Generator
from catalogue.demo.vocabulary import knowledge_vocabulary
from catalogue.editors import Editor, load_editors
from catalogue.importing import import_paths
from catalogue.namespaces import ID, PROVIDER_KEY, SK, VOCAB, provider_graph, provider_key
from tests.conftest import memory_catalogue

SEED = 7
COUNT = 200  # the first this many demo providers hold several municipal ones
AMBULANT = f"{ID}specialty-function/synsnedsaettelse-yderligere-ambulant-voksne"
STATUS = f"{SK}approvalStatus"


def municipal_indexes() -> list[int]:
    generator = Generator(knowledge_vocabulary(), SEED)
    return [i for i in range(COUNT) if generator.municipal(i)]


def imported(tmp_path: Path, fmt: str) -> tuple[Catalogue, list[ProviderCheck]]:
    """The first COUNT demo providers imported from a file in ``fmt`` and checked."""
    catalogue = memory_catalogue()
    if fmt == "csv":
        path = tmp_path / "providers.csv"
        text = io.StringIO()
        write_csv(text, COUNT, SEED)
        path.write_text(text.getvalue(), encoding="utf-8")
    else:
        path = tmp_path / "providers.ttl"
        data = io.BytesIO()
        write_turtle(data, COUNT, SEED)
        path.write_bytes(data.getvalue())
    result = import_paths(catalogue.store, [path], max_bytes=2**30)
    assert not [p for p in result.problems if p.severity == "error"], result.problems[:3]
    return catalogue, check(catalogue.store)


def test_keys_are_stable_and_cannot_collide_with_tilbudsportalen_ids() -> None:
    assert provider_key("123456") == "123456"
    assert provider_key(None, "12345678", "Syn-Vest-1") == "cvr12345678-syn-vest-1"
    assert provider_key(None, "12345678", "syn-vest-1") == "cvr12345678-syn-vest-1"
    for bad in (("12345678", ""), ("1234567", "ref"), ("12345678", "-ref"), ("12345678", "a/b")):
        with pytest.raises(ValueError):
            provider_key(None, *bad)
    assert PROVIDER_KEY.fullmatch("cvr12345678-syn-vest-1")
    assert not PROVIDER_KEY.fullmatch("12345678-syn")


def test_the_demo_has_ambulant_section_85_providers_under_municipal_supervision() -> None:
    indexes = municipal_indexes()
    assert len(indexes) >= 3
    rows = list(generate_rows(COUNT, SEED, knowledge_vocabulary()))
    for i in indexes:
        (row,) = rows[i]
        assert row["tpid"] == "" and row["own_ref"] and row["authority"] == ""
        assert row["supervising_municipality"] == row["municipality"]
        assert row["offer_types"] == "ambulant-tilbud" and row["legal_bases"] == "sel-85"


@pytest.mark.parametrize("fmt", ["csv", "ttl"])
def test_municipal_providers_import_conform_and_qualify_for_the_section_85_function(
    tmp_path: Path, fmt: str
) -> None:
    catalogue, checks = imported(tmp_path, fmt)
    municipal = [c for c in checks if c.tpid.startswith("cvr")]
    assert len(municipal) == len(municipal_indexes())
    assert all(c.conforms for c in municipal)  # fornøden kvalitet by municipal supervision
    qualified = [
        c
        for c in municipal
        for q in c.outcome.qualifications  # type: ignore[union-attr]
        if q.function.value == AMBULANT and q.meets
    ]
    assert qualified, "some municipal providers' data meet the § 85 function's criteria"
    # the same catalogue without the municipal supervision status: they no longer conform
    one = municipal[0].tpid
    graph = provider_graph(one)
    kept = [q.triple for q in catalogue.store.quads(graph) if q.predicate.value != STATUS]
    catalogue.store.replace_graphs({graph: kept})
    (again,) = check(catalogue.store, [one])
    assert again.conforms is False


def test_the_municipality_decides_the_placement_of_its_provider(tmp_path: Path) -> None:
    catalogue, checks = imported(tmp_path, "csv")
    placed = next(
        c for c in checks if c.tpid.startswith("cvr") and c.outcome and c.outcome.placements
    )
    service, level = next(iter(placed.outcome.placements.items()))  # type: ignore[union-attr]
    found = basis(catalogue.store, service.value, "da")
    assert found is not None and found.tpid == placed.tpid
    assert found.authority is not None and found.authority.iri.startswith(f"{VOCAB}municipality/")
    editor = Editor("kommune", found.authority.iri.rsplit("/", 1)[-1], "x")
    assert editor.authority_iri == found.authority.iri
    decision = NewDecision(
        service.value,
        level.value,
        editor.authority_iri,
        dt.date(2026, 3, 1),
        "Samlet vurdering: som beregnet.",
        found.guide_version or "2",
    )
    record(catalogue.store, decision, found, editor)
    decided = basis(catalogue.store, service.value, "da")
    assert decided is not None and decided.tpid == placed.tpid
    graphs = {g.value for g in catalogue.store.graph_names()}
    assert any(g.endswith(f"decisions/{placed.tpid}") for g in graphs)


def test_editor_add_takes_a_municipality_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editors = tmp_path / "editors.json"
    monkeypatch.setenv("SPECIALEKATALOG_EDITORS_FILE", str(editors))
    runner = CliRunner()
    ok = runner.invoke(main, ["editor", "add", "kommune", "--authority", "265", "--password", "pw"])
    assert ok.exit_code == 0, ok.output
    assert load_editors(editors)["kommune"].authority_iri == f"{VOCAB}municipality/265"
    bad = runner.invoke(main, ["editor", "add", "x", "--authority", "999", "--password", "pw"])
    assert bad.exit_code != 0
