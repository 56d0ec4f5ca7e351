"""Settings: declared once, overridable by environment, every one documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.config import SETTINGS, Settings, knowledge_paths

README = Path(__file__).resolve().parents[1] / "README.md"


def test_defaults() -> None:
    settings = Settings.from_env()
    assert settings.host == "127.0.0.1" and settings.port == 5000
    assert settings.base_iri == "https://specialekatalog.example/"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_PORT", "8123")
    monkeypatch.setenv("SPECIALEKATALOG_BASE_IRI", "https://data.example.dk")
    settings = Settings.from_env()
    assert settings.port == 8123
    assert settings.base_iri == "https://data.example.dk/"


def test_explicit_overrides_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", "/srv/store")
    assert Settings.from_env({"store": "memory"}).store == "memory"


def test_bad_number_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_PORT", "fivethousand")
    with pytest.raises(ValueError):
        Settings.from_env()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting) -> None:  # type: ignore[no-untyped-def]
    assert f"SPECIALEKATALOG_{setting.name}" in README.read_text(encoding="utf-8")
    assert setting.help


def test_knowledge_paths_exist() -> None:
    for name, path in knowledge_paths().items():
        assert path.is_dir(), name
