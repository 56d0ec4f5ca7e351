"""`criteria impact`: on a demo catalogue, the services it lists are exactly those whose computed
placement (and the specialfunktion qualifications) change when the changed guide is then loaded
and checked; the store's reports are not touched by the impact run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue import Catalogue, load_knowledge
from catalogue.cli import main
from catalogue.compliance import check
from catalogue.criteria_impact import ImpactError, impact
from catalogue.namespaces import REPORT_GRAPHS
from tests.conftest import demo_catalogue_with

ROOT = Path(__file__).resolve().parent.parent


def outcomes(catalogue: Catalogue) -> tuple[dict[str, str | None], dict[tuple[str, str], bool]]:
    """Every service's computed placement and every qualification, from a forced full check."""
    placements: dict[str, str | None] = {}
    qualifications: dict[tuple[str, str], bool] = {}
    for c in check(catalogue.store, force=True):
        assert c.outcome is not None
        for verdict in c.outcome.verdicts:
            placements.setdefault(verdict.service.value, None)
        for service, level in c.outcome.placements.items():
            placements[service.value] = level.value
        for q in c.outcome.qualifications:
            qualifications[(q.service.value, q.function.value)] = q.meets
    return placements, qualifications


def reports(catalogue: Catalogue) -> set[tuple[str, str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object), q.graph_name.value)  # type: ignore[union-attr]
        for g in catalogue.store.graph_names()
        if g.value.startswith(REPORT_GRAPHS)
        for q in catalogue.store.quads(g)
    }


def threshold(text: str, guide: str, shape: str, value: int) -> str:
    text, n = re.subn(
        rf"(<shapes/guides/{guide}#{shape}> a sh:NodeShape ;.*?sk:minimum )\d+ ;",
        rf"\g<1>{value} ;",
        text,
        count=1,
        flags=re.S,
    )
    assert n == 1
    return text


@pytest.fixture
def draft_root(tmp_path: Path) -> Path:
    """A copy of the knowledge files with two changed guides (version 4): autism with a stricter
    moderat active practice and one method fewer in the list that counts; acquired brain injury
    with an unreachable highly specialised active practice (which its specialfunktioner use)."""
    root = tmp_path / "knowledge"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    autism = root / "shapes" / "guides" / "autisme.ttl"
    text = threshold(autism.read_text(), "autisme", "AktivPraksisModerat", 9)
    text, n = re.subn(r"<vocab/method/teacch> ,\n\s*", "", text, count=1)
    assert n == 1
    autism.write_text(text.replace('owl:versionInfo "3"', 'owl:versionInfo "4"'))
    brain = root / "shapes" / "guides" / "erhvervet-hjerneskade.ttl"
    text = threshold(brain.read_text(), "erhvervet-hjerneskade", "AktivPraksisHoej", 1000)
    brain.write_text(text.replace('owl:versionInfo "3"', 'owl:versionInfo "4"'))
    return root


@pytest.mark.parametrize(
    "guides",
    [  # both drafts together run in make test; each alone in make test-all
        pytest.param(["autisme"], marks=pytest.mark.slow),
        pytest.param(["erhvervet-hjerneskade"], marks=pytest.mark.slow),
        ["autisme", "erhvervet-hjerneskade"],
    ],
)
def test_impact_lists_exactly_what_loading_and_checking_the_draft_changes(
    draft_root: Path, guides: list[str]
) -> None:
    catalogue = demo_catalogue_with(60, 7)
    before_placements, before_qualified = outcomes(catalogue)
    stored = reports(catalogue)

    files = [draft_root / "shapes" / "guides" / f"{g}.ttl" for g in guides]
    found = impact(catalogue.store, files)
    assert found.replaced == [f"shapes/guides/{g}.ttl" for g in guides]
    assert reports(catalogue) == stored  # nothing written

    for other in {"autisme", "erhvervet-hjerneskade"} - set(guides):  # load only the given drafts
        shutil.copy(ROOT / "shapes" / "guides" / f"{other}.ttl", draft_root / "shapes" / "guides")
    load_knowledge(catalogue.store, draft_root)
    after_placements, after_qualified = outcomes(catalogue)
    changed = {
        s: (before_placements[s], after_placements.get(s))
        for s in before_placements
        if before_placements[s] != after_placements.get(s)
    }
    assert changed, "the draft should move some demo services (else this test proves nothing)"
    assert {p.service: (p.before, p.after) for p in found.placements} == changed
    qualification_changes = {
        k: (before_qualified.get(k, False), after_qualified.get(k, False))
        for k in set(before_qualified) | set(after_qualified)
        if before_qualified.get(k, False) != after_qualified.get(k, False)
    }
    if "erhvervet-hjerneskade" in guides:
        assert qualification_changes, "its specialfunktioner should lose qualified services"
    assert {(q.service, q.function): (q.before, q.after) for q in found.qualifications} == (
        qualification_changes
    )
    counts = found.counts()
    assert sum(r["placements"] for r in counts["regions"]) == len(changed)  # type: ignore[attr-defined, index]
    assert sum(lv["from"] for lv in counts["levels"]) == len(changed)  # type: ignore[attr-defined, index]


def test_impact_of_the_loaded_files_themselves_is_nothing() -> None:
    catalogue = demo_catalogue_with(30, 3)
    check(catalogue.store)
    found = impact(catalogue.store, [ROOT / "shapes" / "guides" / "synsnedsaettelse.ttl"])
    assert found.placements == [] and found.qualifications == []


def test_a_file_with_no_namesake_under_shapes_is_refused(tmp_path: Path) -> None:
    catalogue = demo_catalogue_with(30, 3)
    stray = tmp_path / "nyvejledning.ttl"
    stray.write_text("")
    with pytest.raises(ImpactError, match="no single knowledge file"):
        impact(catalogue.store, [stray])


def test_cli_json_has_placements_qualifications_and_counts(
    draft_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(store))
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    assert (
        runner.invoke(main, ["demo", "--providers", "30", "--seed", "7", "--load"]).exit_code == 0
    )
    result = runner.invoke(
        main,
        [
            "criteria",
            "impact",
            str(draft_root / "shapes" / "guides" / "autisme.ttl"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) >= {"placements", "qualifications", "counts"}
    for p in answer["placements"]:
        assert set(p) == {"service", "from", "to"} and p["from"] != p["to"]
    for q in answer["qualifications"]:
        assert set(q) == {"service", "function", "from", "to"} and q["from"] != q["to"]
