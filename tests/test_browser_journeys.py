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

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture(scope="module")
def live_server(checked_catalogue: Catalogue) -> Iterator[str]:
    """The real app under waitress on a free loopback port."""
    with serving(create_app(catalogue=checked_catalogue)) as url:
        yield url


@pytest.fixture(scope="module")
def examples(checked_catalogue: Catalogue) -> dict[str, str]:
    """Paths of pages to visit, chosen from the data: a function with qualified providers, one of
    them, a provider with a gap to the next level, a speciale and a target group."""
    from catalogue import queries
    from catalogue.browse.statistics import national

    store = checked_catalogue.store
    counts = national(store, "da").functions
    best = max(counts, key=lambda c: c.qualified)
    assert best.qualified > 0, "the demo catalogue has no qualified provider"
    qualified = queries.run(store, "compliance_qualified", function=best.function.iri, lang="da")
    placed = [r for r in queries.run(store, "compliance_placements", lang="da") if "rank" in r]
    partly = next(r for r in placed if r["rank"].value in ("1", "2"))
    lacking = next(
        r
        for r in placed
        if r["rank"].value in ("1", "2")
        and queries.run(store, "browse_missing_competences", service=r["service"], lang="da")
    )
    base = len("https://specialekatalog.example")
    return {
        "function": best.function.iri[base:],
        "function_label": best.function.label,
        "provider": qualified[0]["provider"].value[base:],
        "provider_name": qualified[0]["name"].value,
        "gap_provider": partly["provider"].value[base:],
        "lacking_provider": lacking["provider"].value[base:],
        "speciality": "/id/speciality/autisme",
        "target_group": "/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
    }


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_journey_home_to_function_to_provider_to_report(
    live_server: str, page: Any, examples: dict[str, str]
) -> None:
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.locator("table.function-counts").get_by_role(
        "link", name=examples["function_label"]
    ).click()
    page.wait_for_url("**" + examples["function"])
    providers = page.locator("table.providers tbody th a")
    assert examples["provider_name"] in providers.all_inner_texts()
    assert page.locator("ul.criteria li").count() > 8  # the criteria, from the shapes

    region = page.locator("table.providers tbody tr").first.locator("td").nth(1).inner_text()
    page.get_by_label(region).check()
    page.get_by_role("button", name="Vis").click()
    assert "region=" in page.url
    shown = page.locator("table.providers tbody tr")
    assert all(region in row for row in shown.all_inner_texts())

    # the family lives in Region Sjælland: that region and its neighbours, nearest first
    page.goto(live_server + examples["function"])
    page.get_by_label("Borgeren bor i").select_option(label="Region Sjælland")
    page.get_by_label("Kun borgerens region og naboregionerne").check()
    page.get_by_role("button", name="Vis").click()
    assert "home=1085" in page.url and "nearby=1" in page.url
    nearby = {"Region Sjælland", "Region Hovedstaden", "Region Syddanmark"}
    for row in page.locator("table.providers tbody tr").all():
        assert row.locator("td").nth(1).inner_text() in nearby
        assert row.locator("td.distance").inner_text() in ("Borgerens region", "Naboregion")

    page.goto(live_server + examples["function"])
    page.get_by_role("link", name=examples["provider_name"]).first.click()
    page.wait_for_url("**" + examples["provider"])
    matrix = page.locator("table.matrix").first
    assert matrix.get_by_role("columnheader", name="Højt specialiseret").is_visible()
    assert matrix.locator("tbody tr").count() == 8
    assert page.locator(".qualifications li.meets").count() >= 1

    page.get_by_role("link", name="Se compliance-rapporten").click()
    page.wait_for_url("**" + examples["provider"] + "/report")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Compliance-rapport")
    assert page.get_by_role("button", name="Udskriv").is_visible()  # shown by print.js
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_journey_3_the_gap_in_plain_terms_and_the_courses_that_close_it(
    live_server: str, page: Any, examples: dict[str, str]
) -> None:
    page.goto(live_server + examples["lacking_provider"])
    gap = page.locator(".gap").first
    assert gap.get_by_role("heading").inner_text().startswith("Hvad mangler til næste niveau")
    rows = gap.locator("tbody tr")
    assert rows.count() >= 1
    # each shortfall in words with the figures found and needed, e.g. "2 af 9 medarbejdere ..."
    first = rows.first.locator("td")
    assert first.nth(1).inner_text().strip()  # the message
    assert any(
        c.strip() not in ("", "—") for c in (first.nth(2).inner_text(), first.nth(3).inner_text())
    )
    competences = page.locator(".competences").first
    assert competences.get_by_role("heading").inner_text().startswith("Kompetencer, der mangler")
    assert competences.locator("tbody tr").count() >= 1


def test_journey_4_capacity_map_near_misses_and_competence_table(
    live_server: str, page: Any, examples: dict[str, str]
) -> None:
    page.goto(live_server + "/")
    page.get_by_role("navigation").get_by_role("link", name="Kapacitet").first.click()
    page.wait_for_url("**/capacity")
    page.get_by_label("Specialfunktion", exact=True).select_option(label=examples["function_label"])
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**/capacity?function=*")
    regions = page.locator("svg.region-map a")
    assert regions.count() == 5  # the five regions on the map, each with its count
    table = page.locator("table.capacity tbody tr")
    assert table.count() == 5
    counts = [int(x) for x in page.locator("table.capacity tbody td.num").all_inner_texts()]
    total = int(page.locator("table.capacity tfoot td.num").inner_text())
    assert sum(counts) == total and total > 0
    for row in table.all():  # a region with none or one qualified provider is called out
        count = int(row.locator("td.num").inner_text())
        said = row.locator("td").last.inner_text()
        assert ("Ingen kapacitet" in said) == (count == 0)
        assert ("Kun én leverandør" in said) == (count == 1)

    # need, supply and the ranked development table with its CSV: tests/test_browser_planning.py

    regions.first.locator("circle").click()  # the map links to the providers in that region
    assert "region=" in page.url and examples["function"] in page.url


def test_journey_5_a_developer_finds_the_endpoint_the_queries_and_the_catalogue(
    live_server: str, page: Any
) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name="Navngivne forespørgsler").click()
    page.wait_for_url("**/queries/")
    assert page.locator("main a[href^='/queries/']").count() > 20
    page.goto(live_server + "/")
    page.get_by_role("link", name="SPARQL-endpoint").first.click()
    page.wait_for_url("**/sparql")
    page.locator(".cm-editor, textarea:visible").first.wait_for()  # the editor (or plain form)
    for name, kind in (("Datakatalog (DCAT)", "Catalog"), ("Datasætbeskrivelse (VoID)", "Dataset")):
        page.goto(live_server + "/")
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert kind in page.content()


def test_search_with_two_facets(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    page.get_by_label("Søg efter leverandør").fill("autisme")
    page.get_by_label("Søg efter leverandør").press("Enter")
    page.wait_for_url("**/search?q=autisme")
    assert page.locator(".concept-hits a").first.inner_text() == "Autisme"
    everything = page.locator("ol.hits li").count()
    assert everything > 0

    page.locator(".facet").filter(has_text="Niveau").locator("li a").first.click()
    region = page.locator(".facet").filter(has_text="Region").locator("li").first
    expected = int(region.locator(".count").inner_text())
    region.locator("a").click()
    assert "level=" in page.url and "region=" in page.url
    heading = page.get_by_role("heading", name="Leverandører").first.inner_text()
    assert heading.endswith(f"({expected})")
    shared = page.url
    page.goto(shared)  # the filter state is a shareable URL
    assert page.locator(".chosen-filters li").count() == 2


def test_switch_to_english(live_server: str, page: Any, examples: dict[str, str]) -> None:
    page.goto(live_server + examples["function"])
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Providers that meet the criteria").is_visible()
    page.locator("table.providers tbody th a").first.click()
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


PAGES = [
    "/",
    "speciality",
    "function",
    "provider",
    "gap_provider",
    "report",
    "target_group",
    "/search?q=autisme&level=hoej",
    "/capacity",
    "/?lang=en",
    "/catalog",  # a browser gets the DCAT description as a page
]


@pytest.mark.parametrize("which", PAGES)
def test_no_serious_accessibility_violations(
    live_server: str, page: Any, examples: dict[str, str], which: str
) -> None:
    path = (
        which
        if which.startswith("/")
        else examples["provider"] + "/report"
        if which == "report"
        else examples[which]
    )
    page.goto(live_server + path)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("name", "which"),
    [("home", None), ("specialfunktion", "function"), ("provider", "gap_provider")],
)
def test_screenshots_for_the_readme(
    live_server: str, page: Any, examples: dict[str, str], name: str, which: str | None
) -> None:
    page.goto(live_server + (examples[which] if which else "/"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
