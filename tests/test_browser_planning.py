"""Journeys 3 and 4 with competences and capacity planning, in real headless Chromium against the
production server (waitress): the regional planning view with need, supply and the ranked
development table, its CSV, and a near-miss provider's missing competences with course types and
staff counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalogue import Catalogue, planning
from catalogue.browse.concepts import specialty_plan
from tests.conftest import serving
from tests.test_browser_journeys import serious_violations
from webapp import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(checked_catalogue: Catalogue) -> Iterator[str]:
    with serving(create_app(catalogue=checked_catalogue)) as url:
        yield url


@pytest.fixture(scope="module")
def function_with_near_misses(checked_catalogue: Catalogue) -> tuple[str, str, int]:
    """A specialfunktion whose near misses include one short of a competence requirement:
    (code, label, number of near misses)."""
    store = checked_catalogue.store
    for f in (f for s in specialty_plan(store, "da") for f in s.functions):
        misses, names = planning.near_miss_services(store, f.iri, "da")
        if any(names[c][1] for m in misses for c in m.lacking):
            return f.code, f.label, len(misses)
    pytest.fail("the demo catalogue has no near miss short of a competence requirement")


def test_journey_4_need_supply_and_the_ranked_development_table(
    live_server: str, page: Any, function_with_near_misses: tuple[str, str, int]
) -> None:
    code, label, _ = function_with_near_misses
    page.goto(live_server + "/capacity")
    page.get_by_label("Specialfunktion", exact=True).select_option(label=label)
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(f"**/capacity?function={code}*")

    rows = page.locator("table.need-supply tbody tr")
    assert rows.count() == 5
    for row in rows.all():  # difference = supply - need, and a region short of places is flagged
        cells = row.locator("td")
        needed, difference = cells.nth(0).inner_text(), cells.nth(2).inner_text()
        supply = int(cells.nth(1).inner_text().split()[0])
        assert int(difference) == supply - int(needed)
        assert ("For få pladser" in cells.nth(3).inner_text()) == (supply < int(needed))
        assert ("scarce" in (row.get_attribute("class") or "")) == (supply < int(needed))
    assert page.get_by_text("illustrative demotal").count() >= 1

    table = page.locator("table.development tbody tr")
    assert table.count() >= 1
    by_region: dict[str, list[tuple[int, int]]] = {}
    for row in table.all():  # ranked within each region: places closing it alone, then all
        cells = row.locator("td")
        region = cells.nth(0).inner_text()
        by_region.setdefault(region, []).append(
            (int(cells.nth(3).inner_text()), int(cells.nth(4).inner_text()))
        )
        assert int(cells.nth(2).inner_text()) <= int(cells.nth(1).inner_text())
    for ranked in by_region.values():
        assert ranked == sorted(ranked, reverse=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Hent udviklingstabellen som CSV").click()
    assert download.value.suggested_filename == f"kompetenceudvikling-{code}.csv"
    lines = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Region,Kriterium,Næsten kvalificerede")
    assert len(lines) == table.count() + 1

    # a regional planner: the table of one region, and its CSV
    region = next(iter(by_region))
    page.get_by_label("Region", exact=True).select_option(label=region)
    page.get_by_role("button", name="Afgræns til regionen").click()
    page.wait_for_url("**region=*")
    assert table.count() == len(by_region[region])
    assert {c.inner_text() for c in table.locator("td:first-child").all()} == {region}
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent udviklingstabellen som CSV").click()
    assert download.value.suggested_filename.startswith(f"kompetenceudvikling-{code}-10")
    lines = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == len(by_region[region]) + 1


def test_journey_3_a_near_miss_provider_s_missing_competences_with_courses_and_staff_counts(
    live_server: str, page: Any, function_with_near_misses: tuple[str, str, int]
) -> None:
    code, _, _ = function_with_near_misses
    page.goto(live_server + f"/capacity?function={code}")
    links = page.locator("ul.near-miss-providers a")
    assert links.count() >= 1
    found = False
    for i in range(links.count()):
        page.goto(live_server + f"/capacity?function={code}")
        name = page.locator("ul.near-miss-providers a").nth(i).inner_text()
        page.locator("ul.near-miss-providers a").nth(i).click()
        page.wait_for_url("**/capacity/gaps?**")
        assert name in page.get_by_role("heading", level=1).inner_text()
        requirements = page.locator("table.competence-gaps tr.requirement")
        if not requirements.count():
            continue
        found = True
        row = requirements.first
        cells = row.locator("td")
        have, needed, short = (cells.nth(k).inner_text() for k in (1, 2, 3))
        assert int(short) == int(needed) - int(have) > 0  # staff or competences short, in figures
        courses = cells.nth(5).inner_text()
        assert any(
            t in courses
            for t in (
                "Temadag",
                "Kompetenceforløb",
                "Diplommodul",
                "Fagspecifikt kursus",
                "Organisatorisk læringsforløb",
            )
        )
        assert page.locator("table.competence-profile tbody tr").count() >= 4
        assert (
            page.get_by_role("heading", name="Tilsynsmyndighedens kompetencevurdering").count() == 1
        )
        assert serious_violations(page) == []
        break
    assert found, "no near miss short of a competence requirement on the page"
