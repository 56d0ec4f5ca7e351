"""Providers under municipal supervision (SEL § 148 a) have no Tilbudsportalen id: their key is
cvr{CVR}-{own reference}. Everything that lists or links providers goes by that key, never by
sk:tilbudsportalenId: the check's summary, ``check --specialty-function``, the provider page's
decision button for the municipality's editor, the decision form and the decision's own page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from catalogue import Catalogue, Settings
from catalogue.compliance import ProviderCheck, scope
from catalogue.compliance.output import summarise
from catalogue.decisions import NewDecision, basis, record
from catalogue.editors import Editor, add_editor
from tests.test_editing import PASSWORD, signed_in
from tests.test_municipal_providers import AMBULANT, imported
from webapp import create_app

SECRET = "a-test-secret-that-is-long-enough-" * 2


@pytest.fixture(scope="module")
def municipal(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Catalogue, list[ProviderCheck]]]:
    catalogue, checks = imported(tmp_path_factory.mktemp("import"), "csv")
    yield catalogue, [c for c in checks if c.tpid.startswith("cvr")]
    catalogue.close()


def test_the_check_summary_names_each_municipal_provider_with_its_services(
    municipal: tuple[Catalogue, list[ProviderCheck]],
) -> None:
    catalogue, checks = municipal
    assert len(checks) >= 3
    lines = summarise(catalogue.store, checks, "da")
    assert [line.tpid for line in lines] == [c.tpid for c in checks]
    assert all(line.name and line.services for line in lines)
    assert len({line.name for line in lines}) == len(lines)  # not one line for all of them


def test_a_specialty_function_check_covers_municipal_providers(
    municipal: tuple[Catalogue, list[ProviderCheck]],
) -> None:
    catalogue, checks = municipal
    covered = scope.for_function(catalogue.store, AMBULANT).tpids
    qualified = {
        c.tpid
        for c in checks
        for q in c.outcome.qualifications  # type: ignore[union-attr]
        if q.function.value == AMBULANT
    }
    assert qualified and qualified <= set(covered)


def test_the_municipality_s_editor_reaches_the_decision_form_and_page_by_the_key(
    municipal: tuple[Catalogue, list[ProviderCheck]], tmp_path: Path
) -> None:
    catalogue, checks = municipal
    placed = next(c for c in checks if c.outcome and c.outcome.placements)
    service = next(iter(placed.outcome.placements))  # type: ignore[union-attr]
    found = basis(catalogue.store, service.value, "da")
    assert found is not None and found.authority is not None
    municipality = found.authority.iri.rsplit("/", 1)[-1]
    editors = tmp_path / "editors.json"
    add_editor(editors, "kommune", municipality, PASSWORD)
    settings = {"store": "memory", "editors_file": str(editors), "secret_key": SECRET}
    app = create_app(
        {"TESTING": True, "EDITING_DRAFTS": tmp_path / "drafts"},
        catalogue=Catalogue(Settings.from_env(settings), catalogue.store),
    )
    client = signed_in(app, "kommune")
    page = BeautifulSoup(client.get(f"/id/provider/{placed.tpid}").text, "html.parser")
    form = f"/-/editing/provider/{placed.tpid}/decision/{service.value.rsplit('/', 1)[-1]}"
    assert form in {a["href"] for a in page.select("a.button")}
    assert client.get(form).status_code == 200
    level = found.computed.iri if found.computed else None
    new = NewDecision(
        service.value, level, found.authority.iri, dt.date(2026, 3, 1), "Som beregnet.", "2"
    )
    decision = record(catalogue.store, new, found, Editor("kommune", municipality, "x"))
    shown = client.get("/" + decision.value.split("/", 3)[-1])
    assert shown.status_code == 200 and "Som beregnet." in shown.text
