"""/criteria/impact: for each loaded guide with a draft status, the page lists exactly what
``criteria impact`` returns for that guide's file replaced by nothing (the criteria without the
draft), each change shown from without the draft to with it; it is computed in the background and
linked from the target-group page's draft notice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from catalogue import Catalogue
from catalogue.browse.draft_impact import draft_impacts
from catalogue.compliance import check
from catalogue.criteria_impact import Impact, impact
from tests.conftest import demo_catalogue_with

GUIDES = ("autisme", "erhvervet-hjerneskade", "synsnedsaettelse")  # all loaded as udkast
AUTISM = "9b3fd322-a75a-4ed8-9b74-425fa1e01c95"


@pytest.fixture(scope="module")
def checked() -> Iterator[Catalogue]:
    catalogue = demo_catalogue_with(20, 7)
    check(catalogue.store)
    yield catalogue
    catalogue.close()


@pytest.fixture(scope="module")
def client(checked: Catalogue) -> FlaskClient:
    from webapp import create_app

    return create_app({"TESTING": True}, catalogue=checked).test_client()


@pytest.fixture(scope="module")
def expected(checked: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Impact]:
    """What `criteria impact` says for each draft guide's file replaced by an empty one."""
    folder = tmp_path_factory.mktemp("drafts")
    found = {}
    for guide in GUIDES:
        empty = Path(folder) / f"{guide}.ttl"
        empty.write_bytes(b"")
        found[guide] = impact(checked.store, [empty])
    return found


def ready_page(client: FlaskClient, checked: Catalogue, lang: str) -> BeautifulSoup:
    deadline = time.monotonic() + 300  # a guard, not an assertion: the build runs in a thread
    while draft_impacts(checked.store) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    response = client.get(f"/criteria/impact?lang={lang}")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.timeout(600)
def test_page_lists_exactly_what_criteria_impact_returns(
    client: FlaskClient, checked: Catalogue, expected: dict[str, Impact]
) -> None:
    first = client.get("/criteria/impact")
    assert first.status_code == 200  # served at once: computing in the background, or cached
    assert sum(len(i.placements) for i in expected.values()) > 0  # the demo has changes to show
    for lang, not_placed in (("da", "Ikke indplaceret"), ("en", "Not placed")):
        page = ready_page(client, checked, lang)
        assert page.html is not None and page.html.get("lang") == lang
        sections = page.select("section.draft-impact")
        assert sorted(s.h2["id"] for s in sections) == sorted(GUIDES)  # type: ignore[index]
        for section in sections:
            found = expected[str(section.h2["id"])]  # type: ignore[index]
            rows = section.select("table.impact-placements tbody tr")
            assert [r["data-service"] for r in rows] == [p.service for p in found.placements]
            for row, change in zip(rows, found.placements, strict=True):
                link = row.find("a")
                assert link is not None
                assert str(link["href"]).startswith(f"/id/provider/{change.service.split('/')[-3]}")
                without, with_draft = (td.get_text() for td in row.find_all("td")[-2:])
                assert (without == not_placed) == (change.after is None)  # to = without the draft
                assert (with_draft == not_placed) == (change.before is None)
            qualifications = section.select("table.impact-qualifications tbody tr")
            assert [r["data-service"] for r in qualifications] == [
                q.service for q in found.qualifications
            ]
            regions = section.select("table.impact-regions tbody tr")
            counts: list[dict[str, object]] = found.counts()["regions"]  # type: ignore[assignment]
            assert [[int(td.get_text()) for td in r.find_all("td")] for r in regions] == [
                [c["placements"], c["qualifications"]] for c in counts
            ]


def test_draft_notice_links_to_the_guides_impact(client: FlaskClient) -> None:
    page = client.get(f"/vocab/target-group/{AUTISM}?lang=en")
    assert page.status_code == 200
    notice = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(".draft-notice a")
    assert notice is not None
    assert notice["href"] == "/criteria/impact?lang=en#autisme"
