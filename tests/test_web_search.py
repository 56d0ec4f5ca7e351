"""Search: full text over names, labels and codes; facets with counts; shareable URLs; pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue
from catalogue.browse import search
from webapp import create_app


@pytest.fixture(scope="module")
def web(web_catalogue: Catalogue) -> FlaskClient:
    app: Flask = create_app({"TESTING": True}, catalogue=web_catalogue)
    return app.test_client()


def names(soup: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in soup.select("ol.hits a")]


def facet(soup: BeautifulSoup, name: str) -> dict[str, int]:
    details = soup.find("summary", string=name).find_parent("details")
    return {
        li.a.get_text(strip=True).removeprefix("fjern filter:"): int(li.select_one(".count").text)
        for li in details.select("li")
    }


def soup_of(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kastanjen", ["Bostedet Kastanjen"]),
        ("Autism spectrum", ["Bostedet Kastanjen", "Solsikkens Børnehus", "Specialcenter Nordlys"]),
        ("ASF", ["Bostedet Kastanjen", "Solsikkens Børnehus", "Specialcenter Nordlys"]),
        ("FFB-AUT roskilde", ["Bostedet Kastanjen"]),
        ("100004", ["Specialcenter Nordlys"]),
        ("Capital Region", ["Specialcenter Nordlys"]),
        ("ingen-findes", []),
    ],
)
def test_full_text_over_names_labels_alt_labels_and_codes(
    web: FlaskClient, query: str, expected: list[str]
) -> None:
    assert names(soup_of(web, "/search?" + f"q={query}")) == expected


def test_concepts_are_found_too(web: FlaskClient) -> None:
    soup = soup_of(web, "/search?q=autisme")
    links = [a["href"] for a in soup.select(".concept-hits a")]
    assert links[0] == "/id/speciality/autisme"
    assert "/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95" in links


def test_facet_counts_and_two_facets_combined(web: FlaskClient) -> None:
    soup = soup_of(web, "/search")
    assert facet(soup, "Region")["Region Sjælland"] == 1
    assert facet(soup, "Målgruppe") == {"Autismespektrum": 3, "Erhvervet hjerneskade": 1}
    assert facet(soup, "Niveau (vejledende beregning)") == {
        "Let specialiseret": 1,
        "Moderat specialiseret": 1,
        "Højt specialiseret": 2,
    }
    both = soup_of(web, "/search?target_group=9b3fd322-a75a-4ed8-9b74-425fa1e01c95&level=hoej")
    assert names(both) == ["Bostedet Kastanjen", "Specialcenter Nordlys"]
    # counts of one facet ignore that facet's own choice, so the other levels stay selectable
    assert facet(both, "Niveau (vejledende beregning)")["Moderat specialiseret"] == 1
    assert facet(both, "Målgruppe") == {"Autismespektrum": 2}
    chosen = [a.get_text(" ", strip=True) for a in both.select(".chosen-filters a")]
    assert len(chosen) == 2


def test_facet_links_are_shareable_urls(web: FlaskClient) -> None:
    soup = soup_of(web, "/search?q=autism&level=hoej&lang=en")
    link = soup.find("summary", string="Region").find_parent("details").select_one("a")["href"]
    args = parse_qs(urlparse(link).query)
    assert args["q"] == ["autism"] and args["level"] == ["hoej"] and args["lang"] == ["en"]
    assert "region" in args
    selected = soup.select_one(".facet a.selected")["href"]
    assert "level" not in parse_qs(urlparse(selected).query)  # clicking it again removes it


def test_pagination(web_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    first = search.search(web_catalogue.store, "", {}, 1, "da")
    second = search.search(web_catalogue.store, "", {}, 2, "da")
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (4, 2, 3, 1)
    assert {h.iri for h in first.hits}.isdisjoint({h.iri for h in second.hits})
    assert search.search(web_catalogue.store, "", {}, 99, "da").page == 2


def test_odd_input_is_harmless(web: FlaskClient) -> None:
    for url in (
        "/search?page=x",
        "/search?page=-3",
        "/search?region=nope",
        "/search?q=" + "a" * 5000,
    ):
        assert web.get(url).status_code == 200
