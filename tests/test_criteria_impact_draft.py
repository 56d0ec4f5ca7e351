"""The national board's draft page compares a draft with the version in force: a draft waiting in
drafts/shapes/guides/ against the loaded guide it would replace (not against no guide at all); a
loaded guide that is itself a draft, with nothing in force beside it, against the criteria without
it, and the page says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import Catalogue
from catalogue.browse.draft_impact import build, sections
from catalogue.config import knowledge_root
from catalogue.criteria_impact import draft_files, impact
from tests.test_criteria_impact_page import checked

__all__ = ["checked"]  # the page test's checked demo catalogue (20 providers), used here too

GUIDE = "https://specialekatalog.example/shapes/guides/autisme"
STRICTER = ('sk:minimumShare "0.25"^^xsd:decimal', 'sk:minimumShare "0.95"^^xsd:decimal')


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 4 of the autism guide: its shares of 0.25 raised to 0.95 (version 3 is loaded)."""
    folder = tmp_path_factory.mktemp("drafts")
    text = (knowledge_root() / "shapes/guides/autisme.ttl").read_text(encoding="utf-8")
    assert text.count(STRICTER[0]) >= 1 and 'owl:versionInfo "3"' in text
    text = text.replace(*STRICTER).replace('owl:versionInfo "3"', 'owl:versionInfo "4"')
    path = folder / "shapes/guides/autisme.ttl"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.timeout(900)
def test_a_waiting_draft_is_compared_with_the_loaded_version(
    checked: Catalogue, drafts: Path, tmp_path: Path
) -> None:
    store = checked.store
    (draft,) = draft_files(drafts)
    found = {d.guide.document: d for d in build(store, drafts)}
    autism = found[GUIDE]
    assert autism.guide.version == "4" and autism.current is not None
    assert autism.current.version == "3"  # the loaded version, not the absence of the guide
    against_current = impact(store, [draft])
    assert against_current.placements, "the stricter draft changes some placement"
    assert autism.impact.placements == against_current.placements  # from v2, to the draft
    assert autism.impact.qualifications == against_current.qualifications
    empty = tmp_path / "autisme.ttl"
    empty.write_bytes(b"")
    against_nothing = impact(store, [empty]).reversed()
    assert autism.impact.placements != against_nothing.placements  # the two comparisons differ

    others = [d for d in found.values() if d.guide.document != GUIDE]
    assert others and all(d.current is None for d in others)  # no version in force beside them

    (section,) = sections(store, [autism], "da", ("Opfylder ikke", "Opfylder"), "Ikke indplaceret")
    assert section.version == "4" and section.current == "3"
    first = against_current.placements[0]
    shown = section.placements[0]
    assert shown.service == first.service
    assert (shown.without == "Ikke indplaceret") == (first.before is None)  # the version in force
    assert (shown.with_draft == "Ikke indplaceret") == (first.after is None)  # the draft


def test_no_drafts_folder_means_no_waiting_drafts(tmp_path: Path) -> None:
    assert draft_files(tmp_path / "nowhere") == []
    assert draft_files() == []  # the repository keeps no drafts/ folder
