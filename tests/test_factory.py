"""The app factory: default configuration and test configuration (as Flask's tutorial tests it)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from catalogue import Catalogue
from webapp import create_app


def test_default_config_uses_settings(catalogue: Catalogue) -> None:
    app = create_app(catalogue=catalogue)
    assert not app.testing
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    assert app.config["SETTINGS"].port == 5000
    assert app.extensions["catalogue"] is catalogue


def test_test_config_overrides(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPECIALEKATALOG_MAX_UPLOAD_MB", "3")
    app = create_app({"TESTING": True, "store": "memory"})
    assert app.testing
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert app.config["SETTINGS"].store == "memory"


def test_home_lists_specialities_in_danish_and_english(client: FlaskClient) -> None:
    da = BeautifulSoup(client.get("/").text, "html.parser")
    en = BeautifulSoup(client.get("/?lang=en").text, "html.parser")
    assert da.html["lang"] == "da" and en.html["lang"] == "en"
    da_names = [h.get_text(strip=True) for h in da.select(".speciality h3")]
    en_names = [h.get_text(strip=True) for h in en.select(".speciality h3")]
    assert len(da_names) >= 3 and len(da_names) == len(en_names)
    assert da_names != en_names
    assert all(a.select("li") for a in da.select(".speciality")), "a speciale without functions"


def test_browser_language_is_honoured(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in page.text
    assert "Accept-Language" in page.headers["Vary"]


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
