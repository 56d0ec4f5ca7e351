"""Every page type renders on the checked demo catalogue (real vocabularies, shapes and reports)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from catalogue import Catalogue, queries
from catalogue.browse.functions import QualifiedProvider, arrange, region_distances
from catalogue.browse.rows import Concept
from webapp import create_app

BASE = "https://specialekatalog.example/"


@pytest.fixture(scope="module")
def web(checked_catalogue: Catalogue) -> FlaskClient:
    return create_app({"TESTING": True}, catalogue=checked_catalogue).test_client()


def paths(catalogue: Catalogue) -> list[str]:
    store = catalogue.store
    base = len("https://specialekatalog.example")
    plan = queries.run(store, "specialty_plan", lang="da")
    providers = queries.run(store, "example_providers")[:5]
    found = ["/", "/?lang=en", "/search", "/search?q=autisme&level=hoej", "/capacity"]
    found += sorted({r["speciality"].value[base:] for r in plan})
    found += [r["function"].value[base:] for r in plan]
    found += [r["provider"].value[base:] for r in providers]
    found += [r["provider"].value[base:] + "/report" for r in providers]
    found += [r["provider"].value[base:] + "/report.csv" for r in providers[:1]]
    return found + ["/vocab/target-group/d26f97e8-99ed-46a9-94db-93340f77a950"]


def test_every_page_renders_on_the_checked_demo(
    web: FlaskClient, checked_catalogue: Catalogue
) -> None:
    for path in paths(checked_catalogue):
        response = web.get(path)
        assert response.status_code == 200, path
    functions = queries.run(checked_catalogue.store, "specialty_plan", lang="da")
    capacity = web.get("/capacity?function=" + functions[0]["function"].value.rsplit("/", 1)[1])
    assert capacity.status_code == 200


def test_region_distances_follow_land_borders_and_fixed_links(
    checked_catalogue: Catalogue,
) -> None:
    store = checked_catalogue.store
    assert region_distances(store, "1085") == {
        "1085": 0,  # Sjælland
        "1084": 1,  # Hovedstaden, by land
        "1083": 1,  # Syddanmark, by the Great Belt link
        "1082": 2,
        "1081": 3,
    }
    assert region_distances(store, "1081") == {
        "1081": 0,
        "1082": 1,
        "1083": 2,
        "1085": 3,
        "1084": 4,
    }


def _provider(name: str, region: str) -> QualifiedProvider:
    iri = f"{BASE}vocab/region/{region}"
    return QualifiedProvider(
        iri=f"{BASE}id/provider/{name}",
        name=name,
        tpid=name,
        municipality=None,
        region=Concept(iri, region),
        offer_types="",
        legal_bases="",
        approval_status=None,
        duty_to_advise=False,
    )


def test_nearest_first_sorts_by_borders_then_name() -> None:
    distances = {"1085": 0, "1084": 1, "1083": 1, "1082": 2, "1081": 3}
    providers = [
        _provider("Ålegården", "1081"),
        _provider("Birken", "1084"),
        _provider("Anemonen", "1083"),
        _provider("Cedrus", "1085"),
    ]
    near = arrange(providers, set(), "near", distances)
    assert [p.name for p in near] == ["Cedrus", "Anemonen", "Birken", "Ålegården"]
    assert [p.name for p in arrange(providers, {"1085", "1084"}, "near", distances)] == [
        "Cedrus",
        "Birken",
    ]


def test_function_page_shows_distance_and_keeps_nearby_regions(
    web: FlaskClient, checked_catalogue: Catalogue
) -> None:
    """Journey 1: a family in Region Sjælland; each provider's distance from it is shown, and
    "nearby" keeps Sjælland and its neighbours (Hovedstaden, Syddanmark)."""
    from bs4 import BeautifulSoup

    counts = queries.run(checked_catalogue.store, "browse_function_counts", lang="da")
    function = max(counts, key=lambda r: int(r["qualified"].value))["function"].value
    path = function.removeprefix(BASE.rstrip("/"))
    page = BeautifulSoup(web.get(f"{path}?home=1085").text, "html.parser")
    rows = page.select("table.providers tbody tr")
    assert rows
    said = {"Region Sjælland": "Borgerens region", "Region Hovedstaden": "Naboregion"}
    for row in rows:
        region = row.select("td")[1].get_text(strip=True)
        distance = row.select_one("td.distance").get_text(strip=True)
        assert said.get(region, distance) == distance
    assert page.select_one("select#sort option[selected]")["value"] == "near"

    nearby = BeautifulSoup(web.get(f"{path}?home=1085&nearby=1").text, "html.parser")
    shown = {
        r.select("td")[1].get_text(strip=True) for r in nearby.select("table.providers tbody tr")
    }
    assert shown <= {"Region Sjælland", "Region Hovedstaden", "Region Syddanmark"}
    assert web.get(f"{path}?home=9999&sort=near").status_code == 200  # unknown: ignored


def test_a_placed_service_shows_the_criteria_and_data_behind_its_level(
    web: FlaskClient, checked_catalogue: Catalogue
) -> None:
    """Journey 1 step 4: why a provider holds the high level, parameter by parameter, with the
    provider's own figures next to each threshold."""
    from bs4 import BeautifulSoup

    placed = queries.run(checked_catalogue.store, "compliance_placements", lang="da")
    high = next(r for r in placed if "rank" in r and r["rank"].value == "3")
    path = high["provider"].value.removeprefix(BASE.rstrip("/"))
    page = BeautifulSoup(web.get(path).text, "html.parser")
    panel = next(
        d
        for d in page.select("details.evidence")
        if high["levelLabel"].value in d.summary.get_text()
    )
    rows = panel.select("tbody tr")
    parameters = {row.td.get_text(strip=True) for row in rows}
    assert len(parameters) == 8  # every parameter of the level has its criteria here
    assert all(row.select("td")[-1].get_text(strip=True) == "ja" for row in rows)
    figures = " ".join(row.select("td")[2].get_text(" ", strip=True) for row in rows)
    assert " af " in figures  # a share with its whole, e.g. "… 22 af 39"
    assert any(c.isdigit() for c in figures)


def test_what_it_takes_to_reach_each_level_above_the_placement(
    web: FlaskClient, checked_catalogue: Catalogue
) -> None:
    """Journey 3: a provider on the light level sees what the moderate level needs and, besides,
    what the high level needs, each with the figures."""
    from bs4 import BeautifulSoup

    placed = queries.run(checked_catalogue.store, "compliance_placements", lang="da")
    light = next(r for r in placed if "rank" in r and r["rank"].value == "1")
    rows = queries.run(
        checked_catalogue.store, "compliance_gaps", service=light["service"], lang="da"
    )
    ranks = [int(r["rank"].value) for r in rows]
    assert ranks == sorted(ranks) and set(ranks) == {2, 3}

    path = light["provider"].value.removeprefix(BASE.rstrip("/"))
    page = BeautifulSoup(web.get(path).text, "html.parser")
    article = next(
        a for a in page.select("article.service") if light["targetGroupLabel"].value in a.h3.text
    )
    headings = [h.get_text(strip=True) for h in article.select(".gap h4")]
    assert headings == [
        "Hvad mangler til næste niveau: Moderat specialiseret",
        "Og derudover til: Højt specialiseret",
    ]
