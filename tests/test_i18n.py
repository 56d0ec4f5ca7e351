"""Interface strings: every key used in the code is in the Danish and English catalogues, with both
texts; the language is chosen by ?lang, then Accept-Language, then Danish; numbers and dates follow
the page's locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from flask import Flask
from markupsafe import escape

from catalogue import Catalogue
from webapp import create_app
from webapp.i18n import LANGUAGES, TRANSLATIONS, decimal, local_time, texts, translate_count

ROOT = Path(__file__).resolve().parent.parent
# t() and translate() take a key; tn() a key used as both singular and plural id, and a count.
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "translate": None, "tn": (1, 1)}


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def extracted() -> dict[str, list[str]]:
    """Every literal message key in webapp/, with where it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, line, message, _, _ in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"{filename}:{line}")
    return found


def test_extraction_reads_python_and_templates() -> None:
    found = extracted()
    assert any(".html:" in place for places in found.values() for place in places)
    assert "site.name" in found  # base.html
    assert "csv.yes" in found  # webapp/compliance/table.py


def test_every_extracted_key_is_in_both_catalogues() -> None:
    found = extracted()
    for language in LANGUAGES:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
        missing = {key: places for key, places in found.items() if key not in known}
        assert not missing, f"not in {language}/LC_MESSAGES/messages.po: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_its_text(language: str) -> None:
    messages = [m for m in catalogue(language) if m.id]
    assert len(messages) > 300
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{language}: {message.id} has no text"
        assert not message.fuzzy, f"{language}: {message.id} is marked fuzzy"


def test_both_catalogues_hold_the_same_keys_and_differ_in_language() -> None:
    danish, english = (catalogue(language) for language in LANGUAGES)
    assert {m.id for m in danish} == {m.id for m in english}
    differ = sum(danish[m.id].string != m.string for m in english if m.id)
    assert differ > len(english) // 2  # not one language copied into the other
    assert danish.plural_forms == english.plural_forms == "nplurals=2; plural=(n != 1);"


def test_plural_entries_have_both_forms() -> None:
    plurals = [m for m in catalogue("da") if m.pluralizable]
    assert plurals, "no plural entry: counts shown on pages use tn()"
    for message in plurals:
        assert message.id == (message.id[0], message.id[0])  # the key is both ids


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", "", "da"),
        ("", "en-GB,en;q=0.9", "en"),
        ("", "de-DE,fr;q=0.8", "da"),
        ("?lang=en", "da", "en"),
        ("?lang=da", "en", "da"),
        ("?lang=xx", "en", "en"),
    ],
)
def test_language_from_query_then_browser_then_danish(
    app: Flask, query: str, accept: str, expected: str
) -> None:
    response = app.test_client().get("/" + query, headers={"Accept-Language": accept})
    assert response.status_code == 200
    assert f'<html lang="{expected}"' in response.text
    tagline = texts("site.tagline")
    assert tagline is not None and tagline["da"] != tagline["en"]
    assert str(escape(tagline[expected])) in response.text
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("language", "number", "expected"),
    [("da", 4.2, "4,2"), ("en", 4.2, "4.2"), ("da", 1234.5, "1.234,5"), ("en", 3, "3")],
)
def test_numbers_follow_the_locale(app: Flask, language: str, number: float, expected: str) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert decimal(number) == expected
        assert decimal(4, 1) == ("4,0" if language == "da" else "4.0")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "1. marts 2026 15.30"), ("en", "March 1, 2026 3:30\u202fPM")],
)
def test_times_are_danish_local_time_in_the_pages_locale(
    app: Flask, language: str, expected: str
) -> None:
    with app.test_request_context(f"/?lang={language}"):
        assert local_time("2026-03-01T14:30:00Z") == expected
        assert local_time("not a time") == "not a time"


def test_plural_forms_follow_the_count(app: Flask) -> None:
    key = next(m.id[0] for m in catalogue("da") if m.pluralizable)
    for language in LANGUAGES:
        with app.test_request_context(f"/?lang={language}"):
            one, many = translate_count(key, 1), translate_count(key, 1200)
            assert one != many and "1" in one
            assert ("1.200" if language == "da" else "1,200") in many


@pytest.mark.parametrize(
    ("language", "scores", "assessed", "valid"),
    [
        ("da", ["4,2", "3,8"], "14. maj 2025", "1. marts 2024 – 1. marts 2027"),
        ("en", ["4.2", "3.8"], "May 14, 2025", "March 1, 2024 – March 1, 2027"),
    ],
)
def test_provider_page_scores_and_dates_in_the_pages_locale(
    web_catalogue: Catalogue, language: str, scores: list[str], assessed: str, valid: str
) -> None:
    app = create_app({"TESTING": True}, catalogue=web_catalogue)
    response = app.test_client().get(f"/id/provider/100001?lang={language}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    rows = [
        [td.get_text(strip=True) for td in r.find_all("td")]
        for r in soup.select("table.quality tbody tr")
    ]
    assert [r[0] for r in rows] == scores
    assert all(r[1] == assessed for r in rows)
    approvals = [r.get_text(" ", strip=True) for r in soup.select("table.approvals tbody tr")]
    assert any(valid in row for row in approvals), approvals
