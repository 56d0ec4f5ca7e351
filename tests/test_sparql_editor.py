"""The query editor page in real headless Chromium (system Chromium) against waitress: the editor
upgrades the form (highlighting, syntax checking, offline completion of the catalogue's own terms),
runs queries into a results table with downloads and a shareable URL, and without JavaScript the
plain form does the same. No console errors (e.g. CSP violations); axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from catalogue import Catalogue, Settings
from tests.conftest import serving
from webapp import create_app

pytestmark = pytest.mark.browser

BUNDLE = Path(__file__).resolve().parent.parent / "webapp" / "static" / "editor" / "editor.js"


@pytest.fixture(scope="module")
def site(knowledge_catalogue: Catalogue) -> Iterator[str]:
    settings = Settings.from_env({"store": "memory", "sparql_timeout_s": "5"})
    app = create_app(catalogue=Catalogue(settings, knowledge_catalogue.store))
    with serving(app) as url:
        yield url
    if "sparql" in app.extensions:
        app.extensions["sparql"].close()


def new_page(browser: Any, javascript: bool = True) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(java_script_enabled=javascript, locale="da-DK")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def test_editor_highlights_checks_completes_and_runs(site: str, browser: Any) -> None:
    if not BUNDLE.exists():
        pytest.fail("the editor bundle is missing: run `make editor`")
    context, page, errors = new_page(browser)
    page.goto(f"{site}/sparql?lang=en")
    page.wait_for_selector("html[data-editor=ready]")
    editor = page.locator(".cm-content")
    assert page.locator("textarea[name=query]").is_hidden()
    assert page.locator(".cm-content span[class]").count() > 0  # highlighted tokens

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT ?x WHERE { ?x a }")
    page.wait_for_selector(".cm-lint-marker-error", timeout=5000)

    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT ?p WHERE { ?p a sk:Provid")
    page.keyboard.press("Control+Space")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="sk:Provider").first
    option.wait_for(timeout=5000)
    option.click()
    page.keyboard.type(" } LIMIT 5")
    text = page.locator(".cm-content").inner_text()
    assert text.startswith("PREFIX sk: <https://specialekatalog.example/ontology#>")
    page.wait_for_selector(".cm-lint-marker-error", state="detached", timeout=5000)

    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.results")
    query = parse_qs(urlsplit(page.url).query)["query"][0]
    assert "sk:Provider" in query  # the URL is the shareable query
    assert page.locator("a", has_text="CSV").count() == 1
    assert errors == []
    context.close()


def test_plain_form_works_without_javascript(site: str, browser: Any) -> None:
    context, page, errors = new_page(browser, javascript=False)
    page.goto(f"{site}/sparql")
    page.fill(
        "textarea[name=query]",
        "SELECT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }",
    )
    page.click("button[type=submit]")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() > 10
    page.goto(
        f"{site}/sparql?query=SELECT%20*%20WHERE%20%7B%20SERVICE%20%3Chttp://x%3E%20%7B%7D%20%7D"
    )
    assert "SERVICE er ikke tilladt" in page.locator("[role=alert]").inner_text()  # Danish page
    context.close()


def test_editor_page_is_accessible(site: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context, page, _ = new_page(browser)
    page.goto(f"{site}/sparql?query=ASK%20%7B%7D")
    if BUNDLE.exists():
        page.wait_for_selector("html[data-editor=ready]")
    results = Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()
