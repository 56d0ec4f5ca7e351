"""Journey 2 (JOURNEYS.md) in real headless Chromium against the production server (waitress):
Lars, a consultant at Socialtilsyn Øst, signs in, uploads a provider's file, reads the dry-run
preview (integrity errors with line numbers for a bad file; for a good one the compliance report it
would give), commits, records an approval with conditions and a duty to advise, and the history
shows who did what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue import Catalogue, Settings
from catalogue.editors import add_editor
from catalogue.store import EmbeddedStore
from tests.conftest import serving
from webapp import create_app

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parent / "data" / "import"
PASSWORD = "rigtig hest batteri"
SECRET = "a-browser-test-secret-that-is-long-enough-" * 2
TPID = "900101"


@pytest.fixture(scope="module")
def editing_server(
    checked_catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app with editing on, over a copy of the checked demo catalogue (the journey writes)."""
    folder = tmp_path_factory.mktemp("supervision")
    editors = folder / "editors.json"
    add_editor(editors, "lars", "oest", PASSWORD)
    store = EmbeddedStore()
    store.oxigraph.extend(checked_catalogue.store.quads())
    settings = Settings.from_env(
        {"store": "memory", "editors_file": str(editors), "secret_key": SECRET}
    )
    app = create_app({"EDITING_DRAFTS": folder / "drafts"}, catalogue=Catalogue(settings, store))
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def provider_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The good template file cut to one provider's rows (Bostedet Kastanjen, under Øst)."""
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("upload") / "kastanjen.csv"
    path.write_text(
        "\n".join([lines[0], *(x for x in lines[1:] if x.startswith(TPID + ";"))]) + "\n",
        encoding="utf-8",
    )
    return path


def sign_in(page: Any, url: str) -> None:
    page.goto(url + "/-/editing/")
    page.wait_for_url("**/-/editing/sign-in**")
    page.get_by_label("Navn").fill("lars")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/-/editing/")


def upload(page: Any, url: str, path: Path) -> None:
    page.goto(url + "/-/editing/")
    page.get_by_label("Filer").set_input_files(str(path))
    page.get_by_role("button", name="Kontrollér og vis forhåndsvisning").click()
    page.wait_for_url("**/-/editing/preview/**")


def test_a_bad_file_is_shown_with_lines_and_rules_and_nothing_is_offered_to_save(
    editing_server: str, page: Any
) -> None:
    sign_in(page, editing_server)
    upload(page, editing_server, CORPUS / "bad-values.csv")
    assert "intet kan gemmes" in page.get_by_role("alert").first.inner_text()
    problems = page.locator("table.problems tbody tr")
    assert problems.count() >= 2  # every problem of the file at once, not only the first
    first = problems.first.locator("td")
    assert first.nth(0).inner_text().strip().isdigit()  # a line number
    assert first.nth(2).inner_text().strip()  # the rule
    assert page.get_by_role("button", name="Gem i kataloget").count() == 0


def test_upload_preview_commit_approve_and_read_the_history(
    editing_server: str, page: Any, provider_file: Path
) -> None:
    sign_in(page, editing_server)
    upload(page, editing_server, provider_file)

    # the dry run: the compliance report the data would give, nothing written yet
    assert "Bostedet Kastanjen (900101)" in page.locator("main").inner_text()
    assert page.locator("table.placements tbody tr").count() == 2
    assert page.locator("table.matrix td.holds").count() > 0
    assert page.locator("table.matrix td.fails").count() > 0
    page.locator("details summary").filter(has_text="Kriterier, der ikke er opfyldt").first.click()
    shortfalls = " ".join(page.locator("table.results").all_inner_texts())
    assert "7 af 22 medarbejdere har 5+ års erfaring med målgruppen; 9 kræves" in shortfalls
    assert page.goto(editing_server + f"/id/provider/{TPID}").status == 404  # not written yet
    page.go_back()

    page.get_by_role("button", name="Gem i kataloget").click()
    page.wait_for_url(f"**/id/provider/{TPID}")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Bostedet Kastanjen")
    assert page.locator("table.matrix").count() >= 1  # checked on commit

    page.goto(editing_server + f"/-/editing/provider/{TPID}/history")
    page.get_by_role("link", name="Registrér godkendelse").click()
    page.get_by_label("Godkendt til").select_option(
        label=(
            "Længerevarende botilbud til voksne med autisme, udviklingshæmning og "
            "betydelig udfordrende adfærd"
        )
    )
    page.get_by_label("Status").select_option(index=0)
    page.get_by_label("Gyldig fra").fill("2026-12-01")
    page.get_by_label("Gyldig til").fill("2029-11-30")
    page.get_by_label("Vilkår").fill("Månedlig ekstern supervision af personalet")
    page.get_by_label("Rådgivningsforpligtelse").check()
    page.get_by_role("button", name="Registrér godkendelse").click()
    page.wait_for_url(f"**/id/provider/{TPID}")
    approvals = page.locator("table.approvals").inner_text()
    assert "Månedlig ekstern supervision af personalet" in approvals

    page.goto(editing_server + f"/-/editing/provider/{TPID}/history")
    rows = page.locator("table.history tbody tr").all_inner_texts()
    assert len(rows) == 2
    assert "Godkendelse registreret" in rows[0] and "lars, Socialtilsyn Øst" in rows[0]
    assert "Import af kastanjen.csv" in rows[1] and "lars, Socialtilsyn Øst" in rows[1]
