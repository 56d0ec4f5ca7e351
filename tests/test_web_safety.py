"""Nothing from data or the request is rendered unescaped; non-http(s) IRIs never become links
(THREATS B8); CSV cells cannot start a formula (THREATS D5)."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue
from webapp import create_app
from webapp.compliance.table import safe_cell

HOSTILE = "/id/provider/100003"


@pytest.fixture(scope="module")
def web(web_catalogue: Catalogue) -> FlaskClient:
    app: Flask = create_app({"TESTING": True}, catalogue=web_catalogue)
    return app.test_client()


def all_hrefs(soup: BeautifulSoup) -> list[str]:
    return [tag["href"] for tag in soup.find_all(href=True)]


@pytest.mark.parametrize(
    "url", [HOSTILE, HOSTILE + "/report", "/search?q=hjem", "/search", "/capacity", "/"]
)
def test_hostile_provider_text_is_escaped_and_never_a_link(web: FlaskClient, url: str) -> None:
    html = web.get(url).text
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("img"), "injected markup was rendered"
    assert [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"] == [
        s for s in soup.find_all("script") if s.get("src")
    ], "an inline script appeared"
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in all_hrefs(soup))
    assert "javascript:alert" not in " ".join(all_hrefs(soup))


def test_hostile_name_shows_as_text(web: FlaskClient) -> None:
    soup = BeautifulSoup(web.get(HOSTILE).text, "html.parser")
    assert '<script>alert("x")</script>' in soup.h1.get_text()
    facts = soup.select(".identity dt")
    assert "Hjemmeside" not in [dt.text for dt in facts], "a javascript: website was shown"


def test_embedded_json_ld_cannot_close_its_script(web: FlaskClient) -> None:
    html = web.get(HOSTILE).text
    soup = BeautifulSoup(html, "html.parser")
    block = soup.select_one('script[type="application/ld+json"]')
    raw = block.string
    assert "</script" not in raw.lower() and "<" not in raw
    names = [
        node["https://specialekatalog.example/ontology#name"][0]["@value"]
        for node in json.loads(raw)
        if "https://specialekatalog.example/ontology#name" in node
    ]
    assert names == ['<script>alert("x")</script> Hjem "><img src=x onerror=alert(1)>']


def test_reflected_search_text_is_escaped(web: FlaskClient) -> None:
    html = web.get('/search?q="><script>alert(1)</script>').text
    assert "<script>alert(1)</script>" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("input[name=q]")["value"] == '"><script>alert(1)</script>'


def test_no_inline_styles_or_scripts_anywhere(web: FlaskClient) -> None:
    for url in ("/", "/id/provider/100001", "/id/provider/100001/report", "/capacity", "/search"):
        soup = BeautifulSoup(web.get(url).text, "html.parser")
        assert not soup.find(style=True) and not soup.find("style")
        assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+45 12 34", "'+45 12 34"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("Bostedet", "Bostedet"),
        ("", ""),
    ],
)
def test_csv_cells_cannot_start_a_formula(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected
