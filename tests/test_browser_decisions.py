"""Journeys 1-3 with decisions (issue 11) in real headless Chromium against waitress: a consultant
of the provider's socialtilsyn records a placement decision that differs from the computed level,
with reasons; the provider page, the specialfunktion page and the capacity view show the decided
level first with the computed advice beside it and the difference flagged; a re-import of the
provider's data through the editing area keeps the decision."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalogue import Catalogue, Settings, decisions, queries
from catalogue.browse.rows import code, text
from catalogue.demo import write_csv
from catalogue.editors import add_editor
from catalogue.namespaces import VOCAB
from catalogue.store import EmbeddedStore
from tests.conftest import serving
from webapp import create_app

pytestmark = pytest.mark.browser

PASSWORD = "rigtig hest batteri"
SECRET = "a-browser-test-secret-that-is-long-enough-" * 2
HOEJ = f"{VOCAB}level/hoej"


@dataclass(frozen=True)
class Case:
    url: str
    found: decisions.Basis
    function: str  # slug of a specialfunktion the service meets
    upload: Path  # the provider's rows of the demo file


def _qualified_at_hoej(store: EmbeddedStore) -> tuple[decisions.Basis, str]:
    """A service computed 'højt specialiseret' that meets a specialfunktion."""
    for row in queries.run(store, "specialty_plan", lang="da"):
        if "function" not in row:
            continue
        function = text(row, "function")
        for hit in queries.run(store, "compliance_qualified", function=function, lang="da"):
            found = decisions.basis(store, text(hit, "service"), "da")
            if found and found.computed and found.computed.iri == HOEJ and found.authority:
                return found, code(function)
    raise AssertionError("no qualifying service at højt in the demo catalogue")


@pytest.fixture(scope="module")
def case(checked_catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    folder = tmp_path_factory.mktemp("decisions")
    store = EmbeddedStore()
    store.oxigraph.extend(checked_catalogue.store.quads())
    found, function = _qualified_at_hoej(store)
    assert found.authority is not None
    editors = folder / "editors.json"
    add_editor(editors, "lars", code(found.authority.iri), PASSWORD)
    demo = io.StringIO()
    write_csv(demo, 60, 7)  # the checked catalogue's providers (conftest: 60, seed 7)
    lines = demo.getvalue().splitlines()
    upload = folder / f"{found.tpid}.csv"
    own = [x for x in lines[1:] if x.startswith(found.tpid + ";")]
    assert own
    upload.write_text("\n".join([lines[0], *own]) + "\n", encoding="utf-8")
    settings = Settings.from_env(
        {"store": "memory", "editors_file": str(editors), "secret_key": SECRET}
    )
    app = create_app({"EDITING_DRAFTS": folder / "drafts"}, catalogue=Catalogue(settings, store))
    with serving(app) as url:
        yield Case(url, found, function, upload)


def _sign_in(page: Any, url: str) -> None:
    page.goto(url + "/-/editing/")
    page.wait_for_url("**/-/editing/sign-in**")
    page.get_by_label("Navn").fill("lars")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/-/editing/")


def _shows_the_decision(row_text: str, case: Case) -> None:
    authority = case.found.authority.label if case.found.authority else ""
    assert f"Indplaceret af {authority} 1. marts 2026: Moderat specialiseret" in row_text
    assert "vejledende beregning: Højt specialiseret" in row_text
    assert "Afgørelsen afviger fra beregningen" in row_text


def test_a_socialtilsyn_decides_differently_and_every_view_shows_it(case: Case, page: Any) -> None:
    url, found = case.url, case.found
    page.goto(f"{url}/id/provider/{found.tpid}")
    before = page.locator(".placement-decision").all_inner_texts()
    assert any("Ikke afgjort" in t and "vejledende beregning" in t for t in before)

    _sign_in(page, url)
    page.goto(f"{url}/id/provider/{found.tpid}")
    # the link of the found service's target group (a provider may have several services)
    page.locator(
        f"a[href$='/decision/{code(found.target_group.iri)}']", has_text="Registrér"
    ).click()
    page.wait_for_url("**/decision/**")
    assert page.locator("table.matrix td.holds").count() > 0  # the computed verdict beside
    page.get_by_label("Moderat specialiseret").check()
    page.get_by_label("Afgjort den").fill("2026-03-01")
    page.get_by_label("Vejledningens version").fill("2")
    page.get_by_label("Samlet vurdering").fill("Tilsynsbesøget viser, at fagmiljøet er for lille")
    page.get_by_role("button", name="Registrér indplaceringsafgørelse").click()
    page.wait_for_url("**/decision/**")  # refused: below the calculation needs a reason
    assert "begrund mindst én parameter" in page.get_by_role("alert").inner_text()
    page.get_by_label("4. Fagmiljø").fill("To af fem fagpersoner er fratrådt siden indberetningen")
    page.get_by_role("button", name="Registrér indplaceringsafgørelse").click()
    page.wait_for_url(f"**/id/provider/{found.tpid}**")

    shown = page.locator(".placement-decision.differs")
    assert shown.count() == 1
    _shows_the_decision(shown.inner_text(), case)
    page.locator("details.decision summary").click()
    assert "To af fem fagpersoner er fratrådt" in page.locator("details.decision").inner_text()

    page.goto(f"{url}/id/specialty-function/{case.function}")
    row = page.locator("table.providers tr").filter(has_text=found.name)
    _shows_the_decision(row.inner_text(), case)

    page.goto(f"{url}/capacity?function={case.function}")
    row = page.locator("table.decisions tr.differs").filter(has_text=found.name)
    _shows_the_decision(row.inner_text(), case)

    page.goto(f"{url}/id/provider/{found.tpid}?lang=en")
    english = page.locator(".placement-decision.differs").inner_text()
    assert "Placed by" in english and "advisory calculation" in english

    # the provider's data uploaded again: the decision lives in the authority's own graph
    page.goto(url + "/-/editing/")
    page.get_by_label("Filer").set_input_files(str(case.upload))
    page.get_by_role("button", name="Kontrollér og vis forhåndsvisning").click()
    page.wait_for_url("**/-/editing/preview/**")
    page.get_by_role("button", name="Gem i kataloget").click()
    page.wait_for_url(f"**/id/provider/{found.tpid}")
    _shows_the_decision(page.locator(".placement-decision.differs").inner_text(), case)
