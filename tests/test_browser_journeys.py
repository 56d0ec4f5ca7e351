"""The main journeys in real headless Chromium against the production server (waitress):
home → specialfunktion → qualifying provider → its report; search with two facets; English;
keyboard navigation; axe-core finds no serious or critical violations. Screenshots of the key
pages go to docs/screenshots/ for the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalogue import Catalogue
from tests.conftest import serving
from webapp import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
FUNCTION = "/id/specialty-function/autisme-boern-udfordrende-adfaerd"


@pytest.fixture(scope="module")
def live_server(web_catalogue: Catalogue) -> Iterator[str]:
    """The real app under waitress on a free loopback port."""
    with serving(create_app(catalogue=web_catalogue)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no system Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_journey_home_to_function_to_provider_to_report(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_role("link", name="Højt specialiseret botilbud til børn med autisme").first.click()
    page.wait_for_url("**" + FUNCTION)
    providers = page.locator("table.providers tbody th a")
    assert providers.all_inner_texts() == ["Bostedet Kastanjen", "Specialcenter Nordlys"]

    page.get_by_label("Region Sjælland").check()
    page.get_by_role("button", name="Vis").click()
    assert page.locator("table.providers tbody th a").all_inner_texts() == ["Bostedet Kastanjen"]
    assert "region=1085" in page.url

    page.get_by_role("link", name="Bostedet Kastanjen").click()
    page.wait_for_url("**/id/provider/100001")
    matrix = page.get_by_role("table", name="De otte parametre på de tre niveauer: Autismespektrum")
    assert matrix.get_by_role("columnheader", name="Højt specialiseret").is_visible()
    assert page.locator(".qualifications li.meets").count() == 1

    page.get_by_role("link", name="Se compliance-rapporten").click()
    page.wait_for_url("**/id/provider/100001/report")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Compliance-rapport")
    assert page.get_by_role("button", name="Udskriv").is_visible()  # shown by print.js
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som CSV").click()
    assert download.value.suggested_filename == "rapport-100001.csv"


def test_search_with_two_facets(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    page.get_by_label("Søg efter leverandør").fill("autisme")
    page.get_by_label("Søg efter leverandør").press("Enter")
    page.wait_for_url("**/search?q=autisme")
    assert page.locator(".concept-hits a").first.inner_text() == "Autisme"
    assert page.locator("ol.hits li").count() == 3

    page.locator(".facet").filter(has_text="Niveau").get_by_role(
        "link", name="Højt specialiseret"
    ).click()
    page.locator(".facet").filter(has_text="Region").get_by_role(
        "link", name="Region Hovedstaden"
    ).click()
    assert page.locator("ol.hits a").all_inner_texts() == ["Specialcenter Nordlys"]
    assert "level=hoej" in page.url and "region=1084" in page.url
    shared = page.url
    page.goto(shared)  # the filter state is a shareable URL
    assert page.locator(".chosen-filters li").count() == 2


def test_switch_to_english(live_server: str, page: Any) -> None:
    page.goto(live_server + FUNCTION)
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith(
            "Highly specialised residential care for children with autism and challenging behaviour"
        )
    )
    page.get_by_role("link", name="Bostedet Kastanjen").click()
    assert "lang=en" in page.url
    assert page.get_by_role("heading", name="Placement per target group").is_visible()


def test_keyboard_navigation(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Gå til indhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert "Søg" in reached  # the search button, after the search field
    assert "Autisme" in reached  # the first speciale card


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/id/speciality/autisme",
        FUNCTION,
        "/id/provider/100002",
        "/id/provider/100002/report",
        "/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
        "/search?q=autisme&level=hoej",
        "/capacity",
        "/?lang=en",
    ],
)
def test_no_serious_accessibility_violations(live_server: str, page: Any, path: str) -> None:
    page.goto(live_server + path)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("name", "path"),
    [("home", "/"), ("specialfunktion", FUNCTION), ("provider", "/id/provider/100002")],
)
def test_screenshots_for_the_readme(live_server: str, page: Any, name: str, path: str) -> None:
    page.goto(live_server + path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
