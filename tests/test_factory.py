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
    assert app.extensions["catalogue"] is catalogue
    assert app.extensions["catalogue"].settings.port == 5000


def test_test_config_overrides(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPECIALEKATALOG_MAX_UPLOAD_MB", "3")
    app = create_app({"TESTING": True, "store": "memory"})
    assert app.testing
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert app.extensions["catalogue"].settings.store == "memory"


def test_settings_in_test_config_apply_to_a_given_catalogue(catalogue: Catalogue) -> None:
    config = {"TESTING": True, "base_iri": "https://data.example.org/sk"}
    app = create_app(config, catalogue=catalogue)
    settings = app.extensions["catalogue"].settings
    assert settings.base_iri == "https://data.example.org/sk/"  # not dropped, and normalised
    assert app.extensions["catalogue"].store is catalogue.store
    assert catalogue.settings.base_iri != settings.base_iri  # the caller's catalogue is unchanged


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
